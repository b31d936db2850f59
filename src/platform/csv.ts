/**
 * CSV reading and writing (RFC 4180) and text-file decoding for imports.
 *
 * Spreadsheets exported on Chinese desktops are often GBK/GB18030 rather than UTF-8, and
 * Excel adds a byte-order mark to UTF-8; `decodeTextFile` handles both and says which it saw,
 * so an import can tell the user that a conversion happened.
 */
import iconv from 'iconv-lite';

/** A CSV or text-decoding problem, naming the file, row and column when known. */
export class CsvError extends Error {
  readonly code: string;
  readonly file?: string;
  readonly row?: number;
  readonly column?: string;
  constructor(code: string, message: string, where: { file?: string; row?: number; column?: string } = {}) {
    super(message);
    this.name = 'CsvError';
    this.code = code;
    this.file = where.file;
    this.row = where.row;
    this.column = where.column;
  }
}

/** CSV text read into rows, with where each row starts. */
export interface CsvTable {
  rows: string[][];
  /**
   * The line of the text each row starts on, from 1, as a text editor or a spreadsheet counts
   * them: blank lines and the lines inside a quoted field count too.
   */
  lines: number[];
  /** False when reading stopped at `maxRows` rows and the text holds more. */
  complete: boolean;
  /** Rows of empty fields only (`,,,`) left out with `skipEmptyRows`. */
  skipped: number;
}

/**
 * Reads CSV text into rows of fields, noting the line each row starts on. Handles quoted fields
 * with embedded commas, quotes (`""`) and newlines, CRLF, LF or CR line ends, a leading BOM and
 * a missing final newline. Blank lines are skipped; with `skipEmptyRows`, so are rows whose fields
 * are all empty or blank (the `,,,` rows a spreadsheet writes for rows it once formatted), and
 * they are counted in `skipped`, not in `maxRows`. With `maxRows`, reading stops after that
 * many rows and the rest of the text is not parsed (it is only looked at for a further row), so a
 * file of millions of tiny rows costs what its first rows cost. Throws `CsvError` on an
 * unterminated quoted field within the rows read.
 */
export function readCsv(
  text: string,
  options: { delimiter?: string; fileName?: string; maxRows?: number; skipEmptyRows?: boolean } = {},
): CsvTable {
  const delim = options.delimiter ?? ',';
  const maxRows = options.maxRows ?? Infinity;
  const skipEmpty = options.skipEmptyRows ?? false;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: string[][] = [];
  const lines: number[] = [];
  let skipped = 0;
  const more = (from: number) => moreAfter(src, from, skipEmpty ? delim : undefined);
  if (maxRows <= 0) return { rows, lines, complete: !more(0), skipped };
  let row: string[] = [];
  let field = '';
  let inQuotes = false;
  let quoteStartLine = 0;
  let line = 1;
  let rowLine = 1;
  let fieldTouched = false;
  const endRow = (): void => {
    row.push(field);
    // A row that is a single empty field is a blank line.
    if (!(row.length === 1 && row[0] === '' && !fieldTouched)) {
      if (skipEmpty && row.every((f) => f.trim() === '')) skipped++;
      else {
        rows.push(row);
        lines.push(rowLine);
      }
    }
    row = [];
    field = '';
    fieldTouched = false;
    rowLine = line;
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (inQuotes) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === '\n' || (ch === '\r' && src[i + 1] !== '\n')) line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === '') {
      inQuotes = true;
      fieldTouched = true;
      quoteStartLine = line;
    } else if (ch === delim) {
      row.push(field);
      field = '';
      fieldTouched = true;
    } else if (ch === '\r' && src[i + 1] === '\n') {
      // CRLF: the \n ends the row.
    } else if (ch === '\n' || ch === '\r') {
      line++;
      endRow();
      if (rows.length >= maxRows) return { rows, lines, complete: !more(i + 1), skipped };
    } else {
      field += ch;
    }
  }
  if (inQuotes) {
    throw new CsvError(
      'csv_unterminated_quote',
      `unterminated quoted field starting on line ${quoteStartLine}`,
      {
        file: options.fileName,
        row: quoteStartLine,
      },
    );
  }
  if (field !== '' || row.length > 0 || fieldTouched) endRow();
  return { rows, lines, complete: true, skipped };
}

/**
 * Whether anything but line ends is in `src` from `from` on: another row. With `delim` (empty
 * rows skipped), delimiters and blanks are not a row either.
 */
function moreAfter(src: string, from: number, delim?: string): boolean {
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (c === '\n' || c === '\r') continue;
    if (delim !== undefined && (c === delim || c === ' ' || c === '\t')) continue;
    return true;
  }
  return false;
}

/**
 * Parses CSV text into rows of fields (`readCsv` without the line numbers): at most `maxRows`
 * rows, reading no further; ask for one more than you take to learn whether there are more.
 */
export function parseCsv(
  text: string,
  options: { delimiter?: string; fileName?: string; maxRows?: number } = {},
): string[][] {
  return readCsv(text, options).rows;
}

/** Parsed CSV with a header row: each data row keyed by column name. */
export interface CsvRecords {
  header: string[];
  rows: Record<string, string>[];
  /**
   * For each data row, the fields past the header's last column (usually none). They have no
   * column to go in, so `rows` leaves them out: a caller that must not lose data refuses a
   * row with any (an unquoted comma inside an address splits it in two).
   */
  extras: string[][];
  /** The line of the file each data row starts on (see `CsvTable.lines`); the header's is `headerLine`. */
  lines: number[];
  headerLine: number;
  /** True when the text holds more than `maxRows` data rows: `rows` holds the first `maxRows`. */
  more: boolean;
  /** Rows of empty fields only left out (with `skipEmptyRows`). */
  skipped: number;
}

/**
 * Parses CSV text whose first row is a header. Header names are trimmed; empty names at the
 * header's end (the comma a spreadsheet leaves after the last column) are no columns, so a
 * field under them is one of the row's `extras`; missing trailing fields become ''; fields past
 * the header are kept apart in `extras`. With `maxRows`, at most that many data rows are read,
 * and `more` says whether the text holds others (they are not parsed). With `skipEmptyRows`,
 * rows of empty fields are left out (see `readCsv`). Throws `CsvError` for an empty file or a
 * duplicated column name.
 */
export function parseCsvRecords(
  text: string,
  options: { fileName?: string; maxRows?: number; skipEmptyRows?: boolean } = {},
): CsvRecords {
  // The header, the rows wanted, and one more to tell whether there are more.
  const table = readCsv(text, {
    ...options,
    ...(options.maxRows !== undefined ? { maxRows: options.maxRows + 2 } : {}),
  });
  const first = table.rows[0];
  if (!first || first.every((h) => h.trim() === '')) {
    throw new CsvError('csv_empty', `${options.fileName ?? 'CSV'}: the file is empty (no header row)`, {
      file: options.fileName,
    });
  }
  const header = first.map((h) => h.trim());
  while (header.length > 0 && header[header.length - 1] === '') header.pop();
  const seen = new Set<string>();
  for (const h of header) {
    if (h !== '' && seen.has(h)) {
      throw new CsvError(
        'csv_duplicate_column',
        `${options.fileName ?? 'CSV'}: column "${h}" appears twice`,
        {
          file: options.fileName,
          column: h,
        },
      );
    }
    seen.add(h);
  }
  const wanted = options.maxRows ?? Infinity;
  const data = table.rows.slice(1, wanted + 1);
  const rows = data.map((fields) => {
    const rec: Record<string, string> = {};
    header.forEach((h, i) => {
      rec[h] = fields[i] ?? '';
    });
    return rec;
  });
  return {
    header,
    rows,
    extras: data.map((fields) => fields.slice(header.length)),
    lines: table.lines.slice(1, wanted + 1),
    headerLine: table.lines[0] ?? 1,
    more: table.rows.length - 1 > wanted || !table.complete,
    skipped: table.skipped,
  };
}

function quoteField(value: string, delimiter: string): string {
  if (value === '') return '';
  const needs =
    value.includes(delimiter) ||
    value.includes('"') ||
    value.includes('\n') ||
    value.includes('\r') ||
    value.startsWith(' ') ||
    value.endsWith(' ');
  return needs ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Writes rows as CSV (fields quoted only when needed, LF line ends, trailing newline).
 * Accepts arrays of fields, or records plus an explicit column order.
 */
export function toCsv(
  rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null | undefined>>,
  options: { delimiter?: string; bom?: boolean } = {},
): string {
  const delim = options.delimiter ?? ',';
  const body = rows
    .map((r) => r.map((v) => quoteField(v === null || v === undefined ? '' : String(v), delim)).join(delim))
    .join('\n');
  return (options.bom ? '\uFEFF' : '') + body + (rows.length > 0 ? '\n' : '');
}

/** Writes records under a header, in the header's column order. */
export function recordsToCsv(header: string[], records: ReadonlyArray<Record<string, unknown>>): string {
  return toCsv([
    header,
    ...records.map((r) =>
      header.map((h) => {
        const v = r[h];
        return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      }),
    ),
  ]);
}

export type DetectedEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'gb18030';

export interface DecodedText {
  text: string;
  encoding: DetectedEncoding;
  /** True when the bytes were not UTF-8 and were converted (tell the user). */
  converted: boolean;
}

/**
 * Decodes an uploaded text file: UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030
 * (Excel's default on Chinese Windows). Throws `CsvError('text_encoding_unknown')` naming the
 * file when the bytes are neither, and `CsvError('text_binary')` for a binary file.
 */
export function decodeTextFile(buf: Uint8Array, fileName = 'file'): DecodedText {
  const decoded = decodeBytes(buf, fileName);
  // Whatever the encoding (a UTF-8 file with a BOM, UTF-16): a NUL character is no text, and
  // PostgreSQL refuses to store one (a 500 where the file was at fault).
  if (decoded.text.includes('\u0000')) throw binaryFile(fileName);
  return decoded;
}

const binaryFile = (fileName: string) =>
  new CsvError('text_binary', `${fileName}: this is a binary file, not text (a NUL byte was found)`, {
    file: fileName,
  });

function decodeBytes(buf: Uint8Array, fileName: string): DecodedText {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    return { text: utf8Strict(buf.subarray(3), fileName), encoding: 'utf-8-bom', converted: false };
  }
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) {
    return {
      text: new TextDecoder('utf-16le').decode(buf.subarray(2)),
      encoding: 'utf-16le',
      converted: true,
    };
  }
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    return {
      text: new TextDecoder('utf-16be').decode(buf.subarray(2)),
      encoding: 'utf-16be',
      converted: true,
    };
  }
  if (buf.includes(0)) throw binaryFile(fileName);
  try {
    return {
      text: new TextDecoder('utf-8', { fatal: true }).decode(buf),
      encoding: 'utf-8',
      converted: false,
    };
  } catch {
    // Not UTF-8: try GB18030, a superset of GBK and GB2312.
  }
  const text = iconv.decode(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength), 'gb18030');
  if (!looksLikeText(text)) {
    throw new CsvError(
      'text_encoding_unknown',
      `${fileName}: the file is neither UTF-8 nor GBK/GB18030 text; save it as "CSV UTF-8" and try again`,
      { file: fileName },
    );
  }
  return { text, encoding: 'gb18030', converted: true };
}

function utf8Strict(buf: Uint8Array, fileName: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new CsvError(
      'text_encoding_unknown',
      `${fileName}: starts with a UTF-8 mark but is not valid UTF-8`,
      {
        file: fileName,
      },
    );
  }
}

/** Few replacement characters and control characters: a plausible decoding. */
function looksLikeText(text: string): boolean {
  if (text.length === 0) return true;
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) bad++;
  }
  return bad / text.length < 0.01;
}

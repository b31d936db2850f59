/**
 * Reading the first worksheet of an uploaded XLSX as a stream of rows, so a small archive that
 * inflates into a huge sheet costs no more than the limits allow:
 *
 * - the parts' sizes, from the archive's directory, are checked before any part is inflated
 *   (the workbook part and its relationships, at most 1 MiB each, are then inflated whole);
 * - each part is inflated as it is read and held to its stated size, so a part that lies about its
 *   size is cut off there (and the file refused), never inflated further;
 * - rows go to `tableReader` one at a time, and reading stops at the first row beyond a limit.
 *
 * ExcelJS's streaming reader parses the rows. It reads a worksheet straight from the archive only
 * when the workbook's relationships and the shared strings come before it; otherwise it first
 * inflates the whole worksheet into a temporary file. Excel and ExcelJS both write the shared
 * strings after the sheets, so the reader is not given the upload but a stored archive of just the
 * four parts it needs, in that order, inflated here as the reader asks for bytes.
 */
import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import ExcelJS from 'exceljs';
import { CsvError } from '../../platform/csv.ts';
import { SHEET_LIMITS, tableReader } from './resource.sheet.ts';
import type { SheetLimits, SheetRow, Table } from './resource.sheet.ts';
import {
  SHARED_STRINGS_PART,
  WORKBOOK_PART,
  WORKBOOK_RELS_PART,
  endOfArchive,
  firstWorksheetPart,
  inflatePart,
  storedBytes,
  storedEntryHeader,
  unreadable,
  utf8End,
  zipEntries,
} from './resource.xlsx-parts.ts';
import type { ZipEntry } from './resource.xlsx-parts.ts';

const MiB = 1024 * 1024;

/** Bounds on the inflated size of the parts read; the sheet's rows and columns are `SheetLimits`. */
export interface XlsxLimits {
  /** The first worksheet's XML. 10,000 rows of 100 shared-string cells take about 45 MiB. */
  maxSheetBytes: number;
  /** The shared strings, which are held in memory while the sheet is read. */
  maxSharedStringsBytes: number;
  /** The workbook part and its relationships, each. */
  maxWorkbookBytes: number;
}

export const XLSX_LIMITS: XlsxLimits = {
  maxSheetBytes: 64 * MiB,
  maxSharedStringsBytes: 16 * MiB,
  maxWorkbookBytes: 1 * MiB,
};

/** Lets a test watch the reading: rows as they arrive, inflated bytes as they are handed on. */
export interface XlsxProbe {
  row?(rowNumber: number): void;
  inflated?(part: string, bytes: number): void;
}

export interface XlsxOptions {
  limits?: SheetLimits;
  xlsx?: XlsxLimits;
  probe?: XlsxProbe;
}

interface Part {
  name: string;
  size: number;
  chunks(): Iterable<Buffer> | AsyncIterable<Buffer>;
}

const CHUNK = 64 * 1024;

function* slices(data: Buffer): Iterable<Buffer> {
  for (let at = 0; at < data.length; at += CHUNK) yield data.subarray(at, at + CHUNK);
}

async function* inflated(buf: Buffer, e: ZipEntry): AsyncIterable<Buffer> {
  if (e.method === 0) return yield* slices(storedBytes(buf, e));
  const inflater = createInflateRaw();
  inflater.end(storedBytes(buf, e));
  yield* inflater;
}

const amount = (bytes: number): string =>
  bytes >= MiB ? `${Number((bytes / MiB).toFixed(1))} MiB` : `${bytes} bytes`;

function tooLarge(fileName: string, e: ZipEntry, limit: number): CsvError {
  return new CsvError(
    'xlsx_too_large',
    `${fileName}: ${e.name} inflates to ${amount(e.size)}; an import reads at most ${amount(limit)} of it (split the file)`,
    { file: fileName },
  );
}

/**
 * The parts as one stored archive. A part delivers exactly its stated size: one that inflates to
 * more is cut off, one that inflates to less or fails is padded with `<` (which ends the XML
 * parse at once, or is ignored until the size is made up); either way `fault` is told.
 */
async function* archive(parts: readonly Part[], fault: (why: string) => void, probe?: XlsxProbe) {
  for (const part of parts) {
    yield storedEntryHeader(part.name, part.size);
    let left = part.size;
    // ExcelJS decodes each chunk as UTF-8 on its own: a chunk must not end inside a character.
    let carry: Buffer = Buffer.alloc(0);
    try {
      for await (const chunk of part.chunks()) {
        const piece = chunk.length > left ? chunk.subarray(0, left) : chunk;
        left -= piece.length;
        probe?.inflated?.(part.name, piece.length);
        const bytes = carry.length ? Buffer.concat([carry, piece]) : piece;
        const end = utf8End(bytes);
        if (end > 0) yield bytes.subarray(0, end);
        carry = bytes.subarray(end);
        if (piece !== chunk) {
          fault(`${part.name} inflates beyond its stated size`);
          break;
        }
      }
    } catch {
      fault(`${part.name} is corrupt`);
    }
    if (carry.length) yield carry;
    if (left > 0) fault(`${part.name} is shorter than its stated size`);
    for (; left > 0; left -= CHUNK) yield Buffer.alloc(Math.min(left, CHUNK), '<');
  }
  yield endOfArchive();
}

/** Characters XML cannot hold, as Excel escapes them (`_x000D_`); ExcelJS's whole-file reader decodes them. */
const unescape = (text: string): string =>
  text.includes('_x')
    ? text.replace(/_x([0-9A-F]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    : text;

function sheetRow(row: ExcelJS.Row): SheetRow {
  return { width: row.cellCount, text: (col) => unescape(row.findCell(col)?.text ?? '') };
}

/**
 * The parts the reader needs, in the order that lets it stream the sheet: the workbook's
 * relationships, the workbook, the shared strings, the first worksheet. Sizes are checked here,
 * before anything but the two small workbook parts is inflated.
 */
function partsToRead(buf: Buffer, fileName: string, limits: XlsxLimits): Part[] {
  const entries = zipEntries(buf, fileName);
  const book = entries.get(WORKBOOK_PART);
  const rels = entries.get(WORKBOOK_RELS_PART);
  if (!book || !rels) throw unreadable(fileName);
  for (const e of [book, rels])
    if (e.size > limits.maxWorkbookBytes) throw tooLarge(fileName, e, limits.maxWorkbookBytes);
  const bookXml = inflatePart(buf, book, fileName);
  const relsXml = inflatePart(buf, rels, fileName);
  const sheetPart = firstWorksheetPart(
    bookXml.toString('utf8'),
    relsXml.toString('utf8'),
    (p) => entries.has(p),
    fileName,
  );
  const sheet = sheetPart === undefined ? undefined : entries.get(sheetPart);
  if (!sheet) throw new CsvError('csv_empty', `${fileName}: the workbook has no sheet`, { file: fileName });
  if (sheet.size > limits.maxSheetBytes) throw tooLarge(fileName, sheet, limits.maxSheetBytes);
  const strings = entries.get(SHARED_STRINGS_PART);
  if (strings && strings.size > limits.maxSharedStringsBytes)
    throw tooLarge(fileName, strings, limits.maxSharedStringsBytes);
  const whole = (name: string, data: Buffer): Part => ({
    name,
    size: data.length,
    chunks: () => slices(data),
  });
  const streamed = (e: ZipEntry): Part => ({ name: e.name, size: e.size, chunks: () => inflated(buf, e) });
  return [
    whole(WORKBOOK_RELS_PART, relsXml),
    whole(WORKBOOK_PART, bookXml),
    // Without shared strings the reader would spool the sheet to a file: give it an empty table.
    strings ? streamed(strings) : whole(SHARED_STRINGS_PART, Buffer.from('<sst/>')),
    streamed(sheet),
  ];
}

/**
 * The first worksheet (in tab order) of an XLSX file as header + records, within `SheetLimits`
 * and `XlsxLimits`. Throws `CsvError`: `too_many_rows`, `too_many_columns`, `xlsx_too_large`,
 * `xlsx_unreadable`, `csv_empty`, `csv_duplicate_column`, each naming the file.
 */
export async function tableFromXlsx(
  buf: Buffer,
  fileName: string,
  options: XlsxOptions = {},
): Promise<Table> {
  const parts = partsToRead(buf, fileName, options.xlsx ?? XLSX_LIMITS);
  let faulty: string | undefined;
  const source = Readable.from(
    archive(parts, (why) => (faulty ??= why), options.probe),
    { objectMode: false, highWaterMark: CHUNK },
  );
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'ignore',
  });
  const table = tableReader(fileName, options.limits ?? SHEET_LIMITS);
  try {
    for await (const ws of reader) {
      for await (const row of ws) {
        options.probe?.row?.(row.number);
        if (row.hasValues) table.add(sheetRow(row));
      }
    }
  } catch (err) {
    if (faulty === undefined && err instanceof CsvError) throw err;
    throw unreadable(fileName, faulty);
  } finally {
    // Stops the inflating at once when reading stopped early.
    source.destroy();
  }
  if (faulty !== undefined) throw unreadable(fileName, faulty);
  return table.table();
}

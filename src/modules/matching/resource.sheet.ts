/**
 * Turning an uploaded sheet (CSV text or the rows of an XLSX worksheet) into a header and
 * records, within fixed bounds. A sheet's stated size is not trusted: a 9 KB XLSX can put one cell
 * in the last column (XFD, 16,384) of every row, so only the columns the header names are read,
 * and a worksheet is taken row by row so that reading stops at the first row beyond the bounds.
 */
import { CsvError, parseCsv } from '../../platform/csv.ts';

export interface SheetLimits {
  /** Data rows (the header not counted). */
  maxRows: number;
  /** Columns up to the last non-empty header cell. */
  maxColumns: number;
}

export const SHEET_LIMITS: SheetLimits = { maxRows: 10_000, maxColumns: 100 };

export interface Table {
  header: string[];
  records: Record<string, string>[];
}

/** One worksheet row holding a value, as it is read; cells are addressed from 1. */
export interface SheetRow {
  /** The last column holding a cell (0 for none). */
  width: number;
  text(col: number): string;
}

/** Takes a worksheet's rows one at a time, so a reader can stop at the first row beyond a limit. */
export interface TableReader {
  /** Adds the next row holding any value; throws `CsvError` once a limit is passed. */
  add(row: SheetRow): void;
  /** The table read so far; throws `csv_empty` when no row came. */
  table(): Table;
}

/** `rows` is a count, or "more than N" when reading stopped at the first row beyond the limit. */
function tooManyRows(fileName: string, rows: number | string, limits: SheetLimits): CsvError {
  return new CsvError(
    'too_many_rows',
    `${fileName}: ${rows} data rows; an import takes at most ${limits.maxRows} (split the file)`,
    { file: fileName },
  );
}

function tooManyColumns(fileName: string, columns: number, limits: SheetLimits): CsvError {
  return new CsvError(
    'too_many_columns',
    `${fileName}: the header runs to column ${columns}; an import reads at most ${limits.maxColumns} columns`,
    { file: fileName, row: 1 },
  );
}

/** Refuses a header (already cut after its last non-empty cell) wider than the limit or repeating a name. */
function checkedHeader(cells: readonly string[], fileName: string, limits: SheetLimits): string[] {
  if (cells.length > limits.maxColumns) throw tooManyColumns(fileName, cells.length, limits);
  const seen = new Set<string>();
  for (const h of cells) {
    if (h !== '' && seen.has(h)) {
      throw new CsvError('csv_duplicate_column', `${fileName}: column "${h}" appears twice`, {
        file: fileName,
        column: h,
      });
    }
    seen.add(h);
  }
  return [...cells];
}

const record = (header: readonly string[], cell: (i: number) => string): Record<string, string> =>
  Object.fromEntries(header.map((h, i) => [h, cell(i)]));

/**
 * Reads a worksheet row by row: the first row holding values is the header, and each later row is
 * read in the header's columns only, so at most `maxRows × maxColumns` cells are read for data, plus
 * the header row once (no longer than the row itself). Rows empty in the header's columns are
 * skipped but count towards `maxRows`; the row after the last allowed one is refused unread.
 */
export function tableReader(fileName: string, limits = SHEET_LIMITS): TableReader {
  let header: string[] | undefined;
  let dataRows = 0;
  const records: Record<string, string>[] = [];
  const empty = () => new CsvError('csv_empty', `${fileName}: the sheet is empty`, { file: fileName });
  return {
    add(row) {
      if (header === undefined) {
        let last = row.width;
        while (last > 0 && row.text(last).trim() === '') last--;
        // Checked before reading the header's cells: the width alone says the sheet is too wide.
        if (last > limits.maxColumns) throw tooManyColumns(fileName, last, limits);
        if (last === 0) throw empty();
        const cells: string[] = [];
        for (let c = 1; c <= last; c++) cells.push(row.text(c).trim());
        header = checkedHeader(cells, fileName, limits);
        return;
      }
      dataRows++;
      if (dataRows > limits.maxRows) throw tooManyRows(fileName, `more than ${limits.maxRows}`, limits);
      const values = header.map((_, i) => row.text(i + 1).trim());
      if (values.some((v) => v !== '')) records.push(record(header, (i) => values[i] ?? ''));
    },
    table() {
      if (header === undefined) throw empty();
      return { header, records };
    },
  };
}

/**
 * Reads CSV text with a header row, within the same limits as a worksheet: the header, the rows
 * allowed and one more are read, so a file past the limit is refused without parsing the rest.
 */
export function tableFromCsv(text: string, fileName: string, limits = SHEET_LIMITS): Table {
  const table = parseCsv(text, { fileName, maxRows: limits.maxRows + 2 });
  const first = (table[0] ?? []).map((h) => h.trim());
  let last = first.length;
  while (last > 0 && first[last - 1] === '') last--;
  if (last === 0) {
    throw new CsvError('csv_empty', `${fileName}: the file is empty (no header row)`, { file: fileName });
  }
  if (table.length - 1 > limits.maxRows) throw tooManyRows(fileName, `more than ${limits.maxRows}`, limits);
  const header = checkedHeader(first.slice(0, last), fileName, limits);
  const records = table.slice(1).map((fields, i) => {
    // Fields past the header's last column would be lost: typically an address or a staff list
    // with an unquoted comma, cut short. The row is refused, as the residents import does.
    const extra = fields.slice(header.length).filter((f) => f.trim() !== '');
    if (extra.length)
      throw new CsvError(
        'csv_extra_fields',
        `${fileName}: row ${i + 2} has ${header.length + extra.length} fields but the header has ${header.length} columns ` +
          `(extra: ${extra.map((f) => `"${f}"`).join(', ')}); put a field that contains a comma in double quotes`,
        { file: fileName, row: i + 2 },
      );
    return record(header, (j) => fields[j] ?? '');
  });
  return { header, records };
}

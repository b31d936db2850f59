/**
 * Turning an uploaded sheet (CSV text or an XLSX worksheet) into a header and records, within
 * fixed bounds. A sheet's stated size is not trusted: a 9 KB XLSX can put one cell in the last
 * column (XFD, 16,384) of every row, so only the columns the header names are read, and a sheet
 * beyond the bounds is refused before its cells are visited.
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

/** The few reads `tableFromWorksheet` needs from a worksheet; cells are addressed from 1. */
export interface WorksheetLike {
  /** Numbers of the rows holding any value, ascending. */
  rowNumbers(): number[];
  /** The last column holding a cell in this row (0 for none). */
  width(row: number): number;
  text(row: number, col: number): string;
}

function tooManyRows(fileName: string, rows: number, limits: SheetLimits): CsvError {
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
 * Reads a worksheet: the first row holding values is the header, and each later row is read in
 * the header's columns only. At most `maxRows × maxColumns` cells are read for data, plus the
 * header row once (no longer than the row itself); rows empty in the header's columns are skipped.
 */
export function tableFromWorksheet(ws: WorksheetLike, fileName: string, limits = SHEET_LIMITS): Table {
  const rows = ws.rowNumbers();
  const first = rows[0];
  if (first === undefined)
    throw new CsvError('csv_empty', `${fileName}: the sheet is empty`, { file: fileName });
  if (rows.length - 1 > limits.maxRows) throw tooManyRows(fileName, rows.length - 1, limits);
  let last = ws.width(first);
  while (last > 0 && ws.text(first, last).trim() === '') last--;
  // Checked before reading the header's cells: the width alone says the sheet is too wide.
  if (last > limits.maxColumns) throw tooManyColumns(fileName, last, limits);
  const cells: string[] = [];
  for (let c = 1; c <= last; c++) cells.push(ws.text(first, c).trim());
  if (cells.length === 0)
    throw new CsvError('csv_empty', `${fileName}: the sheet is empty`, { file: fileName });
  const header = checkedHeader(cells, fileName, limits);
  const records: Record<string, string>[] = [];
  for (const r of rows.slice(1)) {
    const values = header.map((_, i) => ws.text(r, i + 1).trim());
    if (values.some((v) => v !== '')) records.push(record(header, (i) => values[i] ?? ''));
  }
  return { header, records };
}

/** Reads CSV text with a header row, within the same limits as a worksheet. */
export function tableFromCsv(text: string, fileName: string, limits = SHEET_LIMITS): Table {
  const table = parseCsv(text, { fileName });
  const first = (table[0] ?? []).map((h) => h.trim());
  let last = first.length;
  while (last > 0 && first[last - 1] === '') last--;
  if (last === 0) {
    throw new CsvError('csv_empty', `${fileName}: the file is empty (no header row)`, { file: fileName });
  }
  if (table.length - 1 > limits.maxRows) throw tooManyRows(fileName, table.length - 1, limits);
  const header = checkedHeader(first.slice(0, last), fileName, limits);
  const records = table.slice(1).map((fields) => record(header, (i) => fields[i] ?? ''));
  return { header, records };
}

/**
 * Multi-row inserts on the hot write paths (intake's group commit) without the query builder.
 *
 * Kysely parses every row of `.values([...])` into an operation tree and compiles it to SQL on
 * each call; for a batch of a hundred wide rows that work costs more than SQLite's own insert.
 * Here the SQL text depends only on the table, the columns, the row count and the conflict
 * clause, so it is built once and cached, and the rows are bound as one flat parameter list.
 * The statement runs through the same Kysely connection (inside the caller's transaction) on
 * SQLite and PostgreSQL alike.
 */
import { CompiledQuery, type Insertable, type Kysely } from 'kysely';
import { isPostgres } from './dialect.ts';

/** PostgreSQL accepts at most 65,535 bind parameters per statement; stay well below. */
const MAX_PARAMS = 30_000;

const sqlCache = new Map<string, string>();

function placeholders(postgres: boolean, columns: number, rows: number): string {
  const tuples: string[] = [];
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const slots: string[] = [];
    for (let c = 0; c < columns; c++) slots.push(postgres ? `$${++n}` : '?');
    tuples.push(`(${slots.join(', ')})`);
  }
  return tuples.join(', ');
}

function insertSql(
  postgres: boolean,
  table: string,
  columns: readonly string[],
  rows: number,
  conflictColumn: string | undefined,
): string {
  const key = `${postgres ? 'pg' : 'sq'}|${table}|${columns.join(',')}|${rows}|${conflictColumn ?? ''}`;
  let text = sqlCache.get(key);
  if (text === undefined) {
    text =
      `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ` +
      placeholders(postgres, columns.length, rows) +
      (conflictColumn ? ` on conflict ("${conflictColumn}") do nothing` : '');
    if (sqlCache.size >= 500) sqlCache.clear();
    sqlCache.set(key, text);
  }
  return text;
}

type Extractor = (row: Record<string, unknown>, params: unknown[], at: number) => void;
const extractors = new Map<string, Extractor>();

/**
 * Copies a row's values into the parameter list, column by column, undefined as NULL. One
 * function per column list, with each column read by name: the reads stay monomorphic, where a
 * loop of `row[column]` over every table's rows was a megamorphic lookup per value.
 */
function extractorFor(columns: readonly string[]): Extractor {
  const key = columns.join('\u0000');
  let f = extractors.get(key);
  if (f === undefined) {
    const body = columns
      .map((c, i) => `v = r[${JSON.stringify(c)}]; p[at + ${i}] = v === undefined ? null : v;`)
      .join('\n');
    f = new Function('r', 'p', 'at', `let v;\n${body}`) as Extractor;
    if (extractors.size >= 500) extractors.clear();
    extractors.set(key, f);
  }
  return f;
}

/**
 * Rows per statement: the largest power of two that fits. Every distinct row count is a
 * distinct statement that SQLite keeps prepared (a 128-row insert of a wide table is a large
 * program), so batches are cut into power-of-two chunks: at most a dozen shapes per table,
 * and a batch of n rows takes as many statements as n has one-bits.
 */
function chunkSize(remaining: number, max: number): number {
  let size = 1;
  while (size * 2 <= remaining && size * 2 <= max) size *= 2;
  return size;
}

/**
 * Inserts rows that all have the same keys (the first row's) into `table`, in as few
 * statements as the parameter limit allows. `onConflictDoNothing` names a unique column whose
 * duplicates are skipped. Undefined values are stored as NULL.
 */
export async function insertRows<DB, T extends keyof DB & string>(
  db: Kysely<DB>,
  table: T,
  rows: ReadonlyArray<Insertable<DB[T]>>,
  options: { onConflictDoNothing?: string } = {},
): Promise<void> {
  const first = rows[0];
  if (!first) return;
  const columns = Object.keys(first);
  if (columns.length === 0) throw new Error(`insertRows(${table}): rows have no columns`);
  const postgres = isPostgres(db);
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  for (let start = 0; start < rows.length;) {
    const chunk = rows.slice(start, start + chunkSize(rows.length - start, perStatement));
    start += chunk.length;
    const params: unknown[] = new Array(chunk.length * columns.length);
    const extract = extractorFor(columns);
    for (let i = 0; i < chunk.length; i++)
      extract(chunk[i] as Record<string, unknown>, params, i * columns.length);
    const text = insertSql(postgres, table, columns, chunk.length, options.onConflictDoNothing);
    await db.executeQuery(CompiledQuery.raw(text, params));
  }
}

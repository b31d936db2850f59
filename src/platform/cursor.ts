/**
 * Keyset cursors of the newest-first lists (orders, the inbox): the last row's creation instant
 * and id, as `base64url("<instant>|<id>")`. A cursor is read back only if it is one this API could
 * have given out, so a forged one is refused instead of reaching the database (a NUL in it
 * failed on PostgreSQL) or silently starting again from the first page.
 */
import { invalidInput } from './errors.ts';

export interface Cursor {
  createdAt: string;
  id: string;
}

/** How rows' creation instants are stored: `Date#toISOString`, years 0000–9999. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Ids are UUIDv7 text (`newId`); letters, digits, `-` and `_` leave room for other generators. */
const ID = /^[0-9A-Za-z_-]{1,64}$/;

/** The cursor that continues after this row. */
export function encodeCursor(row: { created_at: string; id: string }): string {
  return Buffer.from(`${row.created_at}|${row.id}`).toString('base64url');
}

/**
 * The row a cursor points after; `undefined` for none. A cursor that does not hold a stored
 * instant (a real date, as `toISOString` writes it) and an id is refused: `invalid_input`
 * naming `cursor`.
 */
export function decodeCursor(text: string | undefined): Cursor | undefined {
  if (text === undefined || text === '') return undefined;
  const refused = () => invalidInput('cursor', 'the cursor is not one this API gave out');
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw refused();
  const parts = Buffer.from(text, 'base64url').toString('utf8').split('|');
  const [createdAt, id] = parts;
  if (parts.length !== 2 || !createdAt || !id || !INSTANT.test(createdAt) || !ID.test(id)) throw refused();
  const at = new Date(createdAt);
  // A real instant: `2026-02-30T…` matches the pattern but is no date.
  if (Number.isNaN(at.getTime()) || at.toISOString() !== createdAt) throw refused();
  return { createdAt, id };
}

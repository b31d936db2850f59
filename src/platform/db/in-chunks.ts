/**
 * Lookups by a list of keys (`where id in (…)`), one statement per slice of the list. Every key
 * is a bound parameter, and a statement may bind at most 32,766 on SQLite and 65,535 on
 * PostgreSQL: a list built from data (the people of 40,000 exported orders) passes either.
 */

/** Keys one `in (…)` list binds at most: far below both limits, with room for the rest of the statement. */
export const IN_LIST_CHUNK = 500;

/**
 * Runs `select` on consecutive slices of `keys`, at most `size` keys each, one after the other
 * (inside a transaction SQLite has one connection), and returns all their rows in slice order.
 */
export async function selectInChunks<K, R>(
  keys: readonly K[],
  select: (chunk: K[]) => Promise<readonly R[]>,
  size = IN_LIST_CHUNK,
): Promise<R[]> {
  const rows: R[] = [];
  for (let i = 0; i < keys.length; i += size)
    for (const r of await select(keys.slice(i, i + size))) rows.push(r);
  return rows;
}

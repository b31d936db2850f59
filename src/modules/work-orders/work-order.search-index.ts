/**
 * The text search index (the tokens are `work-order.search-tokens.ts`): every order's tokens,
 * written in the transaction that writes the order or changes its searched text, so an order
 * acknowledged is an order found.
 *
 * - SQLite: an FTS5 table without content (`work_order_search_tokens`, `detail=none`: only which
 *   rows hold a token), keyed by an integer per order (`work_order_search_keys`), since FTS5 keys
 *   rows by integers and an order's id is text.
 * - PostgreSQL: `work_order_search_tokens (order_id, tokens text[])` with a GIN index.
 *
 * A search asks for the orders holding the tokens, up to a bound: past it the words are common
 * enough that reading the newest orders finds a page sooner than reading the candidates.
 */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { insertRows } from '../../platform/db/bulk-insert.ts';
import { selectInChunks } from '../../platform/db/in-chunks.ts';
import { isPostgres } from '../../platform/db/dialect.ts';
import { communityToken, orderTokens } from './work-order.search-tokens.ts';

/** The columns an order's tokens come from. */
export interface SearchedOrder {
  id: string;
  community_id: string;
  number: string;
  description: string;
  search_text: string | null;
  description_folded: string | null;
  address: string | null;
  address_folded: string | null;
}

/** Every text the list's search reads, as it reads them. */
export function tokensOf(o: SearchedOrder): string[] {
  return orderTokens(o.community_id, [
    o.description_folded ?? o.description,
    o.search_text,
    o.number,
    o.address_folded ?? o.address,
  ]);
}

/** Indexes new orders (none of them indexed yet), in the caller's transaction. */
export async function indexOrders(db: Kysely<DB>, orders: readonly SearchedOrder[]): Promise<void> {
  if (orders.length === 0) return;
  if (isPostgres(db)) {
    await insertRows(
      db,
      'work_order_search_tokens',
      orders.map((o) => ({ order_id: o.id, tokens: tokensOf(o) })),
    );
    return;
  }
  // The integers SQLite gives the keys, read back by order id (RETURNING promises no row order).
  const rowids = new Map<string, number>();
  for (let i = 0; i < orders.length; i += KEY_CHUNK) {
    const chunk = orders.slice(i, i + KEY_CHUNK);
    const placeholders = chunk.map(() => '(?)').join(', ');
    const res = await db.executeQuery<{ rowid: number; order_id: string }>(
      CompiledQuery.raw(
        `insert into work_order_search_keys (order_id) values ${placeholders} returning rowid, order_id`,
        chunk.map((o) => o.id),
      ),
    );
    for (const r of res.rows) rowids.set(r.order_id, r.rowid);
  }
  await insertRows(
    db,
    'work_order_search_tokens',
    orders.map((o) => ({ rowid: rowids.get(o.id)!, tokens: tokensOf(o).join(' ') })),
  );
}

/** Keys per statement (one bound parameter each). */
const KEY_CHUNK = 4_096;

/** Replaces the tokens of orders whose searched text changed (an erasure's rewrite), in the caller's transaction. */
export async function reindexOrders(db: Kysely<DB>, orders: readonly SearchedOrder[]): Promise<void> {
  if (orders.length === 0) return;
  if (isPostgres(db)) {
    for (const o of orders)
      await db
        .updateTable('work_order_search_tokens')
        .set({ tokens: tokensOf(o) })
        .where('order_id', '=', o.id)
        .execute();
    return;
  }
  for (const o of orders) {
    const key = await db
      .selectFrom('work_order_search_keys')
      .select('rowid')
      .where('order_id', '=', o.id)
      .executeTakeFirst();
    if (!key) {
      await indexOrders(db, [o]);
      continue;
    }
    await db.executeQuery(
      CompiledQuery.raw('delete from work_order_search_tokens where rowid = ?', [key.rowid]),
    );
    await db.executeQuery(
      CompiledQuery.raw('insert into work_order_search_tokens (rowid, tokens) values (?, ?)', [
        key.rowid,
        tokensOf(o).join(' '),
      ]),
    );
  }
}

/**
 * Removes what deleted rows left in the index, in the caller's transaction (an erasure's, after
 * `reindexOrders`). SQLite: FTS5 only marks a row of a contentless index deleted (tombstones),
 * keeping its tokens in their segment until it merges that segment, and its `secure-delete`
 * option does not apply to such an index; `optimize` merges every segment into one, dropping
 * the deleted rows (about 0.25 s for 100,000 orders of 60 tokens). PostgreSQL rewrote the row:
 * its old version goes when it vacuums.
 */
export async function purgeDeletedTokens(db: Kysely<DB>): Promise<void> {
  if (isPostgres(db)) return;
  await db.executeQuery(
    CompiledQuery.raw("insert into work_order_search_tokens (work_order_search_tokens) values ('optimize')"),
  );
}

/**
 * The ids of a community's orders that hold every token of at least one alternative (see
 * `queryTokens`), or null when there are more than `bound` of them.
 */
export async function searchCandidates(
  db: Kysely<DB>,
  communityId: string,
  alternatives: readonly (readonly string[])[],
  bound: number,
): Promise<string[] | null> {
  const community = communityToken(communityId);
  let ids: string[];
  if (isPostgres(db)) {
    const arrays = alternatives.map((a) => [community, ...a]);
    const rows = await sql<{ order_id: string }>`
      select order_id from work_order_search_tokens
      where ${sql.join(
        arrays.map((a) => sql`tokens @> ${a}::text[]`),
        sql` or `,
      )}
      limit ${bound + 1}`.execute(db);
    ids = rows.rows.map((r) => r.order_id);
  } else {
    // Tokens are ASCII letters and digits: quoted, each is one term of the FTS5 query.
    const q = (t: string) => `"${t}"`;
    const match = `${q(community)} AND (${alternatives.map((a) => `(${a.map(q).join(' AND ')})`).join(' OR ')})`;
    // The matches first, then their keys (a cross join keeps that order: with `rowid in (…)`
    // SQLite read every key, 10 ms over 200,000 orders even when nothing matched).
    const rows = await sql<{ order_id: string }>`
      select k.order_id from (
        select rowid as r from work_order_search_tokens where work_order_search_tokens match ${match}
        limit ${bound + 1}) m
      cross join work_order_search_keys k on k.rowid = m.r`.execute(db);
    ids = rows.rows.map((r) => r.order_id);
  }
  return ids.length > bound ? null : ids;
}

const BACKFILL_PAGE = 1000;

/**
 * Indexes every order that has no tokens yet, a page at a time in id order: the migration that
 * made the index, `linli search reindex` (orders written by a node of a version before the
 * index, during a rolling upgrade), the benches' generated millions. Reports the orders read and
 * indexed so far after each page; returns how many it indexed.
 */
export async function indexUnindexedOrders(
  db: Kysely<DB>,
  onPage: (read: number, indexed: number) => void = () => {},
  /** The caller's own transaction holds `db` (a migration on SQLite runs on one connection inside BEGIN). */
  { inTransaction = db.isTransaction }: { inTransaction?: boolean } = {},
): Promise<number> {
  const postgres = isPostgres(db);
  let after = '';
  let indexed = 0;
  let read = 0;
  for (;;) {
    const page = await db
      .selectFrom('work_orders')
      .select([
        'id',
        'community_id',
        'number',
        'description',
        'search_text',
        'description_folded',
        'address',
        'address_folded',
      ])
      .where('id', '>', after)
      .orderBy('id')
      .limit(BACKFILL_PAGE)
      .execute();
    const last = page[page.length - 1];
    if (!last) break;
    after = last.id;
    const ids = page.map((o) => o.id);
    const known = new Set(
      (
        await selectInChunks(ids, (chunk) =>
          postgres
            ? db
                .selectFrom('work_order_search_tokens')
                .select('order_id')
                .where('order_id', 'in', chunk)
                .execute()
            : db
                .selectFrom('work_order_search_keys')
                .select('order_id')
                .where('order_id', 'in', chunk)
                .execute(),
        )
      ).map((r) => r.order_id),
    );
    const missing = page.filter((o) => !known.has(o.id));
    if (missing.length) {
      if (inTransaction) await indexOrders(db, missing);
      else await db.transaction().execute((trx) => indexOrders(trx, missing));
      indexed += missing.length;
    }
    read += page.length;
    onPage(read, indexed);
  }
  return indexed;
}

import { sql } from 'kysely';
import { isPostgres } from '../dialect.ts';
import type { Kysely } from 'kysely';
import type { DB } from '../schema.ts';
import { indexUnindexedOrders } from '../../../modules/work-orders/work-order.search-index.ts';
import { migrationMeter } from '../migration-progress.ts';

/**
 * The text search index (`work-order.search-index.ts`): a search that few orders match read
 * every order of the community (1–5 s over a million), since a `LIKE '%…%'` can use no index.
 * SQLite: an FTS5 table without content holding only which rows carry a token, and the integer
 * each order is known by there. PostgreSQL: each order's tokens as an array with a GIN index.
 * Existing orders are indexed a page at a time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    await sql`create table work_order_search_tokens (order_id text primary key, tokens text[] not null)`.execute(
      db,
    );
    await sql`create index work_order_search_tokens_gin on work_order_search_tokens using gin (tokens)`.execute(
      db,
    );
  } else {
    await sql`create table work_order_search_keys (rowid integer primary key, order_id text not null unique)`.execute(
      db,
    );
    await sql`create virtual table work_order_search_tokens using fts5(
      tokens, content='', contentless_delete=1, detail=none, tokenize='ascii')`.execute(db);
  }
  const orders = await sql<{ n: number | string }>`select count(*) as n from work_orders`.execute(db);
  const meter = migrationMeter('indexing the text of the orders', 'orders', Number(orders.rows[0]?.n ?? 0));
  // Every migration runs inside a transaction (Kysely's on PostgreSQL, one BEGIN IMMEDIATE on SQLite).
  await indexUnindexedOrders(db as unknown as Kysely<DB>, (read) => meter.update(read), {
    inTransaction: true,
  });
  meter.finish();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table work_order_search_tokens`.execute(db);
  if (!isPostgres(db)) await sql`drop table work_order_search_keys`.execute(db);
}

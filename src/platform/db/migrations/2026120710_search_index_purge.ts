import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';

/**
 * SQLite: an erasure made before this version left the erased orders' old tokens in the search
 * index's segments, marked deleted, until FTS5 merged them. If any resident was erased, the index
 * is merged once now (`optimize`), which drops them; erasures purge as they go from here on
 * (`purgeDeletedTokens`). PostgreSQL: nothing to do.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) return;
  const erased = await sql<{
    one: number;
  }>`select 1 as one from residents where erased_at is not null limit 1`.execute(db);
  if (erased.rows.length === 0) return;
  await sql`insert into work_order_search_tokens (work_order_search_tokens) values ('optimize')`.execute(db);
}

export async function down(): Promise<void> {
  // Nothing to undo: the merged index holds the same live rows.
}

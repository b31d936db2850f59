import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { searchTextOf } from '../../auth/text-privacy.ts';
import { migrationMeter } from '../migration-progress.ts';

/**
 * `work_orders.search_text`: the description with the phone numbers, ID numbers and e-mail
 * addresses typed into it blanked, kept where that changes it (null otherwise). Viewers for whom
 * such data is blanked search this text, not the description: matching the hidden digits told
 * them, one query at a time, what the blanks held.
 *
 * The backfill uses intake's own function, so old rows are searched as new ones are.
 */
const PAGE = 1000;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table work_orders add column search_text text`.execute(db);
  await backfillSearchText(db);
}

/** Fills `search_text` of every order whose description holds contact data (exported for its test). */
export async function backfillSearchText(db: Kysely<unknown>): Promise<void> {
  const meter = migrationMeter('hiding contact data from the search', 'orders');
  let after = '';
  let read = 0;
  for (;;) {
    const page = await sql<{ id: string; description: string }>`
      select id, description from work_orders where id > ${after} order by id limit ${PAGE}`.execute(db);
    const last = page.rows[page.rows.length - 1];
    if (!last) break;
    after = last.id;
    read += page.rows.length;
    meter.update(read);
    const changed = page.rows
      .map((r) => ({ id: r.id, text: searchTextOf(r.description) }))
      .filter((r, i) => r.text !== page.rows[i]?.description);
    if (changed.length === 0) continue;
    // One statement per page; `values` columns are column1, column2 on both databases.
    const values = sql.join(changed.map((r) => sql`(${r.id}, ${r.text})`));
    await sql`update work_orders set search_text = v.column2
      from (values ${values}) as v where work_orders.id = v.column1`.execute(db);
  }
  meter.finish();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table work_orders drop column search_text`.execute(db);
}

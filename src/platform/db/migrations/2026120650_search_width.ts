import { PostgresAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';
import { foldedOrNull } from '../../../modules/work-orders/work-order.filters.ts';
import { searchTextFor } from '../../../modules/work-orders/work-order.repository.ts';
import { migrationMeter } from '../migration-progress.ts';

/**
 * Search finds text however wide its digits and letters were typed: `description_folded` and
 * `address_folded` hold the description and address with full-width digits and Latin letters
 * folded (３号楼 → 3号楼), where that changes them, and `search_text` (what viewers for whom
 * contact data is blanked search) is folded the same way. A query of `3号楼` or `wifi` did not
 * find `３号楼` or `ＷｉＦｉ` as stored; only a query typed full-width found them.
 *
 * Only orders whose description or address holds such a character are read and rewritten (a
 * character-class match, on both databases), a page at a time, through intake's own functions.
 */
const PAGE = 1000;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table work_orders add column description_folded text`.execute(db);
  await sql`alter table work_orders add column address_folded text`.execute(db);
  await backfillFoldedText(db);
}

/** Fills the folded columns, and refolds `search_text`, of every order typed with full-width digits or letters. */
export async function backfillFoldedText(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const wide = (column: string) =>
    postgres
      ? sql`${sql.ref(column)} ~ '[０-９Ａ-Ｚａ-ｚ]'`
      : sql`${sql.ref(column)} glob '*[０-９Ａ-Ｚａ-ｚ]*'`;
  const meter = migrationMeter('folding full-width text for the search', 'orders');
  let after = '';
  let folded = 0;
  for (;;) {
    const page = await sql<{ id: string; description: string; address: string | null }>`
      select id, description, address from work_orders
      where id > ${after} and (${wide('description')} or ${wide('address')})
      order by id limit ${PAGE}`.execute(db);
    const last = page.rows[page.rows.length - 1];
    if (!last) break;
    after = last.id;
    folded += page.rows.length;
    meter.update(folded);
    // One statement per page; `values` columns are column1, column2 … on both databases.
    const values = sql.join(
      page.rows.map(
        (r) =>
          sql`(${r.id}, ${foldedOrNull(r.description)}, ${foldedOrNull(r.address)}, ${searchTextFor(r.description)})`,
      ),
    );
    await sql`update work_orders set description_folded = v.column2, address_folded = v.column3,
        search_text = v.column4
      from (values ${values}) as v where work_orders.id = v.column1`.execute(db);
  }
  meter.finish();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table work_orders drop column description_folded`.execute(db);
  await sql`alter table work_orders drop column address_folded`.execute(db);
}

import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * A household's orders are those filed while its people lived there, read by those who lived
 * there at the time:
 * - `work_orders.household_id`: the household of the order's beneficiary when it was filed. A
 *   household's list matched the beneficiary's household of today, so a resident who moved
 *   took their old home's orders into the new one, and left none behind.
 * - `residents.household_since`: when the resident joined their household. A newcomer at an
 *   address read every order its earlier members had filed, years before they moved in.
 * Orders already filed take their beneficiary's household of today (the only one on record), and
 * residents the day they were registered.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('work_orders').addColumn('household_id', 'text').execute();
  await sql`update work_orders set household_id =
      (select r.household_id from residents r where r.id = work_orders.beneficiary_id)
    where beneficiary_id is not null`.execute(db);
  // Only orders for a resident enter it: hotline and Open311 orders without one add no B-tree
  // write to intake's commit. `household_id = ?` implies the condition on both databases.
  await db.schema
    .createIndex('work_orders_household')
    .on('work_orders')
    .columns(['household_id', 'created_at'])
    .where(sql.raw<boolean>('household_id is not null'))
    .execute();
  await db.schema.alterTable('residents').addColumn('household_since', 'text').execute();
  await sql`update residents set household_since = created_at where household_id is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('work_orders_household').execute();
  await db.schema.alterTable('work_orders').dropColumn('household_id').execute();
  await db.schema.alterTable('residents').dropColumn('household_since').execute();
}

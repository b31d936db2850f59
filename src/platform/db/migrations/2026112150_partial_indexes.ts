import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * Indexes of new orders' empty columns become partial. A new order has no assignee, often no
 * beneficiary (hotline, Open311) or grid (no location), and rarely needs triage; every index it
 * does not enter is one B-tree fewer to update, and one page fewer to log, in intake's commit.
 * The queries that use these indexes look for a value (`assignee_id = ?`, `grid_id IN (…)`,
 * `needs_triage = 1`), which implies the index condition on SQLite and PostgreSQL alike.
 */
const PARTIAL: Array<{ name: string; columns: string[]; where: string }> = [
  { name: 'work_orders_assignee', columns: ['assignee_id', 'status'], where: 'assignee_id is not null' },
  { name: 'work_orders_beneficiary', columns: ['beneficiary_id'], where: 'beneficiary_id is not null' },
  { name: 'work_orders_grid', columns: ['grid_id', 'created_at'], where: 'grid_id is not null' },
  {
    name: 'work_orders_triage',
    columns: ['community_id', 'needs_triage', 'created_at'],
    where: 'needs_triage = 1',
  },
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const ix of PARTIAL) {
    await db.schema.dropIndex(ix.name).execute();
    await db.schema
      .createIndex(ix.name)
      .on('work_orders')
      .columns(ix.columns)
      .where(sql.raw<boolean>(ix.where))
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const ix of PARTIAL) {
    await db.schema.dropIndex(ix.name).execute();
    await db.schema.createIndex(ix.name).on('work_orders').columns(ix.columns).execute();
  }
}

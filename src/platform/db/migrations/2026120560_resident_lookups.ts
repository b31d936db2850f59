import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * Lookups a residents import makes per row: the household at an address of a community, and
 * whether an ID number is already registered. Without them an import read every household of the
 * community for each row, which took minutes for tens of thousands of rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('households_community_address')
    .on('households')
    .columns(['community_id', 'address'])
    .execute();
  await db.schema
    .createIndex('residents_id_number')
    .on('residents')
    .column('id_number')
    .where(sql.raw<boolean>('id_number is not null'))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('residents_id_number').execute();
  await db.schema.dropIndex('households_community_address').execute();
}

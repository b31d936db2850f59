import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { DEFAULT_QUESTIONS, DEFAULT_SERVICE_SETTINGS } from '../../../modules/open311/open311.defaults.ts';

// Open311: per-category publication settings, tokens for asynchronous creation, and the index
// the public request listing filters by (community, sub-category, time).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('open311_services')
    .addColumn('category_code', 'text', (c) => c.primaryKey())
    .addColumn('exposed', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('service_type', 'text', (c) => c.notNull().defaultTo('realtime'))
    .addColumn('address_precision', 'text', (c) => c.notNull().defaultTo('street'))
    .addColumn('keywords_zh', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('keywords_en', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('description_zh', 'text')
    .addColumn('description_en', 'text')
    .execute();

  await db.schema
    .createTable('open311_tokens')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('work_order_id', 'text')
    .addColumn('api_key_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createIndex('work_orders_community_subcategory')
    .on('work_orders')
    .columns(['community_id', 'subcategory', 'created_at'])
    .execute();

  for (const [code, s] of Object.entries(DEFAULT_SERVICE_SETTINGS)) {
    await sql`insert into open311_services (category_code, exposed, service_type, address_precision, keywords_zh, keywords_en)
      values (${code}, 1, 'realtime', ${s.precision}, ${s.keywordsZh}, ${s.keywordsEn})`.execute(db);
  }
  // Deployments whose categories exist already get the default questions where they have none.
  for (const [code, questions] of Object.entries(DEFAULT_QUESTIONS)) {
    await sql`update categories set questions_json = ${JSON.stringify(questions)}
      where code = ${code} and questions_json = '[]'`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('work_orders_community_subcategory').ifExists().execute();
  await db.schema.dropTable('open311_tokens').ifExists().execute();
  await db.schema.dropTable('open311_services').ifExists().execute();
}

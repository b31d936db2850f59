import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * The time bank (时间银行): accounts, double-entry transactions and their postings, service
 * records awaiting verification, and the idempotency keys of transfers and redemptions.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('time_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('community_id', 'text', (c) => c.notNull().references('communities.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('resident_id', 'text', (c) => c.references('residents.id'))
    .addColumn('owner_key', 'text', (c) => c.notNull())
    .addColumn('balance', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('time_accounts_owner', ['community_id', 'owner_key'])
    // The database refuses a resident's overdraft too, whatever writes the balance.
    .addCheckConstraint('time_accounts_resident_floor', sql`kind <> 'resident' or balance >= 0`)
    .execute();

  await db.schema
    .createTable('time_transactions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('community_id', 'text', (c) => c.notNull().references('communities.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('memo', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('record_id', 'text')
    .addColumn('work_order_id', 'text')
    .addColumn('reverses_id', 'text')
    .execute();
  await db.schema
    .createIndex('time_transactions_community')
    .on('time_transactions')
    .columns(['community_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('time_postings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('transaction_id', 'text', (c) => c.notNull().references('time_transactions.id'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('time_accounts.id'))
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('minutes', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('time_postings_once', ['transaction_id', 'account_id'])
    .execute();
  // An account's history, newest first, a page at a time.
  await db.schema
    .createIndex('time_postings_account')
    .on('time_postings')
    .columns(['account_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('time_service_records')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('community_id', 'text', (c) => c.notNull().references('communities.id'))
    .addColumn('volunteer_id', 'text', (c) => c.notNull().references('residents.id'))
    .addColumn('beneficiary_id', 'text', (c) => c.references('residents.id'))
    .addColumn('minutes', 'integer', (c) => c.notNull())
    .addColumn('service_date', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('work_order_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('reject_reason', 'text')
    .addColumn('transaction_id', 'text')
    .execute();
  await db.schema
    .createIndex('time_service_records_community')
    .on('time_service_records')
    .columns(['community_id', 'status', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('time_service_records_volunteer')
    .on('time_service_records')
    .columns(['volunteer_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('time_service_records_beneficiary')
    .on('time_service_records')
    .columns(['beneficiary_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('time_request_keys')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('response_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('time_request_keys_pk', ['scope', 'key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'time_request_keys',
    'time_service_records',
    'time_postings',
    'time_transactions',
    'time_accounts',
  ])
    await db.schema.dropTable(t).execute();
}

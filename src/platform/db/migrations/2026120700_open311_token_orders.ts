import type { Kysely } from 'kysely';

/**
 * Open311 tokens by their order: a batch request retried with its idempotency key is answered
 * with the token its first attempt was given, found by the order and the key that asked.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('open311_tokens_order')
    .on('open311_tokens')
    .columns(['work_order_id', 'api_key_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('open311_tokens_order').execute();
}

import type { Kysely } from 'kysely';

/**
 * A resident's personal data can be erased (个人信息删除, PIPL art. 47): the record stays as a
 * tombstone, so the orders filed by or for them keep their counts and their place in the
 * dashboards, and `erased_at` says when its personal data went.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('residents').addColumn('erased_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('residents').dropColumn('erased_at').execute();
}

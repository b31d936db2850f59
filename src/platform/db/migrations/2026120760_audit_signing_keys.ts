import type { Kysely } from 'kysely';

/**
 * The public keys app nodes sign audit checkpoints with (`audit.checkpoint.ts`): each node adds
 * its own at start, so every node can show every key a checkpoint may name. Only public halves:
 * the private key stays in the node's key file.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_signing_keys')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_signing_keys').execute();
}

import type { Kysely } from 'kysely';

/**
 * `cache_invalidations`: what every app node must forget. A change that makes a cached copy
 * stale (a sign-out, a deactivated account, a changed role, a revoked key, new grids, a changed
 * catalogue, dispatch rules or SLA policies) adds a row in its own transaction; each node reads
 * the rows of the last minute once a second and drops what they name (`src/platform/cache/`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cache_invalidations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('cache_invalidations_created')
    .on('cache_invalidations')
    .column('created_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('cache_invalidations').execute();
}

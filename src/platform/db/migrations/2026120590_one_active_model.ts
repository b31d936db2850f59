import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * A community has at most one active classifier model. Two activations at once on two nodes
 * (PostgreSQL, READ COMMITTED) could each retire the model they saw and activate their own,
 * leaving two. Existing data is repaired first: of a community's active models, the one activated
 * last (the highest version among equal times) stays active and the others are retired, as an
 * activation would have left them. Then a unique partial index makes a second one impossible.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const rows = await sql<{ id: string; community_id: string; version: number; activated_at: string | null }>`
    select id, community_id, version, activated_at from classifier_models where status = 'active'`.execute(
    db,
  );
  const kept = new Map<string, (typeof rows.rows)[number]>();
  const later = (a: (typeof rows.rows)[number], b: (typeof rows.rows)[number]) => {
    const at = a.activated_at ?? '';
    const bt = b.activated_at ?? '';
    return at !== bt ? at > bt : Number(a.version) > Number(b.version);
  };
  for (const r of rows.rows) {
    const k = kept.get(r.community_id);
    if (!k || later(r, k)) kept.set(r.community_id, r);
  }
  const keep = new Set([...kept.values()].map((r) => r.id));
  for (const r of rows.rows) {
    if (!keep.has(r.id))
      await sql`update classifier_models set status = 'retired' where id = ${r.id}`.execute(db);
  }
  await db.schema
    .createIndex('classifier_models_one_active')
    .on('classifier_models')
    .column('community_id')
    .unique()
    .where(sql.raw<boolean>("status = 'active'"))
    .execute();
}

/** The retired duplicates stay retired: which of them had been meant cannot be told. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('classifier_models_one_active').execute();
}

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { freshDatabase } from '../helpers.ts';
import { withSchemaLock } from '../../src/platform/db/database.ts';
import * as migration from '../../src/platform/db/migrations/2026120590_one_active_model.ts';

const model = (id: string, community: string, version: number, status: string, activatedAt: string | null) =>
  sql`insert into classifier_models
    (id, community_id, version, taxonomy_id, status, metrics_json, model_json, created_at, activated_at)
    values (${id}, ${community}, ${version}, 'default', ${status}, '{}', '{}', '2026-01-01T00:00:00.000Z', ${activatedAt})`;

describe('migration 2026120590: one active classifier model per community', () => {
  it('keeps the model activated last active, retires the others, then refuses a second active one', async () => {
    const fresh = await freshDatabase();
    try {
      const db = fresh.database.db as unknown as Kysely<unknown>;
      await withSchemaLock(fresh.database, () => migration.down(db)); // as the earlier release left it: nothing stopped two actives
      // Community a: two actives, v1 activated after v2 (a rollback), and a retired one.
      await model('a1', 'a', 1, 'active', '2026-03-01T00:00:00.000Z').execute(db);
      await model('a2', 'a', 2, 'active', '2026-02-01T00:00:00.000Z').execute(db);
      await model('a3', 'a', 3, 'retired', '2026-04-01T00:00:00.000Z').execute(db);
      // Community b: three actives at the same instant: the highest version stays.
      await model('b1', 'b', 1, 'active', '2026-03-01T00:00:00.000Z').execute(db);
      await model('b2', 'b', 2, 'active', '2026-03-01T00:00:00.000Z').execute(db);
      await model('b3', 'b', 3, 'active', '2026-03-01T00:00:00.000Z').execute(db);
      // Community c: one active and a candidate: untouched.
      await model('c1', 'c', 1, 'active', '2026-03-01T00:00:00.000Z').execute(db);
      await model('c2', 'c', 2, 'candidate', null).execute(db);
      await withSchemaLock(fresh.database, () => migration.up(db));
      const rows = await sql<{ id: string; status: string }>`
        select id, status from classifier_models where community_id in ('a', 'b', 'c') order by id`.execute(
        db,
      );
      assert.deepEqual(
        rows.rows.map((r) => [r.id, r.status]),
        [
          ['a1', 'active'],
          ['a2', 'retired'],
          ['a3', 'retired'],
          ['b1', 'retired'],
          ['b2', 'retired'],
          ['b3', 'active'],
          ['c1', 'active'],
          ['c2', 'candidate'],
        ],
      );
      await assert.rejects(sql`update classifier_models set status = 'active' where id = 'c2'`.execute(db));
      // Another community may have its own active model.
      await model('d1', 'd', 1, 'active', '2026-03-01T00:00:00.000Z').execute(db);
    } finally {
      await fresh.dispose();
    }
  });
});

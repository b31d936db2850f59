import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { freshDatabase } from '../helpers.ts';
import { withSchemaLock } from '../../src/platform/db/database.ts';
import * as migration from '../../src/platform/db/migrations/2026120550_sla_policy_scopes.ts';

const row = (id: string, communityId: string | null) => sql`insert into sla_policies
  (id, category, priority_band, channel, community_id, calendar_id, first_response_minutes, resolution_minutes,
   update_interval_minutes, warn_at_ratio, escalation_chain_json, escalation_step_minutes, created_at, updated_at)
  values (${id}, 'health', 'P2', null, ${communityId}, '24x7', 30, 600, null, 0.75, '["dispatcher"]', 120,
   '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`;

describe('migration 2026120550: SLA policy ids unique per scope', () => {
  it("keys the policies of a database from before it by (scope, id), keeping every row; down goes back while ids don't clash", async () => {
    const fresh = await freshDatabase();
    try {
      const db = fresh.database.db as unknown as Kysely<unknown>;
      await withSchemaLock(fresh.database, () => migration.down(db)); // the table as the earlier release left it: one id space
      await row('old-shared', null).execute(db);
      await row('old-local', 'community-a').execute(db);
      await withSchemaLock(fresh.database, () => migration.up(db));
      const rows = await sql<{
        scope: string;
        id: string;
        community_id: string | null;
        first_response_minutes: number;
      }>`
        select scope, id, community_id, first_response_minutes from sla_policies where id like 'old-%' order by id`.execute(
        db,
      );
      assert.deepEqual(
        rows.rows.map((r) => [r.scope, r.id, r.community_id, Number(r.first_response_minutes)]),
        [
          ['community-a', 'old-local', 'community-a', 30],
          ['', 'old-shared', null, 30],
        ],
      );
      // Another community may now use the same id; the same scope still may not.
      await sql`insert into sla_policies (scope, id, category, priority_band, community_id, calendar_id,
        first_response_minutes, resolution_minutes, warn_at_ratio, escalation_chain_json, escalation_step_minutes,
        created_at, updated_at) values ('community-b', 'old-local', 'health', 'P2', 'community-b', '24x7', 30, 600,
        0.75, '[]', 120, '2026-01-01', '2026-01-01')`.execute(db);
      await assert.rejects(
        sql`insert into sla_policies (scope, id, category, priority_band, community_id, calendar_id,
          first_response_minutes, resolution_minutes, warn_at_ratio, escalation_chain_json, escalation_step_minutes,
          created_at, updated_at) values ('community-b', 'old-local', 'health', 'P3', 'community-b', '24x7', 30, 600,
          0.75, '[]', 120, '2026-01-01', '2026-01-01')`.execute(db),
      );
      // Back to one id space only once the clash is gone.
      await assert.rejects(
        withSchemaLock(fresh.database, () => migration.down(db)),
        /old-local/,
      );
      await sql`delete from sla_policies where scope = 'community-b'`.execute(db);
      await withSchemaLock(fresh.database, () => migration.down(db));
      const back = await sql<{
        id: string;
      }>`select id from sla_policies where id like 'old-%' order by id`.execute(db);
      assert.deepEqual(
        back.rows.map((r) => r.id),
        ['old-local', 'old-shared'],
      );
    } finally {
      await fresh.dispose();
    }
  });
});

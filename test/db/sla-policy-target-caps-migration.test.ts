/**
 * Migration 2026120850: policies saved before targets and escalation steps were capped at a year
 * of minutes (525,600) may hold more; the migration brings each such value down to the cap, and
 * leaves every value within it, and every policy without one over it, as it was. The policies it
 * changes pass the checks a policy saved now passes. On both databases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { freshDatabase } from '../helpers.ts';
import { migrateTo } from '../../src/platform/db/database.ts';
import { policyFromRow } from '../../src/modules/sla/sla.metrics.ts';
import { MAX_TARGET_MINUTES, validatePolicy } from '../../src/modules/sla/sla.policy.ts';
import type { SlaPolicyTable } from '../../src/modules/sla/sla.tables.ts';

const AT = '2026-01-01T00:00:00.000Z';
const CAP = 525_600;

/** id → [first response, resolution, update interval, escalation step] as saved before the cap. */
const SAVED: Record<string, [number, number, number | null, number]> = {
  'huge-resolution': [60, 1e8, null, 120],
  'huge-everything': [6e6, 9e9, 7e6, 1e12],
  'huge-step': [30, 600, 120, 2_000_000],
  'huge-update': [30, 600, 600_000, 120],
  'at-the-cap': [CAP, CAP, CAP, CAP],
  'within-it': [30, 600, 90, 120],
  'fractional-within': [0.5, 525_599.5, null, 1.5],
};
const CLAMPED: Record<string, [number, number, number | null, number]> = {
  'huge-resolution': [60, CAP, null, 120],
  'huge-everything': [CAP, CAP, CAP, CAP],
  'huge-step': [30, 600, 120, CAP],
  'huge-update': [30, 600, CAP, 120],
  'at-the-cap': [CAP, CAP, CAP, CAP],
  'within-it': [30, 600, 90, 120],
  'fractional-within': [0.5, 525_599.5, null, 1.5],
};
const CHANGED = ['huge-everything', 'huge-resolution', 'huge-step', 'huge-update'];

async function save(db: Kysely<unknown>): Promise<void> {
  for (const [id, [fr, res, upd, step]] of Object.entries(SAVED))
    await sql`insert into sla_policies
      (scope, id, category, priority_band, channel, community_id, calendar_id, first_response_minutes,
       resolution_minutes, update_interval_minutes, warn_at_ratio, escalation_chain_json,
       escalation_step_minutes, created_at, updated_at)
      values ('', ${id}, ${`basic_living.${id}`}, '*', null, null, '24x7', ${fr}, ${res}, ${upd}, 0.75,
       '["dispatcher"]', ${step}, ${AT}, ${AT})`.execute(db);
}

async function policies(db: Kysely<unknown>): Promise<SlaPolicyTable[]> {
  const ids = Object.keys(SAVED);
  return (
    await sql<SlaPolicyTable>`select * from sla_policies
      where id in (${sql.join(ids.map((id) => sql`${id}`))}) order by id`.execute(db)
  ).rows;
}

test('migration 2026120850 caps the targets and escalation steps of policies saved before the cap', async () => {
  assert.equal(MAX_TARGET_MINUTES, CAP, 'the cap the migration restates');
  const fresh = await freshDatabase({ migrate: false });
  try {
    const db = fresh.database.db as unknown as Kysely<unknown>;
    await migrateTo(fresh.database, '2026120840_webhook_outbox_addresses');
    await save(db);
    await migrateTo(fresh.database, '2026120850_sla_policy_target_caps');
    const rows = await policies(db);
    assert.deepEqual(
      Object.fromEntries(
        rows.map((r) => [
          r.id,
          [
            Number(r.first_response_minutes),
            Number(r.resolution_minutes),
            r.update_interval_minutes === null ? null : Number(r.update_interval_minutes),
            Number(r.escalation_step_minutes),
          ],
        ]),
      ),
      CLAMPED,
    );
    // A policy it changed says when; the others are as they were.
    assert.deepEqual(
      rows.filter((r) => r.updated_at !== AT).map((r) => r.id),
      CHANGED,
    );
    for (const r of rows) {
      const policy = policyFromRow(r);
      assert.deepEqual(validatePolicy(policy), [], r.id);
      assert.ok(policy.escalationStepMinutes <= CAP, r.id);
    }
  } finally {
    await fresh.dispose();
  }
});

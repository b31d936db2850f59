/**
 * Migration 2026120815: a community whose replaced dispatch rules had left critical orders
 * without the emergency lane gets it back, tried first; a community whose rules keep the lane is
 * left as it was. On both databases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshDatabase } from '../helpers.ts';
import { migrateTo } from '../../src/platform/db/database.ts';
import { defaultRules, emergencyLaneGap, ruleOf } from '../../src/modules/matching/dispatch.rules.ts';
import type { DispatchRuleRow } from '../../src/modules/matching/dispatch.rules.ts';
import { RESTORED_LANE_NAME } from '../../src/platform/db/migrations/2026120815_dispatch_emergency_lane.ts';
import { allCategoryCodes } from '../../src/modules/taxonomy/taxonomy.default.ts';
import { PRIORITY_BANDS } from '../../src/modules/sla/sla.policy.ts';

test('migration 2026120815 puts the emergency lane back where replaced rules lost it', async () => {
  const fresh = await freshDatabase({ migrate: false });
  try {
    const db = fresh.database.db.withTables<{ dispatch_rules: DispatchRuleRow }>();
    await migrateTo(fresh.database, '2026120760_audit_signing_keys');
    const at = '2026-12-07T00:00:00.000Z';
    await db
      .insertInto('streets')
      .values({ id: 's', code: 's', name: '街道', name_en: 'Street', created_at: at })
      .execute();
    for (const id of ['kept', 'lost', 'shadowed', 'empty'])
      await db
        .insertInto('communities')
        .values({
          id,
          street_id: 's',
          code: id,
          name: id,
          name_en: id,
          center_lat: 22.5,
          center_lng: 113.9,
          boundary_json: null,
          time_zone: 'Asia/Shanghai',
          contacts_json: '{}',
          created_at: at,
        })
        .execute();
    const auto = (community: string, n: number, category: string | null): DispatchRuleRow => ({
      ...(defaultRules(community, at)[1] as DispatchRuleRow),
      id: `${community}:x${n}`,
      category,
      sort_order: n * 10,
    });
    await db.insertInto('dispatch_rules').values(defaultRules('kept', at)).execute();
    await db
      .insertInto('dispatch_rules')
      .values([auto('lost', 1, 'health')])
      .execute();
    await db
      .insertInto('dispatch_rules')
      .values([{ ...auto('shadowed', 1, null), sort_order: 5 }, ...defaultRules('shadowed', at)])
      .execute();

    await migrateTo(fresh.database, '2026120815_dispatch_emergency_lane');
    const rulesOf = (community: string) =>
      db
        .selectFrom('dispatch_rules')
        .selectAll()
        .where('community_id', '=', community)
        .orderBy('sort_order')
        .execute();
    assert.deepEqual(
      (await rulesOf('kept')).map((r) => r.id),
      defaultRules('kept', at).map((r) => r.id),
      'a community that kept the lane is left alone',
    );
    for (const community of ['lost', 'shadowed', 'empty']) {
      const rules = await rulesOf(community);
      assert.equal(rules[0]?.name, RESTORED_LANE_NAME, community);
      assert.equal(rules[0]?.mode, 'emergency', community);
      assert.equal(emergencyLaneGap(rules.map(ruleOf), allCategoryCodes(), PRIORITY_BANDS), undefined);
    }
    assert.equal((await rulesOf('lost')).length, 2, 'the rules that were there stay');
  } finally {
    await fresh.dispose();
  }
});

import type { Kysely } from 'kysely';
import { allCategoryCodes } from '../../../modules/taxonomy/taxonomy.default.ts';
import { PRIORITY_BANDS } from '../../../modules/sla/sla.policy.ts';
import { defaultRules, emergencyLaneGap, ruleOf } from '../../../modules/matching/dispatch.rules.ts';
import type { DispatchRuleRow } from '../../../modules/matching/dispatch.rules.ts';

type Tables = { dispatch_rules: DispatchRuleRow; communities: { id: string } };

/** The name of the lane put back, so the rules list says where it came from. */
export const RESTORED_LANE_NAME = '紧急通道（升级时恢复）：危急工单立即派给最近的在岗救援力量';

/**
 * Puts the emergency lane back in front of a community's dispatch rules where a replaced rule
 * list had left critical orders without it (the rules API refuses such a list from now on).
 * The rule added is the one a community starts with, tried first; nothing else changes. Runs
 * unchanged on SQLite and PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = db.withTables<Tables>();
  const communities = await t.selectFrom('communities').select('id').orderBy('id').execute();
  const at = new Date().toISOString();
  for (const { id } of communities) {
    const rows = await t
      .selectFrom('dispatch_rules')
      .selectAll()
      .where('community_id', '=', id)
      .where('active', '=', 1)
      .orderBy('sort_order')
      .orderBy('id')
      .execute();
    if (!emergencyLaneGap(rows.map(ruleOf), allCategoryCodes(), PRIORITY_BANDS)) continue;
    const lane = defaultRules(id, at).find((r) => r.mode === 'emergency');
    if (!lane) continue;
    const first = rows.reduce((min, r) => Math.min(min, r.sort_order), 10);
    await t
      .insertInto('dispatch_rules')
      .values({ ...lane, id: `${id}:emergency-lane`, name: RESTORED_LANE_NAME, sort_order: first - 10 })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
}

export async function down(): Promise<void> {
  // The lane put back stays: removing it would leave critical orders without it again.
}

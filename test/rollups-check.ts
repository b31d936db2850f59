/**
 * The dashboard's rollups must equal a recomputation from the orders themselves. Every test
 * context checks this when it closes, so any write path of the whole suite (intake, every
 * transition, dispatch, grid re-placement, merges, the seed, direct SQL in tests) that left the
 * rollups behind fails the file that took it.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../src/platform/db/schema.ts';
import { factAsGroup } from '../src/modules/analytics/analytics.service.ts';
import type { RollupSums } from '../src/modules/analytics/analytics.repository.ts';

const SUMS: Array<keyof RollupSums> = [
  'orders',
  'open',
  'resolved',
  'response_ms',
  'responded',
  'resolution_ms',
  'rated',
  'rating_sum',
  'ever_resolved',
  'reopened',
];

/** Differences between `order_rollups` and the orders (empty when they agree). */
export async function rollupMismatches(db: Kysely<DB>): Promise<string[]> {
  const orders = await db
    .selectFrom('work_orders')
    .select([
      'community_id',
      'created_day',
      'category',
      'grid_id',
      'assignee_id',
      'status',
      'created_at',
      'accepted_at',
      'resolved_at',
      'rating',
      'reopen_count',
    ])
    .execute();
  const expected = new Map<string, Record<string, number>>();
  const problems: string[] = [];
  for (const o of orders) {
    if (o.created_day === null) problems.push(`order of ${o.created_at} has no created_day`);
    const g = factAsGroup({ ...o, assignee_name: null }, 'UTC');
    const key = [
      o.community_id,
      o.created_day ?? o.created_at.slice(0, 10),
      g.category,
      g.grid_id,
      g.assignee_id,
    ].join('|');
    const sums = expected.get(key) ?? Object.fromEntries(SUMS.map((c) => [c, 0]));
    for (const c of SUMS) sums[c] = (sums[c] ?? 0) + g[c];
    expected.set(key, sums);
  }
  const rows = await db.selectFrom('order_rollups').selectAll().execute();
  const seen = new Set<string>();
  for (const r of rows) {
    const key = [r.community_id, r.day, r.category, r.grid_id, r.assignee_id].join('|');
    seen.add(key);
    const want = expected.get(key);
    for (const c of SUMS) {
      const got = Number(r[c]);
      const w = want?.[c] ?? 0;
      if (Math.abs(got - w) > 0.5) problems.push(`${key} ${c}: rollup ${got}, orders ${w}`);
    }
  }
  for (const [key, want] of expected)
    if (!seen.has(key) && SUMS.some((c) => want[c] !== 0)) problems.push(`${key}: no rollup row`);
  return problems;
}

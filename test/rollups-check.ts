/**
 * The dashboard's rollups must equal a recomputation from the orders themselves. Every test
 * context checks this when it closes, so any write path of the whole suite (intake, every
 * transition, dispatch, grid re-placement, merges, the seed, direct SQL in tests) that left the
 * rollups behind fails the file that took it.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../src/platform/db/schema.ts';
import { factAsGroup } from '../src/modules/analytics/analytics.service.ts';
import { SUM_COLUMNS } from '../src/modules/analytics/analytics.repository.ts';
import type { RollupGroup, RollupSums } from '../src/modules/analytics/analytics.repository.ts';

const SUMS: ReadonlyArray<keyof RollupSums> = SUM_COLUMNS;

type Sums = Record<string, number>;

function compare(
  name: string,
  expected: Map<string, Sums>,
  rows: Array<{ key: string; sums: Sums }>,
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    seen.add(r.key);
    const want = expected.get(r.key);
    for (const c of SUMS) {
      const w = want?.[c] ?? 0;
      if (Math.abs((r.sums[c] ?? 0) - w) > 0.5)
        problems.push(`${name} ${r.key} ${c}: rollup ${r.sums[c]}, orders ${w}`);
    }
  }
  for (const [key, want] of expected)
    if (!seen.has(key) && SUMS.some((c) => want[c] !== 0)) problems.push(`${name} ${key}: no rollup row`);
  return problems;
}

const sumsOf = (r: Record<string, unknown>): Sums => Object.fromEntries(SUMS.map((c) => [c, Number(r[c])]));

/**
 * Differences between the rollup tables and the orders (empty when they agree). `before_2026120870`
 * checks a database as the releases before migration 2026120870 left it (no
 * `work_orders.first_response_at`: an order was answered when accepted, or referred or dismissed
 * unaccepted), for the tests of the migrations before it.
 */
export async function rollupMismatches(
  db: Kysely<DB>,
  rule: 'current' | 'before_2026120870' = 'current',
): Promise<string[]> {
  const columns = [
    'community_id',
    'created_day',
    'category',
    'grid_id',
    'assignee_id',
    'status',
    'created_at',
    'accepted_at',
    'closed_at',
    'resolved_at',
    'rating',
    'reopen_count',
  ] as const;
  const orders =
    rule === 'current'
      ? await db
          .selectFrom('work_orders')
          .select([...columns, 'first_response_at'])
          .execute()
      : (await db.selectFrom('work_orders').select(columns).execute()).map((o) => ({
          ...o,
          first_response_at:
            o.accepted_at ?? (['referred', 'not_actionable'].includes(o.status) ? o.closed_at : null),
        }));
  const main = new Map<string, Sums>();
  const byAssignee = new Map<string, Sums>();
  const problems: string[] = [];
  const add = (into: Map<string, Sums>, key: string, g: RollupGroup) => {
    const sums = into.get(key) ?? Object.fromEntries(SUMS.map((c) => [c, 0]));
    for (const c of SUMS) sums[c] = (sums[c] ?? 0) + g[c];
    into.set(key, sums);
  };
  for (const o of orders) {
    if (o.created_day === null) problems.push(`order of ${o.created_at} has no created_day`);
    const g = factAsGroup({ ...o, assignee_name: null }, 'UTC');
    const day = o.created_day ?? o.created_at.slice(0, 10);
    add(main, [o.community_id, day, g.category, g.grid_id].join('|'), g);
    if (o.assignee_id !== null) add(byAssignee, [o.community_id, day, o.assignee_id].join('|'), g);
  }
  const mainRows = await db.selectFrom('order_rollups').selectAll().execute();
  const assigneeRows = await db.selectFrom('order_rollups_assignee').selectAll().execute();
  problems.push(
    ...compare(
      'order_rollups',
      main,
      mainRows.map((r) => ({
        key: [r.community_id, r.day, r.category, r.grid_id].join('|'),
        sums: sumsOf(r),
      })),
    ),
    ...compare(
      'order_rollups_assignee',
      byAssignee,
      assigneeRows.map((r) => ({ key: [r.community_id, r.day, r.assignee_id].join('|'), sums: sumsOf(r) })),
    ),
  );
  return problems;
}

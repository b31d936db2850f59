import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DB, RollupSumColumns } from '../../platform/db/schema.ts';

/** The columns of an order the dashboard needs, with the assignee's display name. */
export interface OrderFact {
  category: string;
  grid_id: string | null;
  assignee_id: string | null;
  assignee_name: string | null;
  status: string;
  created_at: string;
  accepted_at: string | null;
  /** When first answered, straight from the queue (the SLA's first response). */
  first_response_at: string | null;
  closed_at: string | null;
  resolved_at: string | null;
  rating: number | null;
  reopen_count: number;
}

/** Orders of a community created in [from, to), served by the (community_id, created_at) index. */
export async function orderFacts(
  db: Kysely<DB>,
  communityId: string,
  from: string,
  to: string,
): Promise<OrderFact[]> {
  return db
    .selectFrom('work_orders as o')
    .leftJoin('users as u', 'u.id', 'o.assignee_id')
    .select([
      'o.category',
      'o.grid_id',
      'o.assignee_id',
      'u.display_name as assignee_name',
      'o.status',
      'o.created_at',
      'o.accepted_at',
      'o.first_response_at',
      'o.closed_at',
      'o.resolved_at',
      'o.rating',
      'o.reopen_count',
    ])
    .where('o.community_id', '=', communityId)
    .where('o.created_at', '>=', from)
    .where('o.created_at', '<', to)
    .execute();
}

export async function gridNames(db: Kysely<DB>, communityId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('grids')
    .select(['id', 'name'])
    .where('community_id', '=', communityId)
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Sums of a group of orders as the rollups hold them (see migrations 2026120510_order_rollups and 2026120620_rollup_first_response). */
export type RollupSums = RollupSumColumns;

/**
 * A group of orders: of one local month, category and grid, or of one assignee, or (for the
 * partial days of a window) a single order with all four. '' stands for none.
 */
export interface RollupGroup extends RollupSums {
  month: string;
  category: string;
  grid_id: string;
  assignee_id: string;
  assignee_name: string | null;
}

/** The rollups of a window's whole days: by month, category and grid; and by assignee. */
export interface WindowRollups {
  main: RollupGroup[];
  byAssignee: RollupGroup[];
}

/** The sums a rollup row holds, in table order. */
export const SUM_COLUMNS = [
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
] as const;

// PostgreSQL answers sums as text (numeric/bigint): numbers here.
function numbers<T extends Record<string, unknown>>(row: T): T {
  const out: Record<string, unknown> = { ...row };
  for (const c of SUM_COLUMNS) out[c] = Number(out[c]);
  return out as T;
}

/**
 * The rollups of a community's whole local days in [fromDay, toDay) (`YYYY-MM-DD`), summed per
 * local month, category and grid, and per assignee: a few thousand rows however many orders
 * there are.
 */
export async function rollupGroups(
  db: Kysely<DB>,
  communityId: string,
  fromDay: string,
  toDay: string,
): Promise<WindowRollups> {
  const sums = (table: 'r') => SUM_COLUMNS.map((c) => sql<number>`sum(${sql.ref(`${table}.${c}`)})`.as(c));
  const [main, byAssignee] = await Promise.all([
    db
      .selectFrom('order_rollups as r')
      .select([sql<string>`substr(r.day, 1, 7)`.as('month'), 'r.category', 'r.grid_id', ...sums('r')])
      .where('r.community_id', '=', communityId)
      .where('r.day', '>=', fromDay)
      .where('r.day', '<', toDay)
      .groupBy([sql`substr(r.day, 1, 7)`, 'r.category', 'r.grid_id'])
      .execute(),
    db
      .selectFrom('order_rollups_assignee as r')
      .leftJoin('users as u', 'u.id', 'r.assignee_id')
      .select(['r.assignee_id', 'u.display_name as assignee_name', ...sums('r')])
      .where('r.community_id', '=', communityId)
      .where('r.day', '>=', fromDay)
      .where('r.day', '<', toDay)
      .groupBy(['r.assignee_id', 'u.display_name'])
      .execute(),
  ]);
  return {
    main: main.map((r) => numbers({ ...r, assignee_id: '', assignee_name: null }) as RollupGroup),
    byAssignee: byAssignee.map((r) => numbers({ ...r, month: '', category: '', grid_id: '' }) as RollupGroup),
  };
}

/**
 * Orders per local day and category of a community in [fromDay, toDay), from the rollups (one
 * row per day and category however many orders), optionally of one grid.
 */
export async function dailyCounts(
  db: Kysely<DB>,
  communityId: string,
  fromDay: string,
  toDay: string,
  gridId: string | null,
): Promise<Array<{ day: string; category: string; orders: number }>> {
  let q = db
    .selectFrom('order_rollups as r')
    .select(['r.day', 'r.category', sql<number>`sum(r.orders)`.as('orders')])
    .where('r.community_id', '=', communityId)
    .where('r.day', '>=', fromDay)
    .where('r.day', '<', toDay);
  if (gridId !== null) q = q.where('r.grid_id', '=', gridId);
  const rows = await q.groupBy(['r.day', 'r.category']).execute();
  return rows.map((r) => ({ day: r.day, category: r.category, orders: Number(r.orders) }));
}

/** The taxonomy's top-level category codes (an order's `category`), in their order. */
export async function topCategoryCodes(db: Kysely<DB>): Promise<string[]> {
  const rows = await db
    .selectFrom('categories')
    .select('code')
    .where('parent_code', 'is', null)
    .orderBy('sort_order')
    .orderBy('code')
    .execute();
  return rows.map((r) => r.code);
}

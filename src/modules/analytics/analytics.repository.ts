import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

/** The columns of an order the dashboard needs, with the assignee's display name. */
export interface OrderFact {
  category: string;
  grid_id: string | null;
  assignee_id: string | null;
  assignee_name: string | null;
  status: string;
  created_at: string;
  accepted_at: string | null;
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

/** Sums of a group of orders as the rollups hold them (see migration 2026120510_order_rollups). */
export interface RollupSums {
  orders: number;
  open: number;
  resolved: number;
  response_ms: number;
  responded: number;
  resolution_ms: number;
  rated: number;
  rating_sum: number;
  ever_resolved: number;
  reopened: number;
}

/** A rollup group: the orders of one local month, category, grid and assignee ('' for none). */
export interface RollupGroup extends RollupSums {
  month: string;
  category: string;
  grid_id: string;
  assignee_id: string;
  assignee_name: string | null;
}

const SUM_COLUMNS = [
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

/**
 * The rollups of a community's whole local days in [fromDay, toDay) (`YYYY-MM-DD`), summed per
 * local month, category, grid and assignee: a few thousand rows however many orders there are.
 */
export async function rollupGroups(
  db: Kysely<DB>,
  communityId: string,
  fromDay: string,
  toDay: string,
): Promise<RollupGroup[]> {
  const rows = await db
    .selectFrom('order_rollups as r')
    .leftJoin('users as u', 'u.id', 'r.assignee_id')
    .select([
      sql<string>`substr(r.day, 1, 7)`.as('month'),
      'r.category',
      'r.grid_id',
      'r.assignee_id',
      'u.display_name as assignee_name',
      ...SUM_COLUMNS.map((c) => sql<number>`sum(${sql.ref(`r.${c}`)})`.as(c)),
    ])
    .where('r.community_id', '=', communityId)
    .where('r.day', '>=', fromDay)
    .where('r.day', '<', toDay)
    .groupBy([sql`substr(r.day, 1, 7)`, 'r.category', 'r.grid_id', 'r.assignee_id', 'u.display_name'])
    .execute();
  // PostgreSQL answers sums as text (numeric/bigint): numbers here.
  return rows.map((r) => {
    const out = { ...r } as unknown as Record<string, unknown>;
    for (const c of SUM_COLUMNS) out[c] = Number(out[c]);
    return out as unknown as RollupGroup;
  });
}

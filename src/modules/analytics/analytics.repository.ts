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

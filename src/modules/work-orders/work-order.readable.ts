/**
 * Lists about orders (supervisions, return visits) filtered by the work-order read rules, for
 * modules that keep rows keyed by order.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { listOrders } from './work-order.repository.ts';
import { canReadOrder, orderFacts, seesWholeCommunity } from './work-order.policy.ts';

/**
 * Of these rows, those about orders the viewer may read by the work-order rules: staff who see
 * the whole community keep all; field staff (providers, grid workers) keep only their orders,
 * by the same list scope and predicate as the work-order listing.
 */
export async function onlyReadableOrders<T extends { work_order_id: string }>(
  db: Kysely<DB>,
  p: Principal,
  rows: T[],
): Promise<T[]> {
  if (p.kind !== 'user' || seesWholeCommunity(p) || rows.length === 0) return rows;
  const ids = [...new Set(rows.map((r) => r.work_order_id))];
  const orders = await listOrders(db, {
    communityIds: p.communityIds,
    assigneeOrGridsUser: p.id,
    gridIds: p.role === 'grid_worker' ? p.gridIds : [],
    ids,
    limit: ids.length,
  });
  const readable = new Set(orders.filter((o) => canReadOrder(p, orderFacts(o))).map((o) => o.id));
  return rows.filter((r) => readable.has(r.work_order_id));
}

/** Field staff's lists are filtered after the query: read this many rows to fill a page. */
export const FIELD_STAFF_SCAN = 2000;

import type { Kysely, Selectable } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { DispatchRuleRow } from './dispatch.rules.ts';
import type { WorkOrderRow } from '../work-orders/work-order.repository.ts';

/** Tables this module adds (migration 2026112130_matching). */
export interface DispatchAssignmentTable {
  id: string;
  work_order_id: string;
  community_id: string;
  resource_id: string | null;
  user_id: string;
  /** assignee: the person doing the work; grid_worker: alerted alongside (emergency lane). */
  role: string;
  /** manual | auto | emergency */
  lane: string;
  /** pending → accepted | rejected | timed_out | reassigned | transferred | completed | released; notified (grid worker) */
  state: string;
  attempt: number;
  score: number | null;
  reason: string | null;
  assigned_at: string;
  /** Accept by then, or the next candidate gets the order. */
  deadline_at: string | null;
  responded_at: string | null;
  response_note: string | null;
}

export interface DispatchRotationTable {
  pool_key: string;
  last_code: string;
  updated_at: string;
}

type DispatchTables = {
  dispatch_rules: DispatchRuleRow;
  dispatch_assignments: DispatchAssignmentTable;
  dispatch_rotation: DispatchRotationTable;
};

export type AssignmentRow = Selectable<DispatchAssignmentTable>;

type Db = Kysely<DB & DispatchTables>;
const dt = (db: Kysely<DB>): Db => db.withTables<DispatchTables>();

/** States in which an assignment still holds the order (counts as load). */
export const HOLDING_STATES = ['pending', 'accepted'] as const;

export async function rulesOf(db: Kysely<DB>, communityId: string): Promise<DispatchRuleRow[]> {
  return dt(db)
    .selectFrom('dispatch_rules')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('active', '=', 1)
    .orderBy('sort_order')
    .execute();
}

export async function insertDispatchRules(db: Kysely<DB>, rows: DispatchRuleRow[]): Promise<void> {
  if (rows.length) await dt(db).insertInto('dispatch_rules').values(rows).execute();
}

/** Replaces a community's rules (the rules API edits them as one list). */
export async function replaceRules(db: Kysely<DB>, communityId: string, rows: DispatchRuleRow[]) {
  await dt(db).deleteFrom('dispatch_rules').where('community_id', '=', communityId).execute();
  await insertDispatchRules(db, rows);
}

export async function insertAssignment(db: Kysely<DB>, row: AssignmentRow): Promise<void> {
  await dt(db).insertInto('dispatch_assignments').values(row).execute();
}

export async function assignmentsOf(db: Kysely<DB>, orderId: string): Promise<AssignmentRow[]> {
  return dt(db)
    .selectFrom('dispatch_assignments')
    .selectAll()
    .where('work_order_id', '=', orderId)
    .orderBy('assigned_at')
    .orderBy('attempt')
    .execute();
}

/** Closes the order's holding assignments (optionally only one person's); returns how many changed. */
export async function closeAssignments(
  db: Kysely<DB>,
  orderId: string,
  state: string,
  at: string,
  options: { userId?: string | null; note?: string | null; role?: string } = {},
): Promise<number> {
  let q = dt(db)
    .updateTable('dispatch_assignments')
    .set({ state, responded_at: at, response_note: options.note ?? null })
    .where('work_order_id', '=', orderId)
    .where('role', '=', options.role ?? 'assignee')
    .where('state', 'in', [...HOLDING_STATES]);
  if (options.userId) q = q.where('user_id', '=', options.userId);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Marks the pending assignment of this person accepted; false when there is none. */
export async function acceptAssignment(db: Kysely<DB>, orderId: string, userId: string, at: string) {
  const res = await dt(db)
    .updateTable('dispatch_assignments')
    .set({ state: 'accepted', responded_at: at, deadline_at: null })
    .where('work_order_id', '=', orderId)
    .where('user_id', '=', userId)
    .where('role', '=', 'assignee')
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Moves a pending assignment's deadline on (an order waiting on the resident holds it). */
export async function postponeDeadline(db: Kysely<DB>, id: string, from: string, to: string): Promise<void> {
  await dt(db)
    .updateTable('dispatch_assignments')
    .set({ deadline_at: to })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .where('deadline_at', '=', from)
    .execute();
}

/** Claims one due timer: only the node whose update changes the row handles it. */
export async function claimTimedOut(db: Kysely<DB>, id: string, at: string): Promise<boolean> {
  const res = await dt(db)
    .updateTable('dispatch_assignments')
    .set({ state: 'timed_out', responded_at: at, deadline_at: null })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function dueAssignments(db: Kysely<DB>, now: string, limit: number): Promise<AssignmentRow[]> {
  return dt(db)
    .selectFrom('dispatch_assignments')
    .selectAll()
    .where('state', '=', 'pending')
    .where('deadline_at', '<=', now)
    .orderBy('deadline_at')
    .limit(limit)
    .execute();
}

export interface LoadCounts {
  key: string;
  open: number;
  today: number;
  recent: number;
}

/**
 * Load per resource (or per person) of a community: holding assignments, assignments since the
 * start of the local day, and since the start of the fairness window.
 */
export async function loadCounts(
  db: Kysely<DB>,
  communityId: string,
  by: 'resource_id' | 'user_id',
  dayStart: string,
  windowStart: string,
): Promise<LoadCounts[]> {
  const rows = await dt(db)
    .selectFrom('dispatch_assignments')
    .select((eb) => [
      eb.ref(by).as('key'),
      eb.fn
        .sum<number>(
          eb
            .case()
            .when('state', 'in', [...HOLDING_STATES])
            .then(1)
            .else(0)
            .end(),
        )
        .as('open'),
      eb.fn.sum<number>(eb.case().when('assigned_at', '>=', dayStart).then(1).else(0).end()).as('today'),
      eb.fn.sum<number>(eb.case().when('assigned_at', '>=', windowStart).then(1).else(0).end()).as('recent'),
    ])
    .where('community_id', '=', communityId)
    .where('role', '=', 'assignee')
    .where((eb) => eb.or([eb('assigned_at', '>=', windowStart), eb('state', 'in', [...HOLDING_STATES])]))
    .where(by, 'is not', null)
    .groupBy(by)
    .execute();
  return rows.map((r) => ({
    key: String(r.key),
    open: Number(r.open),
    today: Number(r.today),
    recent: Number(r.recent),
  }));
}

export async function rotationOf(db: Kysely<DB>, poolKey: string): Promise<string | undefined> {
  const row = await dt(db)
    .selectFrom('dispatch_rotation')
    .select('last_code')
    .where('pool_key', '=', poolKey)
    .executeTakeFirst();
  return row?.last_code;
}

export async function saveRotation(db: Kysely<DB>, poolKey: string, code: string, at: string) {
  await dt(db)
    .insertInto('dispatch_rotation')
    .values({ pool_key: poolKey, last_code: code, updated_at: at })
    .onConflict((oc) => oc.column('pool_key').doUpdateSet({ last_code: code, updated_at: at }))
    .execute();
}

/** Puts a new order's row back as created (see DispatchService.onCreated). */
export async function restoreCreated(db: Kysely<DB>, row: WorkOrderRow): Promise<void> {
  await db
    .updateTable('work_orders')
    .set({
      status: row.status,
      assignee_id: row.assignee_id,
      accepted_at: row.accepted_at,
      first_response_at: row.first_response_at,
      dispatched_at: row.dispatched_at,
      version: row.version,
      updated_at: row.updated_at,
    })
    .where('id', '=', row.id)
    .execute();
}

export async function beneficiaryContact(db: Kysely<DB>, residentId: string) {
  return db
    .selectFrom('residents')
    .select(['id', 'name', 'emergency_contact_name', 'emergency_contact_phone'])
    .where('id', '=', residentId)
    .executeTakeFirst();
}

/**
 * The active grid workers of a grid who still serve its community (a grid's worker list outlives
 * a change of the person's communities).
 */
export async function gridWorkersOfGrid(db: Kysely<DB>, gridId: string) {
  return db
    .selectFrom('grid_workers')
    .innerJoin('users', 'users.id', 'grid_workers.user_id')
    .innerJoin('grids', 'grids.id', 'grid_workers.grid_id')
    .innerJoin('user_communities', (j) =>
      j
        .onRef('user_communities.user_id', '=', 'grid_workers.user_id')
        .onRef('user_communities.community_id', '=', 'grids.community_id'),
    )
    .select(['users.id', 'users.username', 'users.display_name', 'users.phone'])
    .where('grid_workers.grid_id', '=', gridId)
    .where('users.active', '=', 1)
    .where('users.role', '=', 'grid_worker')
    .orderBy('users.username')
    .execute();
}

export async function usersNamed(db: Kysely<DB>, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('users').select(['id', 'username', 'display_name']).where('id', 'in', ids).execute();
}

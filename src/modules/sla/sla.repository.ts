import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from '../../platform/db/database.ts';
import { insertRows } from '../../platform/db/bulk-insert.ts';
import { selectInChunks } from '../../platform/db/in-chunks.ts';
import type { DB, WorkOrderEventTable } from '../../platform/db/schema.ts';
import type {
  SlaCalendarTable,
  SlaEscalationTable,
  SlaHolidayFileTable,
  SlaOrderMetricsTable,
  SlaPolicyTable,
  SlaSupervisionTable,
  SlaTables,
  SlaTimerTable,
} from './sla.tables.ts';

type Db = Kysely<DB & SlaTables>;
const t = (db: Kysely<DB>): Db => db.withTables<SlaTables>();

export type TimerRow = Selectable<SlaTimerTable>;
export type MetricsRow = Selectable<SlaOrderMetricsTable>;
export type SupervisionRow = Selectable<SlaSupervisionTable>;

// ── policies ────────────────────────────────────────────────────────────────
export async function listPolicyRows(db: Kysely<DB>): Promise<SlaPolicyTable[]> {
  return t(db).selectFrom('sla_policies').selectAll().orderBy('id').orderBy('scope').execute();
}

export async function insertPolicy(db: Kysely<DB>, row: SlaPolicyTable): Promise<void> {
  await t(db).insertInto('sla_policies').values(row).execute();
}

/** Replaces the policy `id` of scope `scopeBefore` ('' for shared); the row may move to another scope. */
export async function updatePolicy(
  db: Kysely<DB>,
  scopeBefore: string,
  row: SlaPolicyTable,
): Promise<boolean> {
  const { id, created_at: _created, ...rest } = row;
  const r = await t(db)
    .updateTable('sla_policies')
    .set(rest)
    .where('scope', '=', scopeBefore)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function deletePolicy(db: Kysely<DB>, scope: string, id: string): Promise<boolean> {
  const r = await t(db)
    .deleteFrom('sla_policies')
    .where('scope', '=', scope)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

// ── calendars and holiday files ─────────────────────────────────────────────
export async function listCalendarRows(db: Kysely<DB>): Promise<SlaCalendarTable[]> {
  return t(db).selectFrom('sla_calendars').selectAll().orderBy('id').execute();
}

export async function upsertCalendar(db: Kysely<DB>, row: SlaCalendarTable): Promise<void> {
  const { id: _id, created_at: _created, ...rest } = row;
  await t(db)
    .insertInto('sla_calendars')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(rest))
    .execute();
}

export async function listHolidayFiles(db: Kysely<DB>): Promise<SlaHolidayFileTable[]> {
  return t(db).selectFrom('sla_holiday_files').selectAll().orderBy('region').orderBy('year').execute();
}

export async function upsertHolidayFile(db: Kysely<DB>, row: SlaHolidayFileTable): Promise<void> {
  const { region: _r, year: _y, ...rest } = row;
  await t(db)
    .insertInto('sla_holiday_files')
    .values(row)
    .onConflict((oc) => oc.columns(['region', 'year']).doUpdateSet(rest))
    .execute();
}

// ── per-order metrics ───────────────────────────────────────────────────────
export async function findMetrics(db: Kysely<DB>, orderId: string): Promise<MetricsRow | undefined> {
  return t(db)
    .selectFrom('sla_order_metrics')
    .selectAll()
    .where('work_order_id', '=', orderId)
    .executeTakeFirst();
}

export async function insertMetrics(db: Kysely<DB>, row: SlaOrderMetricsTable): Promise<void> {
  await t(db)
    .insertInto('sla_order_metrics')
    .values(row)
    .onConflict((oc) => oc.column('work_order_id').doNothing())
    .execute();
}

/** Metrics of several new orders in one statement per chunk (intake's group commit). */
export async function insertMetricsMany(db: Kysely<DB>, rows: SlaOrderMetricsTable[]): Promise<void> {
  await insertRows(t(db), 'sla_order_metrics', rows, { onConflictDoNothing: 'work_order_id' });
}

export async function updateMetrics(
  db: Kysely<DB>,
  orderId: string,
  patch: Partial<SlaOrderMetricsTable>,
): Promise<void> {
  await t(db).updateTable('sla_order_metrics').set(patch).where('work_order_id', '=', orderId).execute();
}

/** Ids of the orders still open (or on hold) whose SLA runs on one of these calendars. */
export async function openOrdersOnCalendars(
  db: Kysely<DB>,
  calendarIds: readonly string[],
  page: { after?: string; limit?: number } = {},
): Promise<string[]> {
  if (calendarIds.length === 0) return [];
  let q = t(db)
    .selectFrom('sla_order_metrics')
    .select('work_order_id')
    .where('calendar_id', 'in', [...calendarIds])
    .where('sla_status', 'in', ['open', 'paused'])
    .orderBy('work_order_id');
  if (page.after !== undefined) q = q.where('work_order_id', '>', page.after);
  if (page.limit !== undefined) q = q.limit(page.limit);
  const rows = await q.execute();
  return rows.map((r) => r.work_order_id);
}

/** The SLA metrics of these orders (in slices, for long lists). */
export async function metricsOfOrders(db: Kysely<DB>, orderIds: readonly string[]): Promise<MetricsRow[]> {
  return selectInChunks([...orderIds], (chunk) =>
    t(db).selectFrom('sla_order_metrics').selectAll().where('work_order_id', 'in', chunk).execute(),
  );
}

export async function ordersWithoutMetrics(db: Kysely<DB>, limit: number) {
  return t(db)
    .selectFrom('work_orders')
    .leftJoin('sla_order_metrics', 'sla_order_metrics.work_order_id', 'work_orders.id')
    .selectAll('work_orders')
    .where('sla_order_metrics.work_order_id', 'is', null)
    .orderBy('work_orders.created_at')
    .limit(limit)
    .execute();
}

export async function eventsOfOrders(db: Kysely<DB>, orderIds: string[]) {
  if (orderIds.length === 0) return [];
  return t(db)
    .selectFrom('work_order_events')
    .select(['work_order_id', 'type', 'created_at'])
    .where('work_order_id', 'in', orderIds)
    .orderBy('work_order_id')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export interface MetricsFilter {
  communityIds: string[];
  assigneeId?: string | undefined;
  gridId?: string | undefined;
  /** Only orders some of whose field-staff scope matches (grid workers, providers). */
  scopeUser?: { userId: string; gridIds: string[] } | undefined;
}

/**
 * The metrics of the orders a filter selects. An order's grid and assignee are read from the
 * order itself, as the order read policy reads them: the metrics keep those of the order's last
 * step, and a grid import moves open orders to other grids without a step (the compliance by grid
 * counted a moved order under its old grid, and the old grid's worker, who can no longer open it,
 * still saw it with its description on the deadline lists; the new grid's worker did not).
 */
function scoped(db: Kysely<DB>, f: MetricsFilter) {
  let q = t(db)
    .selectFrom('sla_order_metrics')
    .innerJoin('work_orders', 'work_orders.id', 'sla_order_metrics.work_order_id')
    .where('sla_order_metrics.community_id', 'in', f.communityIds);
  if (f.assigneeId) q = q.where('work_orders.assignee_id', '=', f.assigneeId);
  if (f.gridId) q = q.where('work_orders.grid_id', '=', f.gridId);
  if (f.scopeUser) {
    const { userId, gridIds } = f.scopeUser;
    q = q.where((eb) =>
      gridIds.length
        ? eb.or([eb('work_orders.assignee_id', '=', userId), eb('work_orders.grid_id', 'in', gridIds)])
        : eb('work_orders.assignee_id', '=', userId),
    );
  }
  return q;
}

const LIST_COLUMNS = [
  'sla_order_metrics.work_order_id',
  'sla_order_metrics.community_id',
  'work_orders.grid_id',
  'work_orders.assignee_id',
  'sla_order_metrics.sla_status',
  'sla_order_metrics.category',
  'sla_order_metrics.priority',
  'sla_order_metrics.first_response_due_at',
  'sla_order_metrics.first_response_at',
  'sla_order_metrics.resolution_due_at',
  'sla_order_metrics.escalation_level',
  'work_orders.number',
  'work_orders.status',
  'work_orders.description',
] as const;

/**
 * Open orders whose next deadline (first response while not accepted, else resolution) falls
 * before `before` (and, for due-soon lists, not before `notBefore`), earliest first.
 */
export async function listByDeadline(
  db: Kysely<DB>,
  f: MetricsFilter,
  window: { before: string; notBefore?: string | undefined },
  limit: number,
) {
  // A paused order has no deadline running, but one already passed stays passed: a late order
  // put on hold is listed by when it became late (parking it used to hide the breach).
  const due = sql<string>`coalesce(case when sla_order_metrics.first_response_at is null then sla_order_metrics.first_response_due_at end, sla_order_metrics.resolution_due_at, sla_order_metrics.resolution_breached_at, sla_order_metrics.first_response_breached_at)`;
  let q = scoped(db, f)
    .select([...LIST_COLUMNS, due.as('next_due_at')])
    .where((eb) =>
      eb.or([
        eb('sla_order_metrics.sla_status', '=', 'open'),
        eb.and([
          eb('sla_order_metrics.sla_status', '=', 'paused'),
          eb.or([
            eb('sla_order_metrics.first_response_breached_at', 'is not', null),
            eb('sla_order_metrics.resolution_breached_at', 'is not', null),
          ]),
        ]),
      ]),
    )
    .where(due, '<', window.before);
  if (window.notBefore) q = q.where(due, '>=', window.notBefore);
  return q.orderBy(due).orderBy('sla_order_metrics.work_order_id').limit(limit).execute();
}

export type ComplianceDimension = 'category' | 'grid' | 'provider' | 'month';

/**
 * Counts per dimension value over orders submitted in [from, to): met/breached/undecided per clock.
 * Each clock counts by its own met flag, so a deadline withdrawn in time (a cancelled, merged,
 * referred or not-actionable order) counts neither way while one breached before stays breached;
 * a cancelled or merged order none of whose deadlines counts is left out of the total too.
 * Resolution time averages orders actually resolved (`resolution_at` is set only then).
 */
export async function compliance(
  db: Kysely<DB>,
  f: MetricsFilter,
  by: ComplianceDimension,
  range: { from?: string | undefined; to?: string | undefined },
) {
  const column = {
    category: 'sla_order_metrics.category',
    grid: 'work_orders.grid_id',
    provider: 'work_orders.assignee_id',
    month: 'sla_order_metrics.month',
  } as const;
  const key = column[by];
  let q = scoped(db, f).where((eb) =>
    eb.or([
      eb('sla_order_metrics.sla_status', '!=', 'cancelled'),
      eb('sla_order_metrics.first_response_met', 'is not', null),
      eb('sla_order_metrics.resolution_met', 'is not', null),
    ]),
  );
  if (range.from) q = q.where('sla_order_metrics.submitted_at', '>=', range.from);
  if (range.to) q = q.where('sla_order_metrics.submitted_at', '<', range.to);
  const count = (expr: ReturnType<typeof sql<number>>) =>
    sql<number>`sum(case when ${expr} then 1 else 0 end)`;
  return q
    .select((eb) => [
      eb.ref(key).as('key'),
      eb.fn.countAll<number>().as('total'),
      count(sql<number>`sla_order_metrics.first_response_met = 1`).as('fr_met'),
      count(sql<number>`sla_order_metrics.first_response_met = 0`).as('fr_breached'),
      count(sql<number>`sla_order_metrics.resolution_met = 1`).as('res_met'),
      count(sql<number>`sla_order_metrics.resolution_met = 0`).as('res_breached'),
      count(
        sql<number>`sla_order_metrics.resolution_breached_at is not null and sla_order_metrics.sla_status in ('open', 'paused')`,
      ).as('open_breached'),
      sql<number>`avg(case when sla_order_metrics.resolution_at is not null then sla_order_metrics.resolution_minutes end)`.as(
        'avg_resolution_minutes',
      ),
      sql<number>`sum(sla_order_metrics.paused_minutes)`.as('paused_minutes'),
    ])
    .groupBy(key)
    .orderBy(key)
    .execute();
}

// ── timers ──────────────────────────────────────────────────────────────────
export interface NewTimer {
  key: string;
  kind: string;
  workOrderId: string | null;
  communityId: string | null;
  dueAt: string;
  payload: Record<string, unknown>;
}

/** A pending timer as its row (also used by the timers bench to fill its table). */
export function timerRow(id: string, timer: NewTimer, at: string) {
  return {
    id,
    key: timer.key,
    kind: timer.kind,
    work_order_id: timer.workOrderId,
    community_id: timer.communityId,
    due_at: timer.dueAt,
    status: 'pending',
    attempts: 0,
    lease_until: null,
    last_error: null,
    payload_json: JSON.stringify(timer.payload),
    created_at: at,
    fired_at: null,
  };
}

/**
 * Schedules a timer once: the same key again is a no-op, except that a cancelled timer comes
 * back (an order paused and resumed at the same instant keeps the same deadlines).
 */
export async function scheduleTimer(db: Kysely<DB>, id: string, timer: NewTimer, at: string): Promise<void> {
  await t(db)
    .insertInto('sla_timers')
    .values(timerRow(id, timer, at))
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({ status: 'pending', attempts: 0, lease_until: null, last_error: null })
        .where('sla_timers.status', '=', 'cancelled'),
    )
    .execute();
}

/**
 * Arms a timer under its key whatever state its row is in: a timer that is re-planned in place
 * (an order's SLA clock timer, re-armed on every transition and after it fires).
 */
export async function armTimer(db: Kysely<DB>, id: string, timer: NewTimer, at: string): Promise<void> {
  await t(db)
    .insertInto('sla_timers')
    .values(timerRow(id, timer, at))
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        due_at: timer.dueAt,
        payload_json: JSON.stringify(timer.payload),
        status: 'pending',
        attempts: 0,
        lease_until: null,
        last_error: null,
        fired_at: null,
      }),
    )
    .execute();
}

/** First timers of new orders: plain inserts, their keys are new. */
export async function scheduleTimersMany(
  db: Kysely<DB>,
  timers: { id: string; timer: NewTimer }[],
  at: string,
): Promise<void> {
  await insertRows(
    t(db),
    'sla_timers',
    timers.map(({ id, timer }) => timerRow(id, timer, at)),
    { onConflictDoNothing: 'key' },
  );
}

/** Cancels an order's pending timers of these kinds, except the keys still wanted. */
/** Whether the order has a pending timer of this kind. */
export async function hasPendingTimer(db: Kysely<DB>, orderId: string, kind: string): Promise<boolean> {
  const row = await t(db)
    .selectFrom('sla_timers')
    .select('id')
    .where('work_order_id', '=', orderId)
    .where('status', '=', 'pending')
    .where('kind', '=', kind)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function cancelTimers(
  db: Kysely<DB>,
  orderId: string,
  kinds: readonly string[],
  keep: readonly string[] = [],
): Promise<number> {
  let q = t(db)
    .updateTable('sla_timers')
    .set({ status: 'cancelled', lease_until: null })
    .where('work_order_id', '=', orderId)
    .where('status', '=', 'pending')
    .where('kind', 'in', kinds);
  if (keep.length) q = q.where('key', 'not in', keep);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function cancelTimerByKey(db: Kysely<DB>, key: string): Promise<void> {
  await t(db)
    .updateTable('sla_timers')
    .set({ status: 'cancelled', lease_until: null })
    .where('key', '=', key)
    .where('status', '=', 'pending')
    .execute();
}

/** The pending timer of a key, if any. */
export async function pendingTimer(db: Kysely<DB>, key: string): Promise<TimerRow | undefined> {
  return t(db)
    .selectFrom('sla_timers')
    .selectAll()
    .where('key', '=', key)
    .where('status', '=', 'pending')
    .executeTakeFirst();
}

export async function timersOf(db: Kysely<DB>, orderId: string): Promise<TimerRow[]> {
  return t(db)
    .selectFrom('sla_timers')
    .selectAll()
    .where('work_order_id', '=', orderId)
    .orderBy('due_at')
    .execute();
}

/**
 * Claims up to `limit` due timers for this worker: pending, due, and not leased by another
 * worker. PostgreSQL locks them (`FOR UPDATE SKIP LOCKED`), so concurrent workers take disjoint
 * sets; on SQLite the claim is one UPDATE, the first statement of the transaction, which takes
 * the database's single write lock. Must run inside a transaction.
 */
export async function claimDueTimers(
  trx: Kysely<DB>,
  dialect: Dialect,
  now: string,
  leaseUntil: string,
  limit: number,
): Promise<TimerRow[]> {
  const db = t(trx);
  const due = db
    .selectFrom('sla_timers')
    .where('status', '=', 'pending')
    .where('due_at', '<=', now)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
    .orderBy('due_at')
    .limit(limit);
  if (dialect === 'postgres') {
    const rows = await due.selectAll().forUpdate().skipLocked().execute();
    if (rows.length === 0) return rows;
    await db
      .updateTable('sla_timers')
      .set({ lease_until: leaseUntil, attempts: sql<number>`attempts + 1` })
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    return rows.map((r) => ({ ...r, lease_until: leaseUntil, attempts: r.attempts + 1 }));
  }
  const rows = await db
    .updateTable('sla_timers')
    .set({ lease_until: leaseUntil, attempts: sql<number>`attempts + 1` })
    .where('id', 'in', due.select('id'))
    .returningAll()
    .execute();
  return rows.sort((a, b) => (a.due_at < b.due_at ? -1 : a.due_at > b.due_at ? 1 : 0));
}

/**
 * Pending → fired for a timer this worker leased: the row as it is now, or undefined when it was
 * fired, cancelled, re-planned (which clears the lease) or leased again meanwhile.
 */
export async function takeLeasedTimer(
  db: Kysely<DB>,
  id: string,
  at: string,
  leaseUntil: string,
): Promise<TimerRow | undefined> {
  return t(db)
    .updateTable('sla_timers')
    .set({ status: 'fired', fired_at: at, lease_until: null, last_error: null })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('lease_until', '=', leaseUntil)
    .returningAll()
    .executeTakeFirst();
}

/** Pending → fired, once: false when the timer was fired, cancelled or re-leased meanwhile. */
export async function markTimerFired(
  db: Kysely<DB>,
  id: string,
  at: string,
  leaseUntil?: string,
): Promise<boolean> {
  let q = t(db)
    .updateTable('sla_timers')
    .set({ status: 'fired', fired_at: at, lease_until: null, last_error: null })
    .where('id', '=', id)
    .where('status', '=', 'pending');
  if (leaseUntil !== undefined) q = q.where('lease_until', '=', leaseUntil);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function markTimerFailed(
  db: Kysely<DB>,
  id: string,
  error: string,
  retryAt: string | null,
  attempts: number,
): Promise<void> {
  await t(db)
    .updateTable('sla_timers')
    .set({
      status: retryAt === null ? 'failed' : 'pending',
      attempts,
      ...(retryAt !== null ? { due_at: retryAt } : {}),
      lease_until: null,
      last_error: error.slice(0, 500),
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

// ── escalations and supervision ─────────────────────────────────────────────
export async function insertEscalation(db: Kysely<DB>, row: SlaEscalationTable): Promise<void> {
  await t(db).insertInto('sla_escalations').values(row).execute();
}

export async function escalationsOf(db: Kysely<DB>, orderId: string) {
  return t(db)
    .selectFrom('sla_escalations')
    .selectAll()
    .where('work_order_id', '=', orderId)
    .orderBy('created_at')
    .execute();
}

export async function insertSupervision(db: Kysely<DB>, row: SlaSupervisionTable): Promise<void> {
  await t(db).insertInto('sla_supervisions').values(row).execute();
}

export async function findSupervision(db: Kysely<DB>, id: string): Promise<SupervisionRow | undefined> {
  return t(db).selectFrom('sla_supervisions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateSupervision(
  db: Kysely<DB>,
  id: string,
  fromStatuses: readonly string[],
  patch: Partial<SlaSupervisionTable>,
): Promise<boolean> {
  const r = await t(db)
    .updateTable('sla_supervisions')
    .set(patch)
    .where('id', '=', id)
    .where('status', 'in', fromStatuses)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * An open supervision now belongs to another order (its duplicate's matter lives on there), its
 * deadline timer with it; false when it is no longer open.
 */
export async function moveSupervision(db: Kysely<DB>, id: string, toOrderId: string): Promise<boolean> {
  const r = await t(db)
    .updateTable('sla_supervisions')
    .set({ work_order_id: toOrderId })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) return false;
  await t(db)
    .updateTable('sla_timers')
    .set({ work_order_id: toOrderId })
    .where('key', '=', `supervision:${id}`)
    .execute();
  return true;
}

export async function listSupervisions(
  db: Kysely<DB>,
  f: { communityIds: string[]; status?: string | undefined; orderId?: string | undefined; limit: number },
): Promise<SupervisionRow[]> {
  let q = t(db).selectFrom('sla_supervisions').selectAll().where('community_id', 'in', f.communityIds);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.orderId) q = q.where('work_order_id', '=', f.orderId);
  return q.orderBy('due_at').orderBy('id').limit(f.limit).execute();
}

// ── shared lookups ──────────────────────────────────────────────────────────
/** Active staff of a community with one of the roles. */
export async function usersWithRoles(db: Kysely<DB>, communityId: string, roles: readonly string[]) {
  if (roles.length === 0) return [];
  return t(db)
    .selectFrom('users')
    .innerJoin('user_communities', 'user_communities.user_id', 'users.id')
    .select(['users.id', 'users.role', 'users.display_name'])
    .where('user_communities.community_id', '=', communityId)
    .where('users.role', 'in', roles)
    .where('users.active', '=', 1)
    .orderBy('users.id')
    .execute();
}

export async function communityTimeZone(db: Kysely<DB>, communityId: string): Promise<string> {
  const c = await t(db)
    .selectFrom('communities')
    .select('time_zone')
    .where('id', '=', communityId)
    .executeTakeFirst();
  return c?.time_zone ?? 'Asia/Shanghai';
}

/** Adds an event to an order's timeline (the caller appends the matching audit entry). */
export async function insertTimelineEvent(
  db: Kysely<DB>,
  row: Selectable<WorkOrderEventTable>,
): Promise<void> {
  await t(db).insertInto('work_order_events').values(row).execute();
}

/** Public replies after an instant (they restart the update-interval clock). */
export async function repliesAfter(db: Kysely<DB>, orderId: string, after: string) {
  return t(db)
    .selectFrom('work_order_events')
    .select(['created_at'])
    .where('work_order_id', '=', orderId)
    .where('type', '=', 'reply')
    .where('created_at', '>', after)
    .orderBy('created_at')
    .execute();
}

/** Display names for compliance rows. */
export async function labelsFor(
  db: Kysely<DB>,
  by: ComplianceDimension,
  keys: string[],
): Promise<Map<string, string>> {
  const ids = keys.filter(Boolean);
  if (ids.length === 0 || by === 'month') return new Map();
  if (by === 'category') {
    const rows = await t(db)
      .selectFrom('categories')
      .select(['code', 'name_zh'])
      .where('code', 'in', ids)
      .execute();
    return new Map(rows.map((r) => [r.code, r.name_zh]));
  }
  if (by === 'grid') {
    const rows = await t(db).selectFrom('grids').select(['id', 'name']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }
  const rows = await t(db)
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

export async function countRows(db: Kysely<DB>, table: 'sla_policies' | 'sla_calendars'): Promise<number> {
  const r = await t(db)
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

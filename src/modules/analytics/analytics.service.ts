/**
 * Dashboard KPIs as a pure fold over order facts: volume, first-response and resolution times,
 * satisfaction and reopen rate, by category, grid, assignee and month.
 */
import type { OrderFact, RollupGroup, RollupSums, WindowRollups } from './analytics.repository.ts';
import { monthOf } from '../sla/sla.metrics.ts';
import { DAY_MS, dayToIsoDate, zoneFor } from '../sla/zone.ts';
import { invalidInput } from '../../platform/errors.ts';
import { parseTimeRange } from '../work-orders/work-order.filters.ts';

export interface Kpis {
  orders: number;
  open: number;
  resolved: number;
  /** Mean minutes from submission to acceptance, over accepted orders. */
  firstResponseMinutes: number | null;
  /** Mean hours from submission to resolution, over resolved orders. */
  resolutionHours: number | null;
  /** Mean rating 1–5 over rated orders. */
  satisfaction: number | null;
  rated: number;
  /**
   * Share of orders resolved at least once that were reopened at least once. A reopened order
   * counts while it is being worked again, though its resolution time is cleared until then.
   */
  reopenRate: number | null;
}

export interface Bucket extends Kpis {
  key: string;
  name: string;
}

export interface Dashboard {
  totals: Kpis;
  byCategory: Bucket[];
  byGrid: Bucket[];
  byAssignee: Bucket[];
  byMonth: Bucket[];
}

const OPEN = new Set(['submitted', 'accepted', 'dispatched', 'in_progress', 'waiting_on_resident']);

/** What a bucket sums; the rollups hold the same sums (migration 2026120510_order_rollups). */
type Acc = RollupSums;

const empty = (): Acc => ({
  orders: 0,
  open: 0,
  resolved: 0,
  response_ms: 0,
  responded: 0,
  resolution_ms: 0,
  rated: 0,
  rating_sum: 0,
  ever_resolved: 0,
  reopened: 0,
});

function add(a: Acc, g: RollupSums): void {
  a.orders += g.orders;
  a.open += g.open;
  a.resolved += g.resolved;
  a.response_ms += g.response_ms;
  a.responded += g.responded;
  a.resolution_ms += g.resolution_ms;
  a.rated += g.rated;
  a.rating_sum += g.rating_sum;
  a.ever_resolved += g.ever_resolved;
  a.reopened += g.reopened;
}

/**
 * When an order was first answered: accepted, dispatched, referred elsewhere or dismissed straight
 * from the queue, as the SLA's first-response clock counts it, and the rollups' triggers
 * (migration 2026120870_dashboard_first_response). An order merged or cancelled unanswered never
 * was, whatever became of it after (a duplicate that followed its target to a referral, or went
 * back to work when its target was cancelled).
 */
export function firstAnsweredAt(o: Pick<OrderFact, 'first_response_at'>): string | null {
  return o.first_response_at;
}

/** One order as a group of one (the orders of a window's partial first and last days). */
export function factAsGroup(o: OrderFact, timeZone: string): RollupGroup {
  const created = Date.parse(o.created_at);
  // Only a resolved order can be reopened, and reopening clears `resolved_at`.
  const ever = o.resolved_at !== null || o.reopen_count > 0;
  const answered = firstAnsweredAt(o);
  return {
    month: monthOf(timeZone, o.created_at),
    category: o.category,
    grid_id: o.grid_id ?? '',
    assignee_id: o.assignee_id ?? '',
    assignee_name: o.assignee_name,
    orders: 1,
    open: OPEN.has(o.status) ? 1 : 0,
    resolved: o.resolved_at ? 1 : 0,
    response_ms: answered ? Date.parse(answered) - created : 0,
    responded: answered ? 1 : 0,
    resolution_ms: o.resolved_at ? Date.parse(o.resolved_at) - created : 0,
    rated: o.rating !== null ? 1 : 0,
    rating_sum: o.rating ?? 0,
    ever_resolved: ever ? 1 : 0,
    reopened: o.reopen_count > 0 ? 1 : 0,
  };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

function finish(a: Acc): Kpis {
  return {
    orders: a.orders,
    open: a.open,
    resolved: a.resolved,
    firstResponseMinutes: a.responded ? round(a.response_ms / a.responded / 60_000, 1) : null,
    resolutionHours: a.resolved ? round(a.resolution_ms / a.resolved / 3_600_000, 1) : null,
    satisfaction: a.rated ? round(a.rating_sum / a.rated, 2) : null,
    rated: a.rated,
    reopenRate: a.ever_resolved ? round(a.reopened / a.ever_resolved, 4) : null,
  };
}

/** Buckets by a key; '' (no grid, no assignee) is left out, and so are groups left empty. */
function group(
  groups: RollupGroup[],
  keyOf: (g: RollupGroup) => string,
  nameOf: (key: string) => string,
): Bucket[] {
  const accs = new Map<string, Acc>();
  for (const g of groups) {
    const k = keyOf(g);
    if (k === '') continue;
    let a = accs.get(k);
    if (!a) accs.set(k, (a = empty()));
    add(a, g);
  }
  return [...accs.entries()]
    .filter(([, a]) => a.orders > 0)
    .map(([key, a]) => ({ key, name: nameOf(key), ...finish(a) }));
}

/**
 * Folds rollup groups (whole local days) and single orders (the window's partial days) into the
 * dashboard; `gridName` and the assignee names label the buckets. Months are the community's
 * local months (`timeZone`): an order of 1 March 06:00 in Beijing is March's, though it is still
 * February in UTC.
 */
export function summarize(
  facts: OrderFact[],
  gridName: (id: string) => string,
  timeZone: string,
  rollups: WindowRollups = { main: [], byAssignee: [] },
): Dashboard {
  const single = facts.map((o) => factAsGroup(o, timeZone));
  const groups = rollups.main.concat(single);
  const assigned = rollups.byAssignee.concat(single);
  const total = empty();
  for (const g of groups) add(total, g);
  const assignees = new Map(assigned.map((g) => [g.assignee_id, g.assignee_name]));
  const byCount = (a: Bucket, b: Bucket) => b.orders - a.orders || a.key.localeCompare(b.key);
  return {
    totals: finish(total),
    byCategory: group(
      groups,
      (g) => g.category,
      (k) => k,
    ).sort(byCount),
    byGrid: group(groups, (g) => g.grid_id, gridName).sort(byCount),
    byAssignee: group(
      assigned,
      (g) => g.assignee_id,
      (k) => assignees.get(k) ?? k,
    ).sort(byCount),
    byMonth: group(
      groups,
      (g) => g.month,
      (k) => k,
    ).sort((a, b) => a.key.localeCompare(b.key)),
  };
}

export interface WindowSplit {
  /** Whole local days [from, to) read from the rollups, or null when the window holds none. */
  days: { from: string; to: string } | null;
  /** The instants [from, to) before the first and after the last whole day, read order by order. */
  edges: Array<[string, string]>;
}

const YEAR_MS = 365 * DAY_MS;

/**
 * The dashboard's window [from, to) in milliseconds: RFC 3339 instants of the years 0000–9999 in
 * UTC, as the order lists read them (a leap second is the instant after it); `to` defaults to
 * now, `from` to 365 days before `to`. An empty window is refused naming `from`.
 */
export function dashboardWindow(
  query: { from?: string | undefined; to?: string | undefined },
  nowMs: number,
): { fromMs: number; toMs: number } {
  const range = parseTimeRange(query);
  const toMs = range.to !== undefined ? Date.parse(range.to) : nowMs;
  const fromMs = range.from !== undefined ? Date.parse(range.from) : toMs - YEAR_MS;
  if (fromMs >= toMs) throw invalidInput('from', '`from` must be before `to`');
  return { fromMs, toMs };
}

/**
 * The first and last local days whose `YYYY-MM-DD` names sort as the days do (the years
 * 0000–9999): a window reaching past them reads its last hours order by order. A window to the
 * last day of 9999 in Beijing ended its whole days at `+010000-01-01`, which sorts before every
 * day, and counted nothing.
 */
const FIRST_DAY = Date.parse('0000-01-01T00:00:00Z') / DAY_MS;
const LAST_DAY = Date.parse('9999-12-31T00:00:00Z') / DAY_MS;

/** Splits [from, to) into the community's whole local days and the partial days at either end. */
export function splitWindow(fromMs: number, toMs: number, timeZone: string): WindowSplit {
  const zone = zoneFor(timeZone);
  const firstDay = Math.max(
    FIRST_DAY,
    zone.midnight(zone.dayOf(fromMs)) === fromMs ? zone.dayOf(fromMs) : zone.dayOf(fromMs) + 1,
  );
  // The day containing `to`: whole days end at its midnight.
  const endDay = Math.min(LAST_DAY, zone.dayOf(toMs));
  const iso = (ms: number) => new Date(ms).toISOString();
  if (firstDay >= endDay) return { days: null, edges: [[iso(fromMs), iso(toMs)]] };
  const edges: Array<[string, string]> = [];
  const start = zone.midnight(firstDay);
  const end = zone.midnight(endDay);
  if (fromMs < start) edges.push([iso(fromMs), iso(start)]);
  if (end < toMs) edges.push([iso(end), iso(toMs)]);
  return { days: { from: dayToIsoDate(firstDay), to: dayToIsoDate(endDay) }, edges };
}

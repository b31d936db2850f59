/**
 * Dashboard KPIs as a pure fold over order facts: volume, first-response and resolution times,
 * satisfaction and reopen rate, by category, grid, assignee and month.
 */
import type { OrderFact } from './analytics.repository.ts';
import { monthOf } from '../sla/sla.metrics.ts';

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

interface Acc {
  orders: number;
  open: number;
  resolved: number;
  responseSum: number;
  responseN: number;
  resolutionSum: number;
  rated: number;
  ratingSum: number;
  everResolved: number;
  reopened: number;
}

const empty = (): Acc => ({
  orders: 0,
  open: 0,
  resolved: 0,
  responseSum: 0,
  responseN: 0,
  resolutionSum: 0,
  rated: 0,
  ratingSum: 0,
  everResolved: 0,
  reopened: 0,
});

function add(a: Acc, o: OrderFact): void {
  const created = Date.parse(o.created_at);
  a.orders++;
  if (OPEN.has(o.status)) a.open++;
  if (o.accepted_at) {
    a.responseSum += Date.parse(o.accepted_at) - created;
    a.responseN++;
  }
  if (o.resolved_at) {
    a.resolved++;
    a.resolutionSum += Date.parse(o.resolved_at) - created;
  }
  // Only a resolved order can be reopened, and reopening clears `resolved_at`.
  if (o.resolved_at || o.reopen_count > 0) {
    a.everResolved++;
    if (o.reopen_count > 0) a.reopened++;
  }
  if (o.rating !== null) {
    a.rated++;
    a.ratingSum += o.rating;
  }
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

function finish(a: Acc): Kpis {
  return {
    orders: a.orders,
    open: a.open,
    resolved: a.resolved,
    firstResponseMinutes: a.responseN ? round(a.responseSum / a.responseN / 60_000, 1) : null,
    resolutionHours: a.resolved ? round(a.resolutionSum / a.resolved / 3_600_000, 1) : null,
    satisfaction: a.rated ? round(a.ratingSum / a.rated, 2) : null,
    rated: a.rated,
    reopenRate: a.everResolved ? round(a.reopened / a.everResolved, 4) : null,
  };
}

function group(
  facts: OrderFact[],
  keyOf: (o: OrderFact) => string | null,
  nameOf: (key: string) => string,
): Bucket[] {
  const accs = new Map<string, Acc>();
  for (const o of facts) {
    const k = keyOf(o);
    if (k === null) continue;
    let a = accs.get(k);
    if (!a) accs.set(k, (a = empty()));
    add(a, o);
  }
  return [...accs.entries()].map(([key, a]) => ({ key, name: nameOf(key), ...finish(a) }));
}

/**
 * Folds the facts into the dashboard; `gridName` and the facts' assignee names label the buckets.
 * Months are the community's local months (`timeZone`): an order of 1 March 06:00 in Beijing is
 * March's, though it is still February in UTC.
 */
export function summarize(facts: OrderFact[], gridName: (id: string) => string, timeZone: string): Dashboard {
  const total = empty();
  for (const o of facts) add(total, o);
  const assignees = new Map(facts.map((o) => [o.assignee_id, o.assignee_name]));
  const byCount = (a: Bucket, b: Bucket) => b.orders - a.orders || a.key.localeCompare(b.key);
  return {
    totals: finish(total),
    byCategory: group(
      facts,
      (o) => o.category,
      (k) => k,
    ).sort(byCount),
    byGrid: group(facts, (o) => o.grid_id, gridName).sort(byCount),
    byAssignee: group(
      facts,
      (o) => o.assignee_id,
      (k) => assignees.get(k) ?? k,
    ).sort(byCount),
    byMonth: group(
      facts,
      (o) => monthOf(timeZone, o.created_at),
      (k) => k,
    ).sort((a, b) => a.key.localeCompare(b.key)),
  };
}

/**
 * One timer row per order for its SLA clocks. The warnings and breaches an SLA state asks for
 * (first response, resolution, update) travel together in one row, due at the earliest of them:
 * a new order writes one timer row instead of four, and a transition updates that row in place
 * instead of cancelling some rows and inserting others. When the row fires, every entry that is
 * due is handled in order, and the entries not yet due stay armed in the same row. Each entry
 * keeps the key it would have had as a row of its own, so notifications stay idempotent.
 */
import type { SlaClockName, SlaState } from './sla.state.ts';
import type { NewTimer, TimerRow } from './sla.repository.ts';

/** The timer kind of an order's SLA clocks. */
export const CLOCK_TIMER_KIND = 'sla_clocks';

export interface ClockTimerEntry {
  clock: SlaClockName;
  kind: 'warn' | 'breach';
  /** ISO instant. */
  at: string;
  key: string;
}

/** The key of an order's clock timer: one per order. */
export const clockTimerKey = (orderId: string): string => `sla:${orderId}`;

/** The key an entry has: what it would be called as a timer row of its own. */
export const entryKey = (orderId: string, clock: string, kind: string, at: string): string =>
  `sla:${orderId}:${clock}:${kind}:${at}`;

/** The entries a state asks for, earliest first. */
export function entriesOf(orderId: string, state: SlaState): ClockTimerEntry[] {
  // A state timer's key is `clock:kind:instant`: the instant is read back from it rather than
  // formatted a second time.
  return state.nextTimers.map((t) => {
    const at = t.key.slice(t.clock.length + t.kind.length + 2);
    return { clock: t.clock, kind: t.kind, at, key: entryKey(orderId, t.clock, t.kind, at) };
  });
}

/** The order's clock timer for these entries, or null when there is nothing to wait for. */
export function clockTimer(
  orderId: string,
  communityId: string,
  entries: ClockTimerEntry[],
): NewTimer | null {
  const first = entries[0];
  if (!first) return null;
  let dueAt = first.at;
  for (const e of entries) if (e.at < dueAt) dueAt = e.at;
  return {
    key: clockTimerKey(orderId),
    kind: CLOCK_TIMER_KIND,
    workOrderId: orderId,
    communityId,
    dueAt,
    // Stored without the entries' keys, which follow from the order, clock, kind and instant.
    payload: { timers: entries.map((e) => ({ clock: e.clock, kind: e.kind, at: e.at })) },
  };
}

/** The entries a clock-timer row carries. */
export function entriesOfRow(row: Pick<TimerRow, 'payload_json' | 'work_order_id'>): ClockTimerEntry[] {
  const payload = JSON.parse(row.payload_json) as { timers?: Omit<ClockTimerEntry, 'key'>[] };
  if (!Array.isArray(payload.timers)) return [];
  const orderId = row.work_order_id ?? '';
  return payload.timers.map((e) => ({ ...e, key: entryKey(orderId, e.clock, e.kind, e.at) }));
}

/** Entries due at `now` (in time order) and those still to come. */
export function splitDue(
  entries: ClockTimerEntry[],
  now: string,
): { due: ClockTimerEntry[]; later: ClockTimerEntry[] } {
  const due = entries.filter((e) => e.at <= now).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { due, later: entries.filter((e) => e.at > now) };
}

/**
 * Timer rows as people read them: an order's clock timer shown as the warnings and breaches it
 * holds, each with its own kind and due time; other timers as they are.
 */
export function expandClockTimers(rows: TimerRow[]): TimerRow[] {
  const out: TimerRow[] = [];
  for (const r of rows) {
    if (r.kind !== CLOCK_TIMER_KIND) {
      out.push(r);
      continue;
    }
    for (const e of entriesOfRow(r))
      out.push({
        ...r,
        kind: e.kind,
        key: e.key,
        due_at: e.at,
        payload_json: JSON.stringify({ clock: e.clock }),
      });
  }
  return out.sort((a, b) => (a.due_at < b.due_at ? -1 : a.due_at > b.due_at ? 1 : 0));
}

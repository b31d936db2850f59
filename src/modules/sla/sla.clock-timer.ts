/**
 * One timer row per order for its SLA clocks. The warnings and breaches an SLA state asks for
 * (first response, resolution, update) travel together in one row, due at the earliest of them:
 * a new order writes one timer row instead of four, and a transition updates that row in place
 * instead of cancelling some rows and inserting others. When the row fires, every entry that is
 * due is handled in order, and the entries not yet due stay armed in the same row. Each entry
 * keeps the key it would have had as a row of its own, so notifications stay idempotent.
 */
import type { ClockState } from './sla.clock.ts';
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

/**
 * The entries an order's timer must hold after a change at `now`: those the state asks for, plus
 * the breaches still owed an announcement. A state computed after a deadline schedules only the
 * future, so without these a change a second after the deadline (before the worker ran), or a
 * change of policy into one by which the order is already late, recorded the breach in the
 * figures and told nobody: no timeline entry, no alert, no escalation. Owed are the entries of
 * the order's timer that fell due and have not fired yet (`current`), and a breach the change
 * reveals on a clock still running or paused that the stored metrics (`recorded`) did not have,
 * due at once. Their handlers decide again when they fire (an order that left alerts nobody).
 */
export function owedEntries(
  orderId: string,
  state: SlaState,
  current: readonly ClockTimerEntry[],
  recorded: { first_response_breached_at: string | null; resolution_breached_at: string | null } | null,
  now: string,
): ClockTimerEntry[] {
  const out = entriesOf(orderId, state);
  if (state.status !== 'open' && state.status !== 'paused') return out;
  const keys = new Set(out.map((e) => e.key));
  for (const e of current)
    if (e.at <= now && !keys.has(e.key)) {
      out.push(e);
      keys.add(e.key);
    }
  const revealed = (clock: SlaClockName, s: ClockState, before: string | null | undefined) => {
    if (!recorded || before || !s.breached || (s.status !== 'running' && s.status !== 'paused')) return;
    if (out.some((e) => e.clock === clock && e.kind === 'breach' && e.at <= now)) return;
    out.push({ clock, kind: 'breach', at: now, key: entryKey(orderId, clock, 'breach', now) });
  };
  revealed('first_response', state.firstResponse, recorded?.first_response_breached_at);
  revealed('resolution', state.resolution, recorded?.resolution_breached_at);
  return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
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

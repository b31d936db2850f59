/**
 * The SLA state of one order, computed from its status history: deadlines (shifted by pauses),
 * elapsed and paused business minutes, met / breached, and the timer instants still to schedule.
 *
 * Clocks: first response runs from `submitted` to `accepted` (or to resolution when an order is
 * resolved without being accepted); resolution runs from `submitted` to `resolved`/`closed`,
 * stops while resolved and continues from its elapsed time on `reopened`; the update clock (when
 * the policy has an interval) runs from `accepted` and restarts at every `updated` or reopen.
 * `paused` … `resumed` (waiting on the resident) stops every running clock.
 *
 * An order can also leave without being resolved. `cancelled` (cancelled, merged into another
 * order) withdraws every running clock; `closed_unresolved` (referred elsewhere, not actionable)
 * stops the first-response clock (the order was answered) and withdraws the others. A withdrawn
 * clock that had already breached stays breached; one still within its target counts neither as
 * met nor as breached: that deadline was never owed. A duplicate that returns to the queue (the
 * order it was merged into was cancelled) is `reopened` from `cancelled`: its resolution and
 * update clocks run on from their elapsed time.
 */
import { toEpochMs } from './business-time.ts';
import type { Instant } from './business-time.ts';
import type { BusinessCalendar } from './calendar.ts';
import { BusinessClock } from './sla.clock.ts';
import type { ClockState } from './sla.clock.ts';
import { issue } from './sla.errors.ts';
import type { SlaResult } from './sla.errors.ts';
import { DEFAULT_WARN_AT_RATIO } from './sla.policy.ts';
import type { SlaPolicy } from './sla.policy.ts';

export const SLA_EVENT_TYPES = [
  'submitted',
  'accepted',
  'updated',
  'paused',
  'resumed',
  'resolved',
  'reopened',
  'closed',
  'closed_unresolved',
  'cancelled',
] as const;
export type SlaEventType = (typeof SLA_EVENT_TYPES)[number];

/** One status event of an order, as the SLA sees it (the work-order timeline maps onto these). */
export interface SlaEvent {
  type: SlaEventType;
  at: Instant;
  /** Why the clock paused, e.g. `waiting_on_resident`; informational. */
  reason?: string;
}

export type SlaClockName = 'first_response' | 'resolution' | 'update';

/** A future instant at which the timer worker must act on the order. */
export interface SlaTimer {
  clock: SlaClockName;
  kind: 'warn' | 'breach';
  at: number;
  /** Stable for the same clock, kind and instant: an idempotency key for the timer row. */
  key: string;
}

export type SlaOrderStatus = 'open' | 'paused' | 'resolved' | 'closed' | 'closed_unresolved' | 'cancelled';

export interface SlaState {
  policyId: string;
  calendarId: string;
  asOf: number;
  submittedAt: number;
  status: SlaOrderStatus;
  firstResponse: ClockState;
  resolution: ClockState;
  /** Null when the policy has no update interval. */
  update: ClockState | null;
  /** Business minutes the order spent paused while open. */
  pausedMinutes: number;
  /** Wall-clock minutes the order spent paused while open. */
  pausedWallMinutes: number;
  reopenCount: number;
  /** Timers after `asOf`, earliest first; empty while paused or closed. */
  nextTimers: SlaTimer[];
}

/**
 * Replays an order's history under a policy and calendar as of `asOf` (default: the last event).
 * Events are ordered by time (input order breaks ties); events after `asOf` are ignored, and so
 * are events that make no sense in the current state (a resume without a pause, a second accept).
 * Refused: a history without `submitted`, an event before it, an invalid time, a policy whose
 * calendar is not the one given.
 */
export function computeSlaState(
  policy: SlaPolicy,
  calendar: BusinessCalendar,
  history: readonly SlaEvent[],
  asOf?: Instant,
): SlaResult<SlaState> {
  if (policy.calendarId !== calendar.id)
    return invalid(
      'policy_unknown_calendar',
      'calendarId',
      `policy uses ${policy.calendarId}, got ${calendar.id}`,
    );
  const events: Array<{ type: SlaEventType; t: number; i: number }> = [];
  for (const [i, e] of history.entries()) {
    const t = typeof e.at === 'number' ? e.at : e.at instanceof Date ? e.at.getTime() : NaN;
    if (!Number.isFinite(t)) return invalid('history_invalid', `history[${i}].at`, 'not a valid time');
    if (!SLA_EVENT_TYPES.includes(e.type))
      return invalid('history_invalid', `history[${i}].type`, 'unknown event');
    events.push({ type: e.type, t, i });
  }
  events.sort((a, b) => a.t - b.t || a.i - b.i);
  const first = events[0];
  if (first === undefined || first.type !== 'submitted')
    return invalid('history_invalid', 'history', 'the history must begin with a submitted event');
  const submittedAt = first.t;
  const until = asOf === undefined ? (events[events.length - 1]?.t ?? submittedAt) : toEpochMs(asOf);
  const ratio = policy.warnAtRatio ?? DEFAULT_WARN_AT_RATIO;

  const fr = new BusinessClock(calendar, policy.firstResponseMinutes, policy.firstResponseMinutes * ratio);
  const res = new BusinessClock(calendar, policy.resolutionMinutes, policy.resolutionMinutes * ratio);
  const upd =
    policy.updateIntervalMinutes === undefined
      ? null
      : new BusinessClock(calendar, policy.updateIntervalMinutes);
  const clocks: BusinessClock[] = upd ? [fr, res, upd] : [fr, res];
  let status: SlaOrderStatus = 'open';
  let pauseStart = 0;
  let pausedWall = 0;
  let reopenCount = 0;
  const isOpen = () => status === 'open' || status === 'paused';

  for (const { type, t } of events) {
    if (t > until) break;
    switch (type) {
      case 'submitted':
        fr.start(t);
        res.start(t);
        break;
      case 'accepted':
        if (!isOpen()) break;
        fr.stop(t);
        upd?.start(t);
        if (status === 'paused') upd?.pause(t);
        break;
      case 'updated':
        if (isOpen()) upd?.reset(t);
        break;
      case 'paused':
        if (status !== 'open') break;
        for (const c of clocks) c.pause(t);
        status = 'paused';
        pauseStart = t;
        break;
      case 'resumed':
        if (status !== 'paused') break;
        for (const c of clocks) c.resume(t);
        status = 'open';
        pausedWall += t - pauseStart;
        break;
      case 'resolved':
      case 'closed':
      case 'closed_unresolved':
      case 'cancelled':
        if (!isOpen()) {
          if (type !== 'resolved' && status === 'resolved') status = type;
          break;
        }
        if (status === 'paused') pausedWall += t - pauseStart;
        if (type === 'resolved' || type === 'closed') for (const c of clocks) c.stop(t);
        else {
          if (type === 'closed_unresolved') fr.stop(t);
          for (const c of clocks) c.withdraw(t);
        }
        status = type;
        break;
      case 'reopened': {
        if (isOpen() || status === 'closed_unresolved') break;
        // Only a duplicate comes back from `cancelled` (the order it was merged into was
        // cancelled): its withdrawn clocks run on, and that is no "not fixed".
        const unmerged = status === 'cancelled';
        res.restart(t);
        upd?.restart(t);
        upd?.reset(t);
        status = 'open';
        if (!unmerged) reopenCount++;
        break;
      }
    }
  }
  if (status === 'paused') pausedWall += Math.max(0, until - pauseStart);

  const firstResponse = fr.snapshot(until);
  const resolution = res.snapshot(until);
  const update = upd ? upd.snapshot(until) : null;
  const nextTimers: SlaTimer[] = [];
  const schedule = (clock: SlaClockName, s: ClockState | null) => {
    if (!s || s.status !== 'running') return;
    if (!s.warned && s.warnAt !== null && s.warnAt > until) nextTimers.push(timer(clock, 'warn', s.warnAt));
    if (!s.breached && s.dueAt !== null) nextTimers.push(timer(clock, 'breach', s.dueAt));
  };
  schedule('first_response', firstResponse);
  schedule('resolution', resolution);
  schedule('update', update);
  nextTimers.sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));

  return {
    ok: true,
    value: {
      policyId: policy.id,
      calendarId: calendar.id,
      asOf: until,
      submittedAt,
      status,
      firstResponse,
      resolution,
      update,
      pausedMinutes: resolution.pausedMinutes,
      pausedWallMinutes: pausedWall / 60_000,
      reopenCount,
      nextTimers,
    },
  };
}

const timer = (clock: SlaClockName, kind: 'warn' | 'breach', at: number): SlaTimer => ({
  clock,
  kind,
  at,
  key: `${clock}:${kind}:${new Date(at).toISOString()}`,
});

function invalid(code: 'history_invalid' | 'policy_unknown_calendar', field: string, message: string) {
  return { ok: false as const, errors: [issue(code, field, message)] };
}

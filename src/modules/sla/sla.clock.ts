/**
 * A stopwatch over business time with a target and an optional warning threshold. It runs,
 * pauses (time stops and is counted as paused), stops, restarts (a reopen continues from the
 * elapsed time) and resets (an update interval starts over).
 *
 * Instants follow one rule: a threshold is crossed when the clock is still running at that
 * instant. A stop recorded exactly at the due instant is on time; an open clock observed at its
 * due instant has breached (that is when the breach timer fires).
 */
import { addBusinessMs, businessMsBetween } from './business-time.ts';
import type { BusinessCalendar } from './calendar.ts';
import { MINUTE_MS } from './zone.ts';

export type ClockStatus = 'not_started' | 'running' | 'paused' | 'stopped';

export interface ClockState {
  status: ClockStatus;
  targetMinutes: number;
  /** Business minutes the clock has run (pauses excluded). */
  elapsedMinutes: number;
  /** Business minutes spent paused while this clock was running. */
  pausedMinutes: number;
  remainingMinutes: number;
  startedAt: number | null;
  stoppedAt: number | null;
  /** The deadline; shifted by pauses. Null while paused (it moves) or before the start. */
  dueAt: number | null;
  /** The due-soon instant; null when there is no warning threshold or while paused. */
  warnAt: number | null;
  warned: boolean;
  breached: boolean;
  breachedAt: number | null;
  /** True once stopped on time, false once breached, null while still undecided. */
  met: boolean | null;
}

export interface BusinessClock {
  start(t: number): void;
  pause(t: number): void;
  resume(t: number): void;
  stop(t: number): void;
  restart(t: number): void;
  reset(t: number): void;
  readonly status: ClockStatus;
  snapshot(asOf: number): ClockState;
}

/** A business-time stopwatch for `targetMinutes`, warning at `warnMinutes` (omit for none). */
export function createBusinessClock(
  calendar: BusinessCalendar,
  targetMinutes: number,
  warnMinutes?: number,
): BusinessClock {
  const targetMs = Math.round(targetMinutes * MINUTE_MS);
  const warnMs = warnMinutes === undefined ? undefined : Math.round(warnMinutes * MINUTE_MS);
  let status: ClockStatus = 'not_started';
  let segStart = 0;
  let pauseStart = 0;
  let elapsed = 0;
  let paused = 0;
  let startedAt: number | null = null;
  let stoppedAt: number | null = null;
  let lastDue: number | null = null;
  let lastWarn: number | null = null;
  let breachedAt: number | null = null;
  let warnedAt: number | null = null;

  const between = (a: number, b: number) => businessMsBetween(calendar, a, b);
  const projected = (limit: number, from: number, done: number) =>
    addBusinessMs(calendar, from, limit - done);

  /** Runs [segStart, end): records crossings and returns the segment's business ms. */
  const run = (end: number, inclusive: boolean) => {
    const seg = between(segStart, end);
    const crosses = (limit: number): number | null => {
      if (elapsed + seg < limit) return null;
      const at = projected(limit, segStart, elapsed);
      return at < end || (inclusive && at === end) ? at : null;
    };
    const due = breachedAt ?? projected(Math.max(targetMs, elapsed), segStart, elapsed);
    const warn =
      warnMs === undefined ? null : (warnedAt ?? projected(Math.max(warnMs, elapsed), segStart, elapsed));
    if (breachedAt === null) breachedAt = crosses(targetMs);
    if (warnMs !== undefined && warnedAt === null) warnedAt = crosses(warnMs);
    return { seg, due: breachedAt ?? due, warn: warnedAt ?? warn };
  };

  const close = (t: number) => {
    const r = run(t, false);
    elapsed += r.seg;
    lastDue = r.due;
    lastWarn = r.warn;
  };

  return {
    get status() {
      return status;
    },
    start(t) {
      if (status !== 'not_started') return;
      status = 'running';
      segStart = t;
      startedAt = t;
    },
    pause(t) {
      if (status !== 'running') return;
      close(t);
      status = 'paused';
      pauseStart = t;
    },
    resume(t) {
      if (status !== 'paused') return;
      paused += between(pauseStart, t);
      status = 'running';
      segStart = t;
    },
    stop(t) {
      if (status === 'running') close(t);
      else if (status === 'paused') paused += between(pauseStart, t);
      else return;
      status = 'stopped';
      stoppedAt = t;
    },
    restart(t) {
      if (status !== 'stopped') return;
      status = 'running';
      segStart = t;
      stoppedAt = null;
    },
    reset(t) {
      if (status === 'not_started') return;
      elapsed = 0;
      breachedAt = null;
      warnedAt = null;
      lastDue = null;
      lastWarn = null;
      if (status === 'running') segStart = t;
    },
    snapshot(asOf) {
      let total = elapsed;
      let due: number | null = status === 'stopped' ? lastDue : null;
      let warn: number | null = status === 'stopped' ? lastWarn : null;
      let breach = breachedAt;
      let warned = warnedAt;
      let pausedNow = paused;
      if (status === 'running') {
        const saved = { breachedAt, warnedAt };
        const r = run(Math.max(asOf, segStart), true);
        total += r.seg;
        due = r.due;
        warn = r.warn;
        breach = breachedAt;
        warned = warnedAt;
        ({ breachedAt, warnedAt } = saved);
      } else if (status === 'paused') {
        pausedNow += between(pauseStart, Math.max(asOf, pauseStart));
        due = breach;
        warn = warned;
      }
      const breached = breach !== null;
      return {
        status,
        targetMinutes: targetMs / MINUTE_MS,
        elapsedMinutes: total / MINUTE_MS,
        pausedMinutes: pausedNow / MINUTE_MS,
        remainingMinutes: Math.max(0, targetMs - total) / MINUTE_MS,
        startedAt,
        stoppedAt,
        dueAt: due,
        warnAt: warnMs === undefined ? null : warn,
        warned: warned !== null,
        breached,
        breachedAt: breach,
        met: breached ? false : status === 'stopped' ? true : null,
      };
    },
  };
}

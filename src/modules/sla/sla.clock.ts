/**
 * A stopwatch over business time with a target and an optional warning threshold. It runs,
 * pauses (time stops and is counted as paused), stops, restarts (a reopen continues from the
 * elapsed time), resets (an update interval starts over) and is withdrawn (the order left before
 * the target was owed: a breach already recorded stands, otherwise the target is neither met nor
 * breached).
 *
 * Instants follow one rule: a threshold is crossed when the clock is still running at that
 * instant. A stop recorded exactly at the due instant is on time; an open clock observed at its
 * due instant has breached (that is when the breach timer fires).
 */
import { addBusinessMs, businessMsBetween } from './business-time.ts';
import type { BusinessCalendar } from './calendar.ts';
import { MINUTE_MS } from './zone.ts';

export type ClockStatus = 'not_started' | 'running' | 'paused' | 'stopped' | 'withdrawn';

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
  /**
   * The deadline, shifted by pauses: the instant the elapsed time reaches the target. Null before
   * the start and while paused (it moves with the pause), unless the target was already reached.
   */
  dueAt: number | null;
  /** The due-soon instant, like `dueAt` for the warning threshold; null when there is none. */
  warnAt: number | null;
  warned: boolean;
  breached: boolean;
  breachedAt: number | null;
  /** True once stopped on time, false once breached, null while still undecided or withdrawn in time. */
  met: boolean | null;
}

/** Thresholds reached and crossed, kept apart so a snapshot can look ahead without committing. */
interface Marks {
  /** Instants at which the elapsed time reached the target / the warning threshold. */
  dueReached: number | null;
  warnReached: number | null;
  breachedAt: number | null;
  warnedAt: number | null;
}

/** A business-time stopwatch for `targetMinutes`, warning at `warnMinutes` (omit for none). */
export class BusinessClock {
  private readonly calendar: BusinessCalendar;
  private readonly targetMs: number;
  private readonly warnMs: number | undefined;
  private state: ClockStatus = 'not_started';
  private segStart = 0;
  private pauseStart = 0;
  private elapsed = 0;
  private paused = 0;
  private startedAt: number | null = null;
  private stoppedAt: number | null = null;
  private lastDue: number | null = null;
  private lastWarn: number | null = null;
  private marks: Marks = { dueReached: null, warnReached: null, breachedAt: null, warnedAt: null };

  constructor(calendar: BusinessCalendar, targetMinutes: number, warnMinutes?: number) {
    this.calendar = calendar;
    this.targetMs = Math.round(targetMinutes * MINUTE_MS);
    this.warnMs = warnMinutes === undefined ? undefined : Math.round(warnMinutes * MINUTE_MS);
  }

  get status(): ClockStatus {
    return this.state;
  }

  start(t: number): void {
    if (this.state !== 'not_started') return;
    this.state = 'running';
    this.segStart = t;
    this.startedAt = t;
  }

  pause(t: number): void {
    if (this.state !== 'running') return;
    this.close(t);
    this.state = 'paused';
    this.pauseStart = t;
  }

  resume(t: number): void {
    if (this.state !== 'paused') return;
    this.paused += businessMsBetween(this.calendar, this.pauseStart, t);
    this.state = 'running';
    this.segStart = t;
  }

  stop(t: number): void {
    if (this.state === 'running') this.close(t);
    else if (this.state === 'paused') {
      this.paused += businessMsBetween(this.calendar, this.pauseStart, t);
      // Stopped while paused: the deadline as it would have stood had the clock resumed now.
      this.lastDue = this.marks.dueReached ?? this.projected(this.targetMs, t);
      this.lastWarn =
        this.warnMs === undefined ? null : (this.marks.warnReached ?? this.projected(this.warnMs, t));
    } else return;
    this.state = 'stopped';
    this.stoppedAt = t;
  }

  /**
   * Stops a running or paused clock without the target being reached: the order left (cancelled,
   * merged, referred elsewhere) and the target is no longer owed. A breach already recorded
   * stands; a clock already stopped keeps its outcome.
   */
  withdraw(t: number): void {
    if (this.state !== 'running' && this.state !== 'paused') return;
    this.stop(t);
    this.state = 'withdrawn';
  }

  /**
   * Continues a stopped clock from its elapsed time (a reopen), or a withdrawn one (a duplicate
   * back in the queue because the order it was merged into was cancelled: its deadline is owed
   * again, less the time it spent merged).
   */
  restart(t: number): void {
    if (this.state !== 'stopped' && this.state !== 'withdrawn') return;
    this.state = 'running';
    this.segStart = t;
    this.stoppedAt = null;
  }

  /** Starts the count over from zero, keeping the clock's running or paused state. */
  reset(t: number): void {
    if (this.state === 'not_started') return;
    this.elapsed = 0;
    this.marks = { dueReached: null, warnReached: null, breachedAt: null, warnedAt: null };
    this.lastDue = null;
    this.lastWarn = null;
    if (this.state === 'running') this.segStart = t;
  }

  /** The clock as seen at `asOf` (not before the last event applied). */
  snapshot(asOf: number): ClockState {
    let total = this.elapsed;
    let pausedNow = this.paused;
    const ended = this.state === 'stopped' || this.state === 'withdrawn';
    let due: number | null = ended ? this.lastDue : null;
    let warn: number | null = ended ? this.lastWarn : null;
    let marks = this.marks;
    if (this.state === 'running') {
      marks = { ...this.marks };
      const r = this.run(Math.max(asOf, this.segStart), true, marks);
      total += r.seg;
      due = r.due;
      warn = r.warn;
    } else if (this.state === 'paused') {
      pausedNow += businessMsBetween(this.calendar, this.pauseStart, Math.max(asOf, this.pauseStart));
      due = marks.dueReached;
      warn = marks.warnReached;
    }
    const breached = marks.breachedAt !== null;
    return {
      status: this.state,
      targetMinutes: this.targetMs / MINUTE_MS,
      elapsedMinutes: total / MINUTE_MS,
      pausedMinutes: pausedNow / MINUTE_MS,
      remainingMinutes: Math.max(0, this.targetMs - total) / MINUTE_MS,
      startedAt: this.startedAt,
      stoppedAt: this.stoppedAt,
      dueAt: due,
      warnAt: this.warnMs === undefined ? null : warn,
      warned: marks.warnedAt !== null,
      breached,
      breachedAt: marks.breachedAt,
      met: breached ? false : this.state === 'stopped' ? true : null,
    };
  }

  private projected(limit: number, from: number): number {
    return addBusinessMs(this.calendar, from, Math.max(0, limit - this.elapsed));
  }

  private close(t: number): void {
    const r = this.run(t, false, this.marks);
    this.elapsed += r.seg;
    this.lastDue = r.due;
    this.lastWarn = r.warn;
  }

  /** Runs [segStart, end): records thresholds reached and crossed in `marks`; returns the segment's business ms. */
  private run(
    end: number,
    inclusive: boolean,
    marks: Marks,
  ): { seg: number; due: number; warn: number | null } {
    const from = this.segStart;
    const seg = businessMsBetween(this.calendar, from, end);
    const reachedBy = this.elapsed + seg;
    if (marks.dueReached === null && reachedBy >= this.targetMs)
      marks.dueReached = this.projected(this.targetMs, from);
    if (marks.breachedAt === null && marks.dueReached !== null)
      marks.breachedAt = crossedAt(marks.dueReached, from, end, inclusive);
    let warn: number | null = null;
    if (this.warnMs !== undefined) {
      if (marks.warnReached === null && reachedBy >= this.warnMs)
        marks.warnReached = this.projected(this.warnMs, from);
      if (marks.warnedAt === null && marks.warnReached !== null)
        marks.warnedAt = crossedAt(marks.warnReached, from, end, inclusive);
      warn = marks.warnReached ?? this.projected(this.warnMs, from);
    }
    return { seg, due: marks.dueReached ?? this.projected(this.targetMs, from), warn };
  }
}

/** The instant a threshold reached at `reached` takes effect in a segment [from, end), or null. */
function crossedAt(reached: number, from: number, end: number, inclusive: boolean): number | null {
  const at = Math.max(reached, from);
  return at < end || (inclusive && at === end) ? at : null;
}

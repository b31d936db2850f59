/**
 * Deadline arithmetic in business time. Business time is real elapsed time that falls inside a
 * calendar's working intervals; outside them the clock does not move.
 *
 * Each local day becomes a small sorted list of UTC working intervals, computed once per
 * calendar and day (FIFO-capped cache), so adding an 8-hour target is a walk over a handful of
 * numbers. 24x7 calendars are plain wall-clock arithmetic.
 */
import { parseClockTime, WEEKDAYS } from './calendar.ts';
import type { BusinessCalendar } from './calendar.ts';
import { DAY_MS, isoDateToDay, MINUTE_MS, weekdayOfDay, zoneFor } from './zone.ts';
import type { Zone } from './zone.ts';

/** An instant: a `Date` or epoch milliseconds. */
export type Instant = Date | number;

/** Working intervals of one local day as UTC epoch ms, `[start0, end0, start1, end1, …]`. */
interface DayPlan {
  iv: number[];
  total: number;
}

interface CompiledCalendar {
  allDay: boolean;
  zone: Zone;
  weekly: number[][];
  makeUp: number[];
  holidays: Set<number>;
  workdays: Set<number>;
  plans: Map<number, DayPlan>;
}

const PLAN_CACHE_LIMIT = 2048;
/** A search that finds no working time in ten years means the calendar has none. */
const MAX_DAYS = 3660;

const compiled = new WeakMap<BusinessCalendar, CompiledCalendar>();

/** Epoch ms of an instant; throws RangeError for an invalid date. */
export function toEpochMs(at: Instant): number {
  const t = typeof at === 'number' ? at : at.getTime();
  if (!Number.isFinite(t)) throw new RangeError('instant is not a valid time');
  return t;
}

function compile(calendar: BusinessCalendar): CompiledCalendar {
  const hit = compiled.get(calendar);
  if (hit) return hit;
  const minutesOf = (weekday: number): number[] => {
    const periods = calendar.weekly[WEEKDAYS[weekday] ?? 0] ?? [];
    const flat: number[] = [];
    for (const p of [...periods].sort((a, b) => (a.start < b.start ? -1 : 1))) {
      const s = parseClockTime(p.start, false);
      const e = parseClockTime(p.end, true);
      if (s === undefined || e === undefined || e <= s)
        throw new RangeError(`bad period ${p.start}-${p.end}`);
      flat.push(s, e);
    }
    return flat;
  };
  const days = (dates: readonly string[]): Set<number> =>
    new Set(dates.map((d) => isoDateToDay(d)).filter((d): d is number => d !== undefined));
  const weekly = WEEKDAYS.map((w) => minutesOf(w));
  const result: CompiledCalendar = {
    allDay: calendar.mode === '24x7',
    zone: zoneFor(calendar.timeZone),
    weekly,
    makeUp: weekly[calendar.workdayHoursFrom] ?? [],
    holidays: days(calendar.holidays),
    workdays: days(calendar.workdays),
    plans: new Map(),
  };
  compiled.set(calendar, result);
  return result;
}

/** UTC instant of local minute `m` of `day` (1440 = the next midnight). */
function minuteToUtc(zone: Zone, day: number, start: number, end: number, plain: boolean, m: number): number {
  if (m >= 1440) return end;
  return plain ? start + m * MINUTE_MS : zone.localToUtc(day * DAY_MS + m * MINUTE_MS);
}

function planOf(c: CompiledCalendar, day: number): DayPlan {
  const hit = c.plans.get(day);
  if (hit) return hit;
  const minutes = c.holidays.has(day)
    ? []
    : c.workdays.has(day)
      ? c.makeUp
      : (c.weekly[weekdayOfDay(day)] ?? []);
  const start = c.zone.midnight(day);
  const end = c.zone.midnight(day + 1);
  // A day of exactly 24 h has no DST change: local minutes map straight onto UTC.
  const plain = end - start === DAY_MS;
  const iv: number[] = [];
  let total = 0;
  for (let i = 0; i + 1 < minutes.length; i += 2) {
    const s = minuteToUtc(c.zone, day, start, end, plain, minutes[i] ?? 0);
    const e = minuteToUtc(c.zone, day, start, end, plain, minutes[i + 1] ?? 0);
    if (e <= s) continue;
    const lastEnd = iv[iv.length - 1];
    // Adjacent periods (and periods squeezed together by a DST change) merge into one interval.
    if (lastEnd !== undefined && s <= lastEnd) {
      if (e > lastEnd) {
        total += e - lastEnd;
        iv[iv.length - 1] = e;
      }
      continue;
    }
    iv.push(s, e);
    total += e - s;
  }
  const plan = { iv, total };
  if (c.plans.size >= PLAN_CACHE_LIMIT) {
    const oldest = c.plans.keys().next();
    if (!oldest.done) c.plans.delete(oldest.value);
  }
  c.plans.set(day, plan);
  return plan;
}

function addMs(c: CompiledCalendar, t: number, ms: number): number {
  if (ms === 0 || c.allDay) return t + ms;
  let remaining = ms;
  let day = c.zone.dayOf(t);
  for (let n = 0; n < MAX_DAYS; n++, day++) {
    const { iv, total } = planOf(c, day);
    if (total === 0) continue;
    const first = iv[0] ?? 0;
    if (t <= first && total < remaining) {
      remaining -= total;
      continue;
    }
    for (let i = 0; i < iv.length; i += 2) {
      const s = iv[i] ?? 0;
      const e = iv[i + 1] ?? 0;
      if (e <= t) continue;
      const from = s > t ? s : t;
      const available = e - from;
      if (remaining <= available) return from + remaining;
      remaining -= available;
    }
  }
  throw new RangeError(`calendar has no working time within ${MAX_DAYS} days`);
}

function betweenMs(c: CompiledCalendar, a: number, b: number): number {
  if (b < a) return -betweenMs(c, b, a);
  if (c.allDay || a === b) return b - a;
  const firstDay = c.zone.dayOf(a);
  const lastDay = c.zone.dayOf(b);
  let sum = 0;
  for (let day = firstDay; day <= lastDay; day++) {
    const { iv, total } = planOf(c, day);
    if (total === 0) continue;
    if (day > firstDay && day < lastDay) {
      sum += total;
      continue;
    }
    for (let i = 0; i < iv.length; i += 2) {
      const s = Math.max(iv[i] ?? 0, a);
      const e = Math.min(iv[i + 1] ?? 0, b);
      if (e > s) sum += e - s;
    }
  }
  return sum;
}

/**
 * The instant at which `minutes` of business time have elapsed after `start`.
 * Lands inside a working interval or exactly at the end of one (a target that uses up a working
 * day falls due at closing time, not next morning). Adding 0 returns `start` unchanged.
 * @throws RangeError for a negative or non-finite `minutes` or an invalid `start`.
 */
export function addBusinessMinutes(calendar: BusinessCalendar, start: Instant, minutes: number): number {
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError('minutes must be a finite number ≥ 0');
  return addMs(compile(calendar), toEpochMs(start), Math.round(minutes * MINUTE_MS));
}

/**
 * Business minutes between two instants (negative when `to` precedes `from`); the inverse of
 * {@link addBusinessMinutes}: `businessMinutesBetween(c, t, addBusinessMinutes(c, t, m)) === m`.
 */
export function businessMinutesBetween(calendar: BusinessCalendar, from: Instant, to: Instant): number {
  return betweenMs(compile(calendar), toEpochMs(from), toEpochMs(to)) / MINUTE_MS;
}

/** {@link addBusinessMinutes} in whole milliseconds, for callers that keep time in ms. */
export function addBusinessMs(calendar: BusinessCalendar, start: Instant, ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError('ms must be a finite number ≥ 0');
  return addMs(compile(calendar), toEpochMs(start), Math.round(ms));
}

/** {@link businessMinutesBetween} in milliseconds. */
export function businessMsBetween(calendar: BusinessCalendar, from: Instant, to: Instant): number {
  return betweenMs(compile(calendar), toEpochMs(from), toEpochMs(to));
}

/** True when the instant lies inside a working interval (start inclusive, end exclusive). */
export function isWorkingTime(calendar: BusinessCalendar, at: Instant): boolean {
  const c = compile(calendar);
  if (c.allDay) return true;
  const t = toEpochMs(at);
  const { iv } = planOf(c, c.zone.dayOf(t));
  for (let i = 0; i < iv.length; i += 2) if ((iv[i] ?? 0) <= t && t < (iv[i + 1] ?? 0)) return true;
  return false;
}

/** The instant itself when it is working time, otherwise the start of the next working interval. */
export function nextWorkingTime(calendar: BusinessCalendar, at: Instant): number {
  const c = compile(calendar);
  const t = toEpochMs(at);
  if (c.allDay) return t;
  let day = c.zone.dayOf(t);
  for (let n = 0; n < MAX_DAYS; n++, day++) {
    const { iv } = planOf(c, day);
    for (let i = 0; i < iv.length; i += 2) {
      const s = iv[i] ?? 0;
      if ((iv[i + 1] ?? 0) > t) return s > t ? s : t;
    }
  }
  throw new RangeError(`calendar has no working time within ${MAX_DAYS} days`);
}

/** Working intervals of a local date (`YYYY-MM-DD`) as UTC epoch ms; a holiday yields none. */
export function workingIntervalsOn(
  calendar: BusinessCalendar,
  isoDate: string,
): Array<{ start: number; end: number }> {
  const day = isoDateToDay(isoDate);
  if (day === undefined) throw new RangeError(`"${isoDate}" is not a date YYYY-MM-DD`);
  const c = compile(calendar);
  if (c.allDay) return [{ start: c.zone.midnight(day), end: c.zone.midnight(day + 1) }];
  const { iv } = planOf(c, day);
  const out: Array<{ start: number; end: number }> = [];
  for (let i = 0; i < iv.length; i += 2) out.push({ start: iv[i] ?? 0, end: iv[i + 1] ?? 0 });
  return out;
}

/** Local date (`YYYY-MM-DD`) of an instant in a time zone. */
export function localDateOf(timeZone: string, at: Instant): string {
  const day = zoneFor(timeZone).dayOf(toEpochMs(at));
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

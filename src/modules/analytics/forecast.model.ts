/**
 * Daily demand forecasting, pure: counts of orders per local day in, expected counts out.
 *
 * The model (`dayType × damped trend`): each day has a type — its weekday, a public holiday or a
 * make-up workday (调休) from the State Council's calendar the SLA uses (`sla/holidays.ts`) — and
 * each type a factor; the counts divided by their day's factor are smoothed with Holt's damped
 * linear trend. A forecast is the smoothed level and trend carried forward times the factor of
 * the day it is for. Factors are learned from the history before the forecast's origin only:
 * weekday factors from the last 26 weeks of ordinary days, a make-up workday counts as an
 * average Monday–Friday, and one holiday factor (a holiday is a day off whatever its weekday, so
 * it is over the level, not over its weekday) from every holiday in the history (shrunk
 * towards 1 by a pseudo-count, so a single quiet holiday does not make the next one empty; with
 * no holiday in the history it is 1).
 */
import type { HolidayFile } from '../sla/holidays.ts';
import { isoDateToDay, weekdayOfDay } from '../sla/zone.ts';

export type DayType = 'weekday' | 'weekend' | 'holiday' | 'makeup_workday';

/** What the calendar says of a local day (days since 1970-01-01). */
export interface DayInfo {
  type: DayType;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** The holiday's or make-up day's name (春节, 国庆节 …). */
  name: string | null;
}

/** Public holidays and make-up workdays by local day, from holiday files. */
export interface HolidayCalendar {
  holidays: ReadonlyMap<number, string>;
  workdays: ReadonlyMap<number, string>;
}

export function holidayCalendar(files: readonly HolidayFile[]): HolidayCalendar {
  const holidays = new Map<number, string>();
  const workdays = new Map<number, string>();
  for (const f of files) {
    for (const h of f.holidays) {
      const d = isoDateToDay(h.date);
      if (d !== undefined) holidays.set(d, h.name);
    }
    for (const w of f.workdays) {
      const d = isoDateToDay(w.date);
      if (d !== undefined) workdays.set(d, w.name);
    }
  }
  return { holidays, workdays };
}

export function dayInfo(calendar: HolidayCalendar, day: number): DayInfo {
  const weekday = weekdayOfDay(day);
  const holiday = calendar.holidays.get(day);
  if (holiday !== undefined) return { type: 'holiday', weekday, name: holiday };
  const workday = calendar.workdays.get(day);
  if (workday !== undefined) return { type: 'makeup_workday', weekday, name: workday };
  return { type: weekday === 0 || weekday === 6 ? 'weekend' : 'weekday', weekday, name: null };
}

/** A daily series: `counts[i]` orders on local day `firstDay + i`. */
export interface DailySeries {
  firstDay: number;
  counts: readonly number[];
}

/** The factors learned from a history: one per weekday, one for holidays. */
export interface DayFactors {
  weekday: readonly number[];
  holiday: number;
}

export interface FittedModel {
  factors: DayFactors;
  level: number;
  trend: number;
  alpha: number;
  beta: number;
}

/** Weeks of ordinary days the weekday factors are learned from. */
const PROFILE_WEEKS = 26;
/** Pseudo-count of "ordinary" days a holiday factor is shrunk with. */
const HOLIDAY_PRIOR_DAYS = 3;
export const DAMPING = 0.9;
const ALPHAS = [0.02, 0.05, 0.1, 0.2, 0.3];
const BETAS = [0, 0.01, 0.05];

function factorOf(factors: DayFactors, info: DayInfo): number {
  if (info.type === 'holiday') return factors.holiday;
  if (info.type === 'makeup_workday') return mean(factors.weekday.slice(1, 6));
  return factors.weekday[info.weekday] ?? 1;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);

/** What the calendar says of `count` days from `firstDay` on, to look up by index. */
export function dayInfos(calendar: HolidayCalendar, firstDay: number, count: number): DayInfo[] {
  return Array.from({ length: count }, (_, i) => dayInfo(calendar, firstDay + i));
}

/**
 * The factors of the history `counts[0..end)` (`infos[i]` the calendar's word on day i): weekday
 * means over the overall mean, and the holidays' ratio to their expectation.
 */
export function learnFactors(series: DailySeries, end: number, infos: readonly DayInfo[]): DayFactors {
  const sums = Array.from({ length: 7 }, () => 0);
  const days = Array.from({ length: 7 }, () => 0);
  const start = Math.max(0, end - PROFILE_WEEKS * 7);
  for (let i = start; i < end; i++) {
    const info = infos[i];
    if (!info || info.type === 'holiday' || info.type === 'makeup_workday') continue;
    sums[info.weekday] = (sums[info.weekday] ?? 0) + (series.counts[i] ?? 0);
    days[info.weekday] = (days[info.weekday] ?? 0) + 1;
  }
  const overall =
    sums.reduce((s, x) => s + x, 0) /
    Math.max(
      1,
      days.reduce((s, x) => s + x, 0),
    );
  const weekday = sums.map((s, w) => {
    const n = days[w] ?? 0;
    // A weekday never seen, or a history with no orders: no pattern to apply.
    if (n === 0 || overall === 0) return 1;
    return s / n / overall;
  });
  // A holiday is a day off whatever its weekday: its factor is over the level of the ordinary days
  // within two weeks of it (each divided by its weekday factor), not over its weekday's.
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < end; i++) {
    const info = infos[i];
    if (info?.type !== 'holiday') continue;
    let s = 0;
    let n = 0;
    for (let j = Math.max(0, i - 14); j < Math.min(end, i + 15); j++) {
      const other = infos[j];
      if (!other || (other.type !== 'weekday' && other.type !== 'weekend')) continue;
      s += (series.counts[j] ?? 0) / (weekday[other.weekday] || 1);
      n++;
    }
    if (n === 0) continue;
    observed += series.counts[i] ?? 0;
    expected += s / n;
  }
  const prior = HOLIDAY_PRIOR_DAYS * overall;
  const holiday = expected > 0 ? (observed + prior) / (expected + prior) : 1;
  return { weekday, holiday };
}

/** The grid of smoothing constants, alpha-major: the order `fit` prefers them in on equal error. */
const GRID_ALPHA = Float64Array.from(ALPHAS.flatMap((a) => BETAS.map(() => a)));
const GRID_BETA = Float64Array.from(ALPHAS.flatMap(() => BETAS));

/**
 * Fits the model to `counts[0..end)`: the factors, then the smoothing constants that give the
 * least one-step squared error over a small grid.
 *
 * Holt's damped trend runs over the adjusted counts for every pair of constants in one pass over
 * the days (each day's count and factor read once, not once per pair); each pair's arithmetic is
 * the same expressions in the same order as a pass of its own, so the fit is the same to the bit.
 */
export function fit(
  series: DailySeries,
  end: number,
  calendar: HolidayCalendar,
  infos: readonly DayInfo[] = dayInfos(calendar, series.firstDay, end),
): FittedModel {
  const factors = learnFactors(series, end, infos);
  const dayFactors = new Float64Array(end);
  for (let i = 0; i < end; i++) {
    const info = infos[i];
    dayFactors[i] = info ? factorOf(factors, info) : 1;
  }
  const warm = Math.min(14, end);
  let start = 0;
  for (let i = 0; i < warm; i++) start += (series.counts[i] ?? 0) / (dayFactors[i] || 1);
  start = warm ? start / warm : 0;
  const pairs = GRID_ALPHA.length;
  const level = new Float64Array(pairs).fill(start);
  const trend = new Float64Array(pairs);
  const sse = new Float64Array(pairs);
  for (let i = 0; i < end; i++) {
    const f = dayFactors[i] || 1;
    const y = series.counts[i] ?? 0;
    const adjusted = y / f;
    const scored = i >= warm;
    for (let k = 0; k < pairs; k++) {
      const alpha = GRID_ALPHA[k] ?? 0;
      const beta = GRID_BETA[k] ?? 0;
      const l = level[k] ?? 0;
      const t = trend[k] ?? 0;
      const predicted = l + DAMPING * t;
      if (scored) sse[k] = (sse[k] ?? 0) + (y - f * predicted) ** 2;
      const next = alpha * adjusted + (1 - alpha) * predicted;
      trend[k] = beta * (next - l) + (1 - beta) * DAMPING * t;
      level[k] = next;
    }
  }
  let best = -1;
  let bestSse = Infinity;
  for (let k = 0; k < pairs; k++)
    if ((sse[k] ?? 0) < bestSse) {
      bestSse = sse[k] ?? 0;
      best = k;
    }
  if (best < 0) return { factors, level: 0, trend: 0, alpha: 0, beta: 0 };
  return {
    factors,
    level: level[best] ?? 0,
    trend: trend[best] ?? 0,
    alpha: GRID_ALPHA[best] ?? 0,
    beta: GRID_BETA[best] ?? 0,
  };
}

/** Expected orders of the `horizon` days from local day `originDay` on (never below 0). */
export function predict(
  model: FittedModel,
  originDay: number,
  horizon: number,
  calendar: HolidayCalendar,
): number[] {
  const out: number[] = [];
  let damp = 0;
  for (let h = 1; h <= horizon; h++) {
    damp += DAMPING ** h;
    const f = factorOf(model.factors, dayInfo(calendar, originDay + h - 1));
    out.push(Math.max(0, f * (model.level + damp * model.trend)));
  }
  return out;
}

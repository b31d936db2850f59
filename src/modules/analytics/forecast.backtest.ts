/**
 * Measured accuracy, pure: a rolling-origin backtest of the model against two baselines, and
 * prediction intervals from its errors.
 *
 * Origins are every 7 days back from the last day whose whole horizon has been seen; at each the
 * model is fitted on the days before it only and forecasts the horizon, as do the baselines:
 * seasonal naive (the same weekday of the last week seen) and the moving average of the last 28
 * days. Errors are in orders per period (a day, or a 7-day block summed): MAE, sMAPE (a period
 * where both the forecast and the count are 0 counts as no error) and MASE (the MAE over the
 * mean absolute change from the same period a week earlier, over the whole history).
 */
import { dayInfos, fit, predict } from './forecast.model.ts';
import type { DailySeries, DayInfo, HolidayCalendar } from './forecast.model.ts';

export const MOVING_AVERAGE_DAYS = 28;
/** The central share of outcomes the prediction interval aims to hold. */
export const INTERVAL_LEVEL = 0.8;

export interface ErrorScores {
  mae: number;
  /** Symmetric mean absolute percentage error, 0–200 (%). */
  smape: number;
  /** MAE over the in-sample seasonal naive MAE; below 1 beats it. */
  mase: number | null;
}

/** Forecasts and actual counts of one origin, per period. */
export interface OriginRun {
  originDay: number;
  actual: number[];
  model: number[];
  seasonalNaive: number[];
  movingAverage: number[];
}

/** A forecast of a baseline from origin index `end` over `horizon` days. */
export function seasonalNaive(counts: readonly number[], end: number, horizon: number): number[] {
  return Array.from({ length: horizon }, (_, h) => counts[end - 7 + (h % 7)] ?? 0);
}

export function movingAverage(counts: readonly number[], end: number, horizon: number): number[] {
  const from = Math.max(0, end - MOVING_AVERAGE_DAYS);
  let s = 0;
  for (let i = from; i < end; i++) s += counts[i] ?? 0;
  const m = end > from ? s / (end - from) : 0;
  return Array.from({ length: horizon }, () => m);
}

/** Sums consecutive blocks of `size` (a block cut short at the end is left out). */
export function blocks(xs: readonly number[], size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + size <= xs.length; i += size) {
    let s = 0;
    for (let j = i; j < i + size; j++) s += xs[j] ?? 0;
    out.push(s);
  }
  return out;
}

/**
 * Origin indices for a backtest of `horizonDays` over `counts`: the last at `length − horizonDays`,
 * then every 7 days back, at most `maxOrigins`, none with fewer than `minTrain` days before it.
 */
export function origins(length: number, horizonDays: number, minTrain: number, maxOrigins: number): number[] {
  const out: number[] = [];
  for (let o = length - horizonDays; o >= minTrain && out.length < maxOrigins; o -= 7) out.push(o);
  return out.reverse();
}

/** Runs the model and the baselines from each origin, in periods of `period` days (1 or 7). */
export function backtest(
  series: DailySeries,
  calendar: HolidayCalendar,
  horizonDays: number,
  period: number,
  originIndices: readonly number[],
  infos: readonly DayInfo[] = dayInfos(calendar, series.firstDay, series.counts.length),
): OriginRun[] {
  const { counts } = series;
  return originIndices.map((o) => {
    const model = fit(series, o, calendar, infos);
    const per = (xs: number[]) => (period === 1 ? xs : blocks(xs, period));
    return {
      originDay: series.firstDay + o,
      actual: per(counts.slice(o, o + horizonDays)),
      model: per(predict(model, series.firstDay + o, horizonDays, calendar)),
      seasonalNaive: per(seasonalNaive(counts, o, horizonDays)),
      movingAverage: per(movingAverage(counts, o, horizonDays)),
    };
  });
}

/** Mean absolute change from the period a week earlier, over the whole history in periods of `period` days. */
export function seasonalScale(counts: readonly number[], period: number): number | null {
  const xs = period === 1 ? counts : blocks(counts.slice(counts.length % period), period);
  const lag = period === 1 ? 7 : 1;
  let s = 0;
  let n = 0;
  for (let i = lag; i < xs.length; i++) {
    s += Math.abs((xs[i] ?? 0) - (xs[i - lag] ?? 0));
    n++;
  }
  return n && s > 0 ? s / n : null;
}

export function scores(
  actual: readonly number[],
  forecast: readonly number[],
  scale: number | null,
): ErrorScores {
  let abs = 0;
  let sym = 0;
  for (let i = 0; i < actual.length; i++) {
    const y = actual[i] ?? 0;
    const f = forecast[i] ?? 0;
    const e = Math.abs(y - f);
    abs += e;
    if (y + f > 0) sym += (2 * e) / (Math.abs(y) + Math.abs(f));
  }
  const n = Math.max(1, actual.length);
  const mae = abs / n;
  return { mae, smape: (100 * sym) / n, mase: scale ? mae / scale : null };
}

/** An error scaled by the forecast's spread: counts vary about as their square root. */
export const standardized = (actual: number, forecast: number) =>
  (actual - forecast) / Math.sqrt(Math.max(forecast, 1));

/** The q-quantile of xs (linear between order statistics); 0 for none. */
export function quantile(xs: readonly number[], q: number): number {
  return sortedQuantile(Float64Array.from(xs).sort(), q);
}

function sortedQuantile(s: Float64Array, q: number): number {
  if (s.length === 0) return 0;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] ?? 0) + ((s[hi] ?? 0) - (s[lo] ?? 0)) * (pos - lo);
}

export interface IntervalWidth {
  /** Quantiles of the standardized errors: forecast + q·√max(forecast, 1). */
  low: number;
  high: number;
}

export function intervalFrom(errors: readonly number[]): IntervalWidth {
  return intervalOfSorted(Float64Array.from(errors).sort());
}

function intervalOfSorted(sorted: Float64Array): IntervalWidth {
  const tail = (1 - INTERVAL_LEVEL) / 2;
  return { low: sortedQuantile(sorted, tail), high: sortedQuantile(sorted, 1 - tail) };
}

export function interval(forecast: number, width: IntervalWidth): { low: number; high: number } {
  const spread = Math.sqrt(Math.max(forecast, 1));
  return {
    low: Math.max(0, forecast + width.low * spread),
    high: Math.max(0, forecast + width.high * spread),
  };
}

const errorsOf = (runs: readonly OriginRun[]) =>
  runs.flatMap((r) => r.actual.map((y, i) => standardized(y, r.model[i] ?? 0)));

/**
 * The share of backtest outcomes inside their interval, each origin's interval learned from the
 * other origins' errors only (so the interval is not judged on the errors it was made from).
 */
export function intervalCoverage(runs: readonly OriginRun[]): number | null {
  if (runs.length < 2) return null;
  // Each origin's errors once; an origin's interval is from the others', copied side by side.
  const errors = runs.map((r) => Float64Array.from(r.actual, (y, i) => standardized(y, r.model[i] ?? 0)));
  const total = errors.reduce((s, e) => s + e.length, 0);
  let inside = 0;
  let n = 0;
  runs.forEach((run, k) => {
    const others = new Float64Array(total - (errors[k]?.length ?? 0));
    let at = 0;
    errors.forEach((e, j) => {
      if (j === k) return;
      others.set(e, at);
      at += e.length;
    });
    const width = intervalOfSorted(others.sort());
    run.actual.forEach((y, i) => {
      const b = interval(run.model[i] ?? 0, width);
      if (y >= b.low && y <= b.high) inside++;
      n++;
    });
  });
  return n ? inside / n : null;
}

export interface Accuracy {
  origins: number;
  points: number;
  model: ErrorScores;
  seasonalNaive: ErrorScores;
  movingAverage: ErrorScores;
  /** The model's MAE is below both baselines'. */
  beatsBaselines: boolean;
  /** 1 − model MAE / the better baseline's MAE: the share of the baseline's error the model removes. */
  skill: number | null;
  intervalCoverage: number | null;
}

/** The accuracy of a backtest, and the interval width its errors give. */
export function accuracyOf(
  runs: readonly OriginRun[],
  scale: number | null,
): { accuracy: Accuracy; width: IntervalWidth } {
  const all = (pick: (r: OriginRun) => number[]) => {
    const out: number[] = [];
    for (const r of runs) for (const x of pick(r)) out.push(x);
    return out;
  };
  const actual = all((r) => r.actual);
  const model = scores(
    actual,
    all((r) => r.model),
    scale,
  );
  const naive = scores(
    actual,
    all((r) => r.seasonalNaive),
    scale,
  );
  const average = scores(
    actual,
    all((r) => r.movingAverage),
    scale,
  );
  const best = Math.min(naive.mae, average.mae);
  return {
    accuracy: {
      origins: runs.length,
      points: actual.length,
      model,
      seasonalNaive: naive,
      movingAverage: average,
      beatsBaselines: model.mae < naive.mae && model.mae < average.mae,
      skill: best > 0 ? 1 - model.mae / best : null,
      intervalCoverage: intervalCoverage(runs),
    },
    width: intervalFrom(errorsOf(runs)),
  };
}

// The forecast as it was at commit e6f701b, before its computation was made cheaper: kept unchanged
// as the oracle forecast.equivalence.test.ts holds the live code to (the same answers, bit for bit).
// Only that test imports it; do not change it.
/**
 * Demand forecasts of a community, pure: daily counts per category in, for the community and each
 * category the forecast with its interval, the backtest's accuracy next to it, and staffing hints.
 */
import { accuracyOf, backtest, interval, origins, seasonalScale } from './forecast.backtest.ts';
import type { Accuracy, IntervalWidth } from './forecast.backtest.ts';
import { dayInfo, fit, predict } from './forecast.model.ts';
import type { DailySeries, DayType, HolidayCalendar } from './forecast.model.ts';
import { dayToIsoDate, isoDateToDay } from '../../sla/zone.ts';

export type Granularity = 'day' | 'week';

/** Days of history a forecast needs before it is made (and before each backtest origin). */
export const MIN_HISTORY_DAYS = 28;
/** The most origins a backtest runs (one a week: about three months of history). */
export const MAX_ORIGINS = 12;
/** Days of history read: a year. */
export const HISTORY_DAYS = 365;
/** Staffing hints: a day's forecast at least this much above the usual count of its weekday … */
export const HINT_RATIO = 1.25;
/** … and at least this many orders above it. */
export const HINT_MIN_EXTRA = 1;
export const HINT_DAYS = 14;

export interface DayCount {
  day: string;
  category: string;
  orders: number;
}

export interface Period {
  /** First local day of the period (`YYYY-MM-DD`). */
  from: string;
  /** Last local day of the period (the same day for a daily period). */
  to: string;
}

export interface ForecastPoint extends Period {
  orders: number;
  low: number;
  high: number;
  /** For a daily period: what the calendar says of the day. */
  dayType: DayType | null;
  holiday: string | null;
}

export interface HistoryPoint extends Period {
  orders: number;
}

export interface SeriesForecast {
  /** `all` for the whole community, else a category code. */
  key: string;
  historyDays: number;
  history: HistoryPoint[];
  forecast: ForecastPoint[];
  /** Null while the history is too short for one backtest origin. */
  accuracy: Accuracy | null;
}

export interface StaffingHint {
  category: string;
  day: string;
  dayType: DayType;
  holiday: string | null;
  expected: number;
  /** The mean count of the same weekday over the last 4 weeks (public holidays left out). */
  usual: number;
}

export interface ForecastInput {
  counts: readonly DayCount[];
  /** The local day the forecast starts with (today: its count so far is not read). */
  today: number;
  calendar: HolidayCalendar;
  granularity: Granularity;
  /** Periods to forecast: days or 7-day blocks. */
  horizon: number;
  /** Categories to forecast, besides `all` when `includeAll`. */
  categories: readonly string[];
  includeAll: boolean;
}

export interface ForecastResult {
  historyFrom: string | null;
  series: SeriesForecast[];
  hints: StaffingHint[];
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Daily series of `key` from the first day any order was counted to yesterday. */
function seriesOf(counts: readonly DayCount[], key: string, firstDay: number, today: number): DailySeries {
  const out = Array.from({ length: Math.max(0, today - firstDay) }, () => 0);
  for (const c of counts) {
    if (key !== 'all' && c.category !== key) continue;
    const d = isoDateToDay(c.day);
    if (d === undefined || d < firstDay || d >= today) continue;
    out[d - firstDay] = (out[d - firstDay] ?? 0) + c.orders;
  }
  return { firstDay, counts: out };
}

const roundScores = (a: Accuracy): Accuracy => {
  const r = (s: Accuracy['model']) => ({
    mae: round3(s.mae),
    smape: round1(s.smape),
    mase: s.mase === null ? null : round3(s.mase),
  });
  return {
    ...a,
    model: r(a.model),
    seasonalNaive: r(a.seasonalNaive),
    movingAverage: r(a.movingAverage),
    skill: a.skill === null ? null : round3(a.skill),
    intervalCoverage: a.intervalCoverage === null ? null : round3(a.intervalCoverage),
  };
};

function forecastSeries(
  key: string,
  series: DailySeries,
  input: ForecastInput,
): { result: SeriesForecast; daily: number[] } {
  const period = input.granularity === 'day' ? 1 : 7;
  const horizonDays = input.horizon * period;
  const { counts } = series;
  const n = counts.length;
  const historyPeriods = input.granularity === 'day' ? 28 : 8;
  const history: HistoryPoint[] = [];
  for (let k = historyPeriods; k >= 1; k--) {
    const start = n - k * period;
    if (start < 0) continue;
    let s = 0;
    for (let i = start; i < start + period; i++) s += counts[i] ?? 0;
    history.push({
      from: dayToIsoDate(series.firstDay + start),
      to: dayToIsoDate(series.firstDay + start + period - 1),
      orders: s,
    });
  }
  if (n < MIN_HISTORY_DAYS)
    return { result: { key, historyDays: n, history, forecast: [], accuracy: null }, daily: [] };

  const runs = backtest(
    series,
    input.calendar,
    horizonDays,
    period,
    origins(n, horizonDays, MIN_HISTORY_DAYS, MAX_ORIGINS),
  );
  let accuracy: Accuracy | null = null;
  let width: IntervalWidth | null = null;
  if (runs.length > 0) {
    const measured = accuracyOf(runs, seasonalScale(counts, period));
    accuracy = roundScores(measured.accuracy);
    width = measured.width;
  }
  const model = fit(series, n, input.calendar);
  const daily = predict(model, input.today, Math.max(horizonDays, HINT_DAYS), input.calendar);
  const forecast: ForecastPoint[] = [];
  for (let k = 0; k < input.horizon; k++) {
    let s = 0;
    for (let i = k * period; i < (k + 1) * period; i++) s += daily[i] ?? 0;
    const first = input.today + k * period;
    const info = period === 1 ? dayInfo(input.calendar, first) : null;
    const band = width ? interval(s, width) : null;
    forecast.push({
      from: dayToIsoDate(first),
      to: dayToIsoDate(first + period - 1),
      orders: round1(s),
      low: band ? round1(band.low) : round1(s),
      high: band ? round1(band.high) : round1(s),
      dayType: info?.type ?? null,
      holiday: info?.name ?? null,
    });
  }
  return { result: { key, historyDays: n, history, forecast, accuracy }, daily };
}

/**
 * Where a category's forecast for one of the next 14 days stands well above what that weekday
 * usually brings: worth moving people before it comes. Only series whose model beat both
 * baselines in the backtest give hints; the others are not trusted enough to move anyone.
 */
export function staffingHints(
  key: string,
  series: DailySeries,
  daily: readonly number[],
  today: number,
  calendar: HolidayCalendar,
): StaffingHint[] {
  const hints: StaffingHint[] = [];
  const n = series.counts.length;
  for (let h = 0; h < Math.min(HINT_DAYS, daily.length); h++) {
    const day = today + h;
    const info = dayInfo(calendar, day);
    let s = 0;
    let seen = 0;
    for (let back = 1; back <= 4; back++) {
      const i = day - 7 * back - series.firstDay;
      if (i < 0 || i >= n || dayInfo(calendar, series.firstDay + i).type === 'holiday') continue;
      s += series.counts[i] ?? 0;
      seen++;
    }
    if (seen === 0) continue;
    const usual = s / seen;
    const expected = daily[h] ?? 0;
    if (expected >= usual * HINT_RATIO && expected - usual >= HINT_MIN_EXTRA)
      hints.push({
        category: key,
        day: dayToIsoDate(day),
        dayType: info.type,
        holiday: info.name,
        expected: round1(expected),
        usual: round1(usual),
      });
  }
  return hints;
}

/** The forecast of the community (`all`) and of each category asked for, with the backtest's accuracy and staffing hints. */
export function forecastDemand(input: ForecastInput): ForecastResult {
  let firstDay = Infinity;
  for (const c of input.counts) {
    const d = isoDateToDay(c.day);
    if (d !== undefined && d < input.today && c.orders > 0) firstDay = Math.min(firstDay, d);
  }
  if (!Number.isFinite(firstDay)) firstDay = input.today;
  const keys = [...(input.includeAll ? ['all'] : []), ...input.categories];
  const series: SeriesForecast[] = [];
  const hints: StaffingHint[] = [];
  for (const key of keys) {
    const daily = seriesOf(input.counts, key, firstDay, input.today);
    const out = forecastSeries(key, daily, input);
    series.push(out.result);
    if (key !== 'all' && out.result.accuracy?.beatsBaselines)
      hints.push(...staffingHints(key, daily, out.daily, input.today, input.calendar));
  }
  hints.sort((a, b) => a.day.localeCompare(b.day) || b.expected - b.usual - (a.expected - a.usual));
  return {
    historyFrom: firstDay < input.today ? dayToIsoDate(firstDay) : null,
    series,
    hints,
  };
}

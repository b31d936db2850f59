/**
 * Demand forecasts of a community, pure: daily counts per category in, for the community and each
 * category the forecast with its interval, the backtest's accuracy next to it, and staffing hints.
 */
import { accuracyOf, backtest, interval, origins, seasonalScale } from './forecast.backtest.ts';
import type { Accuracy, IntervalWidth } from './forecast.backtest.ts';
import { dayInfo, dayInfos, fit, predict } from './forecast.model.ts';
import type { DailySeries, DayInfo, DayType, HolidayCalendar } from './forecast.model.ts';
import { dayToIsoDate, isoDateToDay } from '../sla/zone.ts';

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

/** A count with its local day read (days since 1970-01-01), or none when the day is not a date. */
interface DatedCount {
  day: number | undefined;
  category: string;
  orders: number;
}

/**
 * The daily series of each key from the first day any order was counted to yesterday, in one pass
 * over the counts (`all` sums every category). Each series adds its counts in the order given,
 * as a pass of its own would.
 */
function seriesOf(
  counts: readonly DatedCount[],
  keys: readonly string[],
  firstDay: number,
  today: number,
): Map<string, DailySeries> {
  const length = Math.max(0, today - firstDay);
  const arrays = new Map<string, number[]>();
  for (const key of keys)
    if (!arrays.has(key))
      arrays.set(
        key,
        Array.from({ length }, () => 0),
      );
  const all = arrays.get('all');
  for (const c of counts) {
    const d = c.day;
    if (d === undefined || d < firstDay || d >= today) continue;
    const i = d - firstDay;
    if (all) all[i] = (all[i] ?? 0) + c.orders;
    const own = c.category === 'all' ? undefined : arrays.get(c.category);
    if (own) own[i] = (own[i] ?? 0) + c.orders;
  }
  return new Map([...arrays].map(([key, xs]) => [key, { firstDay, counts: xs }]));
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
  infos: readonly DayInfo[],
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
    infos,
  );
  let accuracy: Accuracy | null = null;
  let width: IntervalWidth | null = null;
  if (runs.length > 0) {
    const measured = accuracyOf(runs, seasonalScale(counts, period));
    accuracy = roundScores(measured.accuracy);
    width = measured.width;
  }
  const model = fit(series, n, input.calendar, infos);
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
  const counts: DatedCount[] = input.counts.map((c) => ({
    day: isoDateToDay(c.day),
    category: c.category,
    orders: c.orders,
  }));
  let firstDay = Infinity;
  for (const c of counts) {
    const d = c.day;
    if (d !== undefined && d < input.today && c.orders > 0) firstDay = Math.min(firstDay, d);
  }
  if (!Number.isFinite(firstDay)) firstDay = input.today;
  const keys = [...(input.includeAll ? ['all'] : []), ...input.categories];
  const byKey = seriesOf(counts, keys, firstDay, input.today);
  // Every series spans the same days: the calendar is read once for them all.
  const infos = dayInfos(input.calendar, firstDay, Math.max(0, input.today - firstDay));
  const series: SeriesForecast[] = [];
  const hints: StaffingHint[] = [];
  for (const key of keys) {
    const daily = byKey.get(key) ?? { firstDay, counts: [] };
    const out = forecastSeries(key, daily, input, infos);
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

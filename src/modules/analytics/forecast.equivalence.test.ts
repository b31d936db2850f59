/**
 * The forecast's computation was made cheaper (one smoothing pass for every pair of constants, the
 * calendar and the series read once a request); its answers may not change. These properties hold
 * the live code to the implementation before that change (`reference/`), kept unchanged, on varied
 * series: the same answers to the bit, the unrounded fits and backtests as well as the API's result.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CN_HOLIDAY_FILES } from '../sla/holidays.ts';
import { dayToIsoDate, isoDateToDay } from '../sla/zone.ts';
import { accuracyOf, backtest, intervalCoverage, origins, seasonalScale } from './forecast.backtest.ts';
import { dayInfos, fit, holidayCalendar } from './forecast.model.ts';
import { forecastDemand } from './forecast.service.ts';
import type { DayCount, ForecastInput } from './forecast.service.ts';
import * as oldBacktest from './reference/forecast.backtest.ts';
import * as oldModel from './reference/forecast.model.ts';
import * as oldService from './reference/forecast.service.ts';

const calendar = holidayCalendar(Object.values(CN_HOLIDAY_FILES));
const day = (iso: string) => {
  const d = isoDateToDay(iso);
  if (d === undefined) throw new Error(iso);
  return d;
};
// The holiday files cover 2026 and 2027: origins from before the first holiday to past the last.
const FIRST_TODAY = day('2026-01-10');
const LAST_TODAY = day('2027-12-31');
const CATEGORIES = ['basic_living', 'health', 'elderly_care', 'safety_emergency'];
const RUNS = Number(process.env.LINLI_FORECAST_RUNS ?? 60);

/** A daily series shape: a level, a weekday pattern, a trend, holiday dips, bursts, quiet stretches. */
const shape = fc.record({
  level: fc.oneof(
    fc.constant(0),
    fc.double({ min: 0.05, max: 3, noNaN: true }),
    fc.integer({ min: 3, max: 400 }),
  ),
  week: fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: 7, maxLength: 7 }),
  trend: fc.double({ min: -0.01, max: 0.01, noNaN: true }),
  holiday: fc.double({ min: 0, max: 3, noNaN: true }),
  noise: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  spikes: fc.array(fc.record({ at: fc.nat(420), size: fc.integer({ min: 1, max: 500 }) }), { maxLength: 4 }),
  gap: fc.option(fc.record({ at: fc.nat(420), length: fc.integer({ min: 1, max: 120 }) })),
});
type Shape = typeof shape extends fc.Arbitrary<infer T> ? T : never;

function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Whole counts of days [from, to) of a shape (noisy around their mean, never below 0). */
function countsOf(s: Shape, from: number, to: number): number[] {
  const rand = mulberry32(s.noise);
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => {
    const d = from + i;
    if (s.gap && i >= s.gap.at && i < s.gap.at + s.gap.length) return 0;
    const info = oldModel.dayInfo(calendar, d);
    const factor = info.type === 'holiday' ? s.holiday : (s.week[info.weekday] ?? 1);
    const mean = Math.max(0, s.level * factor * (1 + s.trend * i));
    const spike = s.spikes.filter((x) => x.at === i).reduce((n, x) => n + x.size, 0);
    return Math.max(0, Math.round(mean + (rand() - 0.5) * 2 * Math.sqrt(mean))) + spike;
  });
}

const request = fc.record({
  today: fc.integer({ min: FIRST_TODAY, max: LAST_TODAY }),
  historyDays: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 400 })),
  shapes: fc.array(shape, { minLength: CATEGORIES.length, maxLength: CATEGORIES.length }),
  granularity: fc.constantFrom('day' as const, 'week' as const),
  horizon: fc.integer({ min: 1, max: 28 }),
  only: fc.option(fc.constantFrom(...CATEGORIES)),
  // Rows a database would not give, which the computation must still read alike.
  extra: fc.array(
    fc.record({
      offset: fc.integer({ min: -400, max: 20 }),
      category: fc.constantFrom(...CATEGORIES, 'unknown', 'all'),
      orders: fc.integer({ min: 0, max: 50 }),
    }),
    { maxLength: 6 },
  ),
  shuffle: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});
type Request = typeof request extends fc.Arbitrary<infer T> ? T : never;

function inputOf(r: Request): ForecastInput {
  const from = r.today - r.historyDays;
  const counts: DayCount[] = [];
  CATEGORIES.forEach((category, k) => {
    const shapeOf = r.shapes[k];
    if (!shapeOf) return;
    countsOf(shapeOf, from, r.today).forEach((orders, i) => {
      if (orders > 0) counts.push({ day: dayToIsoDate(from + i), category, orders });
    });
  });
  for (const e of r.extra)
    counts.push({ day: dayToIsoDate(r.today + e.offset), category: e.category, orders: e.orders });
  counts.push({ day: 'not-a-day', category: 'health', orders: 3 });
  // The database answers its rows in no promised order.
  const rand = mulberry32(r.shuffle);
  for (let i = counts.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [counts[i], counts[j]] = [counts[j] as DayCount, counts[i] as DayCount];
  }
  const granularityMax = r.granularity === 'day' ? 28 : 12;
  return {
    counts,
    today: r.today,
    calendar,
    granularity: r.granularity,
    horizon: Math.min(r.horizon, granularityMax),
    categories: r.only === null ? CATEGORIES : [r.only],
    includeAll: r.only === null,
  };
}

describe('forecast: the cheaper computation answers as the one before it', () => {
  it('forecastDemand gives the same result, to the bit, on varied series and requests', () => {
    fc.assert(
      fc.property(request, (r) => {
        const input = inputOf(r);
        assert.deepStrictEqual(forecastDemand(input), oldService.forecastDemand(input));
      }),
      { numRuns: RUNS },
    );
  });

  it('fit, the backtest and its accuracy give the same unrounded figures at every origin', () => {
    fc.assert(
      fc.property(
        shape,
        fc.integer({ min: FIRST_TODAY, max: LAST_TODAY }),
        fc.integer({ min: 0, max: 400 }),
        fc.constantFrom(1, 7),
        fc.integer({ min: 1, max: 28 }),
        (s, today, length, period, horizon) => {
          const firstDay = today - length;
          const series = { firstDay, counts: countsOf(s, firstDay, today) };
          const infos = dayInfos(calendar, firstDay, length);
          for (const end of [0, 1, 13, 14, 15, Math.floor(length / 2), length].filter((e) => e <= length))
            assert.deepStrictEqual(
              fit(series, end, calendar, infos),
              oldModel.fit(series, end, calendar),
              `end ${end}`,
            );
          const horizonDays = horizon * period;
          const at = origins(length, horizonDays, 28, 12);
          const runs = backtest(series, calendar, horizonDays, period, at);
          const before = oldBacktest.backtest(series, calendar, horizonDays, period, at);
          assert.deepStrictEqual(runs, before);
          const scale = seasonalScale(series.counts, period);
          assert.deepStrictEqual(accuracyOf(runs, scale), oldBacktest.accuracyOf(before, scale));
          assert.deepStrictEqual(intervalCoverage(runs), oldBacktest.intervalCoverage(before));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a year of a busy community, as the 1,000,000-order bench holds it, answers alike by day and by week', () => {
    const today = day('2026-12-07');
    const counts: DayCount[] = [];
    for (let d = today - 365; d < today; d++)
      CATEGORIES.forEach((category, k) => {
        const info = oldModel.dayInfo(calendar, d);
        const orders = info.type === 'holiday' ? 120 + k : 300 + ((d * 7 + k * 13) % 90);
        counts.push({ day: dayToIsoDate(d), category, orders });
      });
    for (const granularity of ['day', 'week'] as const) {
      const input: ForecastInput = {
        counts,
        today,
        calendar,
        granularity,
        horizon: granularity === 'day' ? 14 : 8,
        categories: CATEGORIES,
        includeAll: true,
      };
      assert.deepStrictEqual(forecastDemand(input), oldService.forecastDemand(input));
    }
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CN_HOLIDAY_FILES } from '../sla/holidays.ts';
import { isoDateToDay } from '../sla/zone.ts';
import { accuracyOf, backtest, origins, seasonalScale } from './forecast.backtest.ts';
import { dayInfo, dayInfos, fit, holidayCalendar, learnFactors, predict } from './forecast.model.ts';

const calendar = holidayCalendar(Object.values(CN_HOLIDAY_FILES));
const day = (iso: string) => {
  const d = isoDateToDay(iso);
  if (d === undefined) throw new Error(iso);
  return d;
};
/** Sunday first: a civic week, busy on Monday, quiet at the weekend. */
const WEEK = [4, 13, 11, 10, 10, 11, 5];
const HOLIDAY = 0.3;
const first = day('2026-01-01');

const MEAN = WEEK.reduce((s, x) => s + x, 0) / 7;

/** The expected count of a day: its weekday's; on a holiday 30 % of an average day; a make-up workday like a Wednesday. */
function truth(d: number): number {
  const info = dayInfo(calendar, d);
  if (info.type === 'holiday') return MEAN * HOLIDAY;
  if (info.type === 'makeup_workday') return 10;
  return WEEK[info.weekday] ?? 0;
}

function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function poisson(rand: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rand();
  while (p > limit) {
    k++;
    p *= rand();
  }
  return k;
}

test('the calendar names holidays and make-up workdays from the official files', () => {
  assert.deepEqual(dayInfo(calendar, day('2026-10-01')), { type: 'holiday', weekday: 4, name: '国庆节' });
  assert.equal(dayInfo(calendar, day('2026-01-04')).type, 'makeup_workday', 'a Sunday worked (元旦)');
  assert.equal(dayInfo(calendar, day('2026-09-26')).type, 'holiday', '中秋节 on a Saturday');
  assert.equal(dayInfo(calendar, day('2026-09-19')).type, 'weekend');
  assert.equal(dayInfo(calendar, day('2026-09-28')).type, 'weekday');
});

test('a series with a known weekday pattern and holiday dip is learned and forecast within 10 % (holidays 25 %)', () => {
  // Jan 1 – Sep 27 without noise: Spring Festival, Qingming, May Day, Dragon Boat and Mid-Autumn are in it.
  const origin = day('2026-09-28');
  const counts = Array.from({ length: origin - first }, (_, i) => truth(first + i));
  const series = { firstDay: first, counts };
  const factors = learnFactors(series, counts.length, dayInfos(calendar, first, counts.length));
  WEEK.forEach((w, i) => {
    const f = factors.weekday[i] ?? 0;
    assert.ok(Math.abs(f - w / MEAN) < 0.03 * (w / MEAN), `weekday ${i}: ${f} vs ${w / MEAN}`);
  });
  // The prior pulls the factor a little towards 1: well under half of an ordinary day still.
  assert.ok(factors.holiday > HOLIDAY && factors.holiday < 0.45, `holiday factor ${factors.holiday}`);

  // The next three weeks hold National Day (Oct 1–7) and its make-up workday (Saturday, Oct 10).
  const model = fit(series, counts.length, calendar);
  const forecast = predict(model, origin, 21, calendar);
  forecast.forEach((f, h) => {
    const d = origin + h;
    const expected = truth(d);
    const info = dayInfo(calendar, d);
    const bound = (info.type === 'holiday' ? 0.25 : 0.1) * expected;
    assert.ok(Math.abs(f - expected) <= bound, `${info.type} day ${h}: ${f.toFixed(2)} vs ${expected}`);
  });
  const holidayMonday = forecast[day('2026-10-05') - origin] ?? NaN;
  const ordinaryMonday = forecast[day('2026-09-28') - origin] ?? NaN;
  assert.ok(holidayMonday < ordinaryMonday / 2, 'the holiday dip is forecast');
  const makeup = forecast[day('2026-10-10') - origin] ?? NaN;
  const saturday = forecast[day('2026-10-17') - origin] ?? NaN;
  assert.equal(dayInfo(calendar, day('2026-10-10')).type, 'makeup_workday');
  assert.ok(makeup > saturday * 1.5, `a Saturday worked is forecast as a workday: ${makeup} vs ${saturday}`);
});

test('on noisy counts of that shape the model beats both baselines in the backtest', () => {
  const rand = mulberry32(42);
  const length = day('2026-11-20') - first;
  // Demand rising by half over the year.
  const counts = Array.from({ length }, (_, i) => poisson(rand, truth(first + i) * (1 + (0.5 * i) / length)));
  const series = { firstDay: first, counts };
  for (const [horizon, period] of [
    [14, 1],
    [56, 7],
  ] as const) {
    const runs = backtest(series, calendar, horizon, period, origins(length, horizon, 28, 12));
    const { accuracy } = accuracyOf(runs, seasonalScale(counts, period));
    assert.equal(accuracy.origins, 12);
    assert.ok(accuracy.beatsBaselines, `period ${period}: ${JSON.stringify(accuracy)}`);
    assert.ok((accuracy.model.mase ?? 9) < 1, 'MASE below 1');
    // The noise alone (Poisson) leaves a daily MAE near √(mean)·0.8 ≈ 2.4: the model is near it.
    if (period === 1) assert.ok(accuracy.model.mae < 3, `daily MAE ${accuracy.model.mae}`);
    const coverage = accuracy.intervalCoverage ?? 0;
    assert.ok(coverage > 0.65 && coverage < 0.95, `80 % interval covers ${coverage}`);
  }
});

test('a history with no orders forecasts none', () => {
  const series = { firstDay: first, counts: Array.from({ length: 60 }, () => 0) };
  const model = fit(series, 60, calendar);
  assert.deepEqual(predict(model, first + 60, 3, calendar), [0, 0, 0]);
});

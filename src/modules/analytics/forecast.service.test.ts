import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CN_HOLIDAY_FILES } from '../sla/holidays.ts';
import { dayToIsoDate, isoDateToDay } from '../sla/zone.ts';
import { dayInfo, holidayCalendar } from './forecast.model.ts';
import { forecastDemand, staffingHints } from './forecast.service.ts';
import type { DayCount } from './forecast.service.ts';

const calendar = holidayCalendar(Object.values(CN_HOLIDAY_FILES));
const day = (iso: string) => {
  const d = isoDateToDay(iso);
  if (d === undefined) throw new Error(iso);
  return d;
};
const WEEK = [2, 12, 10, 10, 10, 10, 2];
const shape = (d: number) => {
  const info = dayInfo(calendar, d);
  return info.type === 'holiday' ? 3 : info.type === 'makeup_workday' ? 10 : (WEEK[info.weekday] ?? 0);
};

test('a make-up Saturday ahead is a staffing hint: its forecast against the Saturdays before it', () => {
  const first = day('2026-06-01');
  const today = day('2026-10-08');
  const counts = Array.from({ length: today - first }, (_, i) => shape(first + i));
  const daily = Array.from({ length: 14 }, (_, h) => shape(today + h));
  const hints = staffingHints('elderly_care', { firstDay: first, counts }, daily, today, calendar);
  // Oct 10 is worked (国庆节调休上班); of the four Saturdays before it Oct 3 and Sep 26 were holidays.
  assert.deepEqual(hints, [
    {
      category: 'elderly_care',
      day: '2026-10-10',
      dayType: 'makeup_workday',
      holiday: '国庆节调休上班',
      expected: 10,
      usual: 2,
    },
  ]);
  // An ordinary fortnight gives none: each day's forecast is what its weekday brings.
  const calm = Array.from(
    { length: 14 },
    (_, h) => WEEK[dayInfo(calendar, day('2026-11-09') + h).weekday] ?? 0,
  );
  const november = Array.from({ length: day('2026-11-09') - first }, (_, i) => shape(first + i));
  assert.deepEqual(
    staffingHints('x', { firstDay: first, counts: november }, calm, day('2026-11-09'), calendar),
    [],
  );
});

function countsOf(from: string, to: string, perCategory: Record<string, (d: number) => number>): DayCount[] {
  const out: DayCount[] = [];
  for (let d = day(from); d < day(to); d++)
    for (const [category, f] of Object.entries(perCategory)) {
      const orders = f(d);
      if (orders > 0) out.push({ day: dayToIsoDate(d), category, orders });
    }
  return out;
}

test('the community is the sum of its categories, from the first day anything was counted', () => {
  const counts = countsOf('2026-03-02', '2026-11-20', {
    basic_living: (d) => shape(d),
    health: (d) => Math.round(shape(d) / 2),
  });
  const r = forecastDemand({
    counts: [...counts, { day: '2026-11-20', category: 'health', orders: 99 }],
    today: day('2026-11-20'),
    calendar,
    granularity: 'day',
    horizon: 7,
    categories: ['basic_living', 'health', 'social_culture'],
    includeAll: true,
  });
  assert.equal(r.historyFrom, '2026-03-02');
  assert.deepEqual(
    r.series.map((s) => s.key),
    ['all', 'basic_living', 'health', 'social_culture'],
  );
  const [all, living, health, social] = r.series;
  all?.forecast.forEach((p, i) => {
    const parts = (living?.forecast[i]?.orders ?? 0) + (health?.forecast[i]?.orders ?? 0);
    assert.ok(Math.abs(p.orders - parts) < 0.6, `${p.from}: ${p.orders} vs ${parts}`);
  });
  assert.equal(all?.history.at(-1)?.from, '2026-11-19', "today's partial count is not read");
  assert.equal(
    all?.history.at(-1)?.orders,
    shape(day('2026-11-19')) + Math.round(shape(day('2026-11-19')) / 2),
  );
  assert.deepEqual(
    social?.forecast.map((p) => p.orders),
    [0, 0, 0, 0, 0, 0, 0],
    'a category with no orders expects none',
  );
  assert.equal(all?.forecast[0]?.dayType, 'weekday');
  assert.ok(all?.accuracy?.beatsBaselines, 'a noiseless pattern is learned');
});

test('too short a history gives no forecast and no accuracy, rather than a guess', () => {
  const r = forecastDemand({
    counts: countsOf('2026-11-01', '2026-11-20', { health: () => 3 }),
    today: day('2026-11-20'),
    calendar,
    granularity: 'week',
    horizon: 4,
    categories: ['health'],
    includeAll: false,
  });
  assert.deepEqual(
    r.series.map((s) => [s.key, s.historyDays, s.forecast.length, s.accuracy]),
    [['health', 19, 0, null]],
  );
  assert.equal(r.series[0]?.history.length, 2, 'the whole weeks seen are still shown');
  const none = forecastDemand({
    counts: [],
    today: day('2026-11-20'),
    calendar,
    granularity: 'day',
    horizon: 3,
    categories: [],
    includeAll: true,
  });
  assert.equal(none.historyFrom, null);
  assert.deepEqual(none.series[0]?.forecast, []);
});

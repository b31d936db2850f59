import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  businessMsBetween,
  isWorkingTime,
  localDateOf,
  nextWorkingTime,
  workingIntervalsOn,
} from './business-time.ts';
import { validateCalendar } from './calendar.ts';
import type { BusinessCalendar, WorkPeriod } from './calendar.ts';
import { buildCalendar, buildChinaCalendar } from './sla.fixtures.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const china = buildChinaCalendar();

test('8 business hours from a weekday morning end at closing time, not next morning', () => {
  assert.equal(
    iso(addBusinessMinutes(china, at('2026-03-10T09:00:00+08:00'), 480)),
    '2026-03-10T10:00:00.000Z',
  );
  // Lunch is skipped; evenings and weekends do not count.
  assert.equal(
    iso(addBusinessMinutes(china, at('2026-03-10T11:00:00+08:00'), 120)),
    '2026-03-10T06:00:00.000Z',
  );
  assert.equal(
    iso(addBusinessMinutes(china, at('2026-03-13T17:00:00+08:00'), 120)),
    '2026-03-16T02:00:00.000Z',
  );
  assert.equal(
    iso(addBusinessMinutes(china, new Date('2026-03-14T20:00:00+08:00'), 1)),
    '2026-03-16T01:01:00.000Z',
  );
});

test('Spring Festival: the make-up Saturday works, the nine days off do not', () => {
  assert.equal(
    iso(addBusinessMinutes(china, at('2026-02-13T16:00:00+08:00'), 480)),
    iso(at('2026-02-14T16:00:00+08:00')),
  );
  assert.equal(
    iso(addBusinessMinutes(china, at('2026-02-14T17:00:00+08:00'), 480)),
    iso(at('2026-02-24T17:00:00+08:00')),
  );
  assert.equal(
    businessMinutesBetween(china, at('2026-02-14T18:00:00+08:00'), at('2026-02-24T09:00:00+08:00')),
    0,
  );
  assert.deepEqual(workingIntervalsOn(china, '2026-02-18'), []);
  assert.equal(workingIntervalsOn(china, '2026-02-28').length, 2);
  assert.equal(isWorkingTime(china, at('2026-10-05T10:00:00+08:00')), false);
  assert.equal(nextWorkingTime(china, at('2026-10-05T10:00:00+08:00')), at('2026-10-08T09:00:00+08:00'));
});

test('measuring is the inverse of adding, and negative when reversed', () => {
  const from = at('2026-04-30T10:30:00+08:00');
  const to = addBusinessMinutes(china, from, 1000);
  assert.equal(businessMinutesBetween(china, from, to), 1000);
  assert.equal(businessMinutesBetween(china, to, from), -1000);
  assert.equal(addBusinessMinutes(china, from, 0.5) - from, 30_000);
  assert.throws(() => addBusinessMinutes(china, from, -1), RangeError);
  assert.throws(() => addBusinessMinutes(china, Number.NaN, 1), RangeError);
});

const berlinNight = buildCalendar({
  id: 'berlin',
  timeZone: 'Europe/Berlin',
  weekly: { 0: [{ start: '00:00', end: '06:00' }], 1: [{ start: '08:00', end: '16:30' }] },
});
const newYorkNight = buildCalendar({
  id: 'ny',
  timeZone: 'America/New_York',
  weekly: { 0: [{ start: '01:00', end: '04:00' }] },
});

test('DST: a spring-forward night has an hour less, a fall-back night an hour more', () => {
  assert.equal(
    businessMinutesBetween(berlinNight, at('2026-03-28T00:00:00Z'), at('2026-03-30T00:00:00Z')),
    300,
  );
  assert.equal(
    businessMinutesBetween(berlinNight, at('2026-10-24T00:00:00Z'), at('2026-10-26T00:00:00Z')),
    420,
  );
  assert.equal(
    businessMinutesBetween(berlinNight, at('2026-03-21T00:00:00Z'), at('2026-03-23T00:00:00Z')),
    360,
  );
  // 01:30 CET + 60 business minutes crosses the skipped hour: 03:30 CEST.
  assert.equal(
    iso(addBusinessMinutes(berlinNight, at('2026-03-29T00:30:00Z'), 60)),
    '2026-03-29T01:30:00.000Z',
  );
  assert.equal(
    businessMinutesBetween(newYorkNight, at('2026-03-08T00:00:00Z'), at('2026-03-09T00:00:00Z')),
    120,
  );
  assert.equal(
    businessMinutesBetween(newYorkNight, at('2026-11-01T00:00:00Z'), at('2026-11-02T00:00:00Z')),
    240,
  );
  assert.equal(localDateOf('America/New_York', at('2026-11-01T04:30:00Z')), '2026-11-01');
});

test('Monday hours are local hours on both sides of a DST change', () => {
  const before = workingIntervalsOn(berlinNight, '2026-03-23');
  const after = workingIntervalsOn(berlinNight, '2026-03-30');
  assert.equal(iso(before[0]?.start ?? 0), '2026-03-23T07:00:00.000Z');
  assert.equal(iso(after[0]?.start ?? 0), '2026-03-30T06:00:00.000Z');
});

// ---------- properties ----------

const ZONES = ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
const FROM = at('2026-01-01T00:00:00Z');
const TO = at('2027-12-31T00:00:00Z');

const periodsArb: fc.Arbitrary<WorkPeriod[]> = fc
  .uniqueArray(fc.integer({ min: 0, max: 96 }), { minLength: 0, maxLength: 6 })
  .map((qs) => {
    const sorted = [...qs].sort((a, b) => a - b);
    const hhmm = (q: number) =>
      `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`;
    const out: WorkPeriod[] = [];
    for (let i = 0; i + 1 < sorted.length; i += 2)
      out.push({ start: hhmm(sorted[i] ?? 0), end: hhmm(sorted[i + 1] ?? 0) });
    return out;
  });
const dateArb = fc.integer({ min: FROM, max: TO }).map((t) => iso(t).slice(0, 10));

const calendarArb: fc.Arbitrary<BusinessCalendar> = fc
  .record({
    timeZone: fc.constantFrom(...ZONES),
    weekly: fc.array(periodsArb, { minLength: 7, maxLength: 7 }),
    holidays: fc.uniqueArray(dateArb, { maxLength: 30 }),
    workdays: fc.uniqueArray(dateArb, { maxLength: 5 }),
  })
  .filter((r) => r.weekly.some((p) => p.length > 0) && (r.weekly[1]?.length ?? 0) > 0)
  .map((r) => {
    const result = validateCalendar({
      id: 'random',
      name: 'random',
      mode: 'business',
      timeZone: r.timeZone,
      weekly: Object.fromEntries(r.weekly.map((p, i) => [i, p])),
      holidays: r.holidays,
      workdays: r.workdays.filter((d) => !r.holidays.includes(d)),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.value;
  });
const calendarsArb = fc.oneof(
  calendarArb,
  fc.constant(china),
  fc.constant(berlinNight),
  fc.constant(newYorkNight),
);
const instantArb = fc.integer({ min: FROM / 1000, max: TO / 1000 }).map((s) => s * 1000);
const minutesArb = fc.integer({ min: 0, max: 6000 });

test('property: measuring what was added gives the same duration', () => {
  fc.assert(
    fc.property(calendarsArb, instantArb, minutesArb, (cal, t, m) => {
      assert.equal(businessMinutesBetween(cal, t, addBusinessMinutes(cal, t, m)), m);
    }),
    { numRuns: 300 },
  );
});

test('property: monotone in the start and the duration; additive', () => {
  fc.assert(
    fc.property(calendarsArb, instantArb, instantArb, minutesArb, minutesArb, (cal, t1, t2, a, b) => {
      const [lo, hi] = t1 <= t2 ? [t1, t2] : [t2, t1];
      assert.ok(addBusinessMinutes(cal, lo, a) <= addBusinessMinutes(cal, hi, a));
      assert.ok(addBusinessMinutes(cal, lo, Math.min(a, b)) <= addBusinessMinutes(cal, lo, Math.max(a, b)));
      assert.equal(
        addBusinessMinutes(cal, addBusinessMinutes(cal, lo, a), b),
        addBusinessMinutes(cal, lo, a + b),
      );
      const between = businessMinutesBetween(cal, lo, hi);
      assert.ok(between >= 0 && between <= (hi - lo) / 60_000);
      const mid = lo + Math.floor((hi - lo) / 2);
      assert.equal(
        businessMsBetween(cal, lo, mid) + businessMsBetween(cal, mid, hi),
        businessMsBetween(cal, lo, hi),
      );
    }),
    { numRuns: 200 },
  );
});

test('property: a deadline never lands on a holiday or outside hours, except exactly at a period end', () => {
  fc.assert(
    fc.property(calendarsArb, instantArb, fc.integer({ min: 1, max: 6000 }), (cal, t, m) => {
      const due = addBusinessMinutes(cal, t, m);
      assert.ok(due > t);
      const justBefore = due - 1;
      assert.ok(isWorkingTime(cal, justBefore), `${iso(due)} is not inside or at the end of working time`);
      assert.ok(!cal.holidays.includes(localDateOf(cal.timeZone, justBefore)));
    }),
    { numRuns: 300 },
  );
});

test('property: a 24x7 calendar is wall-clock time in any zone', () => {
  fc.assert(
    fc.property(fc.constantFrom(...ZONES), instantArb, minutesArb, instantArb, (timeZone, t, m, u) => {
      const r = validateCalendar({
        id: 'h',
        name: 'hotline',
        mode: '24x7',
        timeZone,
        holidays: ['2026-10-01'],
      });
      assert.ok(r.ok);
      assert.equal(addBusinessMinutes(r.value, t, m), t + m * 60_000);
      assert.equal(businessMinutesBetween(r.value, t, u), (u - t) / 60_000);
    }),
  );
});

test('property: in a round-the-clock business calendar DST days are 23 h and 25 h long', () => {
  const allDay = Object.fromEntries(
    [0, 1, 2, 3, 4, 5, 6].map((d) => [d, [{ start: '00:00', end: '24:00' }]]),
  );
  fc.assert(
    fc.property(fc.constantFrom(...ZONES), dateArb, (timeZone, date) => {
      const cal = buildCalendar({ id: 'all', timeZone, weekly: allDay });
      const [iv] = workingIntervalsOn(cal, date);
      assert.ok(iv);
      const hours = (iv.end - iv.start) / 3_600_000;
      assert.ok([23, 23.5, 24, 24.5, 25].includes(hours), `${timeZone} ${date}: ${hours} h`);
      assert.equal(businessMinutesBetween(cal, iv.start, iv.end), hours * 60);
    }),
    { numRuns: 200 },
  );
});

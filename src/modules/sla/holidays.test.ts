import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyHolidayFiles, CN_HOLIDAY_FILES, parseHolidayFile } from './holidays.ts';
import { buildCalendar } from './sla.fixtures.ts';

const weekday = (iso: string) => new Date(`${iso}T00:00:00Z`).getUTCDay();
const datesNamed = (entries: Array<{ date: string; name: string }>, name: string) =>
  entries.filter((e) => e.name === name).map((e) => e.date);

test('2026 follows the State Council notice', () => {
  const f = CN_HOLIDAY_FILES[2026];
  assert.ok(f);
  assert.equal(f.provisional, false);
  assert.deepEqual(datesNamed(f.holidays, '元旦'), ['2026-01-01', '2026-01-02', '2026-01-03']);
  assert.equal(datesNamed(f.holidays, '春节').length, 9);
  assert.equal(datesNamed(f.holidays, '春节')[0], '2026-02-15');
  assert.equal(datesNamed(f.holidays, '国庆节').at(-1), '2026-10-07');
  assert.equal(f.holidays.length, 3 + 9 + 3 + 5 + 3 + 3 + 7);
  assert.deepEqual(
    f.workdays.map((w) => w.date),
    ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  );
  // 调休 days are weekend days: Sun, Sat, Sat, Sat, Sun, Sat.
  assert.deepEqual(
    f.workdays.map((w) => weekday(w.date)),
    [0, 6, 6, 6, 0, 6],
  );
});

test('2027 is shipped as a provisional projection around the statutory days', () => {
  const f = CN_HOLIDAY_FILES[2027];
  assert.ok(f);
  assert.equal(f.provisional, true);
  assert.match(f.note ?? '', /replace/i);
  const off = new Set(f.holidays.map((h) => h.date));
  for (const statutory of [
    '2027-01-01',
    '2027-02-05',
    '2027-02-06',
    '2027-02-07',
    '2027-02-08',
    '2027-04-05',
    '2027-05-01',
    '2027-05-02',
    '2027-06-09',
    '2027-09-15',
    '2027-10-01',
    '2027-10-02',
    '2027-10-03',
  ])
    assert.ok(off.has(statutory), statutory);
  for (const w of f.workdays) assert.ok([0, 6].includes(weekday(w.date)), w.date);
});

test('a file for another year, or with a stray date, is refused naming the field', () => {
  const bad = parseHolidayFile({ ...CN_HOLIDAY_FILES[2026] }, 2027);
  assert.equal(bad.ok, false);
  if (bad.ok) return;
  assert.equal(bad.errors[0]?.code, 'holiday_wrong_year');
  assert.equal(bad.errors[0]?.field, 'year');
  assert.ok(bad.errors.some((e) => e.field === 'holidays[0].date' && e.code === 'holiday_wrong_year'));

  const stray = parseHolidayFile(
    {
      year: 2026,
      source: 'x',
      holidays: [
        { date: '2026-01-01', name: '元旦' },
        { date: '2025-12-31', name: '元旦' },
      ],
      workdays: [],
    },
    2026,
  );
  assert.deepEqual(stray.ok ? [] : stray.errors.map((e) => [e.code, e.field]), [
    ['holiday_wrong_year', 'holidays[1].date'],
  ]);
});

test('conflicts, duplicates, weekday make-up days and malformed entries are refused', () => {
  const r = parseHolidayFile(
    {
      year: 2026,
      source: 'x',
      holidays: [
        { date: '2026-10-01', name: '国庆节' },
        { date: '2026-10-01', name: '国庆节' },
        { date: '2026-13-01', name: 'x' },
        { date: '2026-10-02' },
      ],
      workdays: [
        { date: '2026-10-01', name: '调休' },
        { date: '2026-10-09', name: '调休' },
      ],
    },
    2026,
  );
  assert.deepEqual(r.ok ? [] : r.errors.map((e) => [e.code, e.field]), [
    ['holiday_duplicate_date', 'holidays[1].date'],
    ['holiday_bad_date', 'holidays[2].date'],
    ['holiday_file_malformed', 'holidays[3]'],
    ['holiday_date_conflict', 'workdays[0].date'],
    ['holiday_workday_not_weekend', 'workdays[1].date'],
  ]);
  assert.equal(parseHolidayFile('nope', 2026).ok, false);
  assert.equal(parseHolidayFile({ year: 2026, source: '', holidays: {}, workdays: [] }, 2026).ok, false);
});

test("applying a year's file keeps the calendar's own dates over it, and is idempotent", () => {
  const f = CN_HOLIDAY_FILES[2026];
  assert.ok(f);
  // Own dates: a closure in another year, a closure on a working Tuesday, open on a National Day.
  const cal = buildCalendar({ holidays: ['2025-10-01', '2026-03-03'], workdays: ['2026-10-05'] });
  const once = applyHolidayFiles(cal, [f]);
  assert.ok(once.holidays.includes('2025-10-01'));
  assert.ok(once.holidays.includes('2026-03-03'));
  assert.ok(once.workdays.includes('2026-10-05'));
  assert.ok(!once.holidays.includes('2026-10-05'));
  assert.ok(once.holidays.includes('2026-10-01'));
  assert.equal(once.holidays.length, 2 + f.holidays.length - 1);
  assert.equal(once.workdays.length, 1 + f.workdays.length);
  assert.deepEqual(applyHolidayFiles(once, [f]), once);
});

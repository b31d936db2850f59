import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClockTime, validateCalendar } from './calendar.ts';
import type { BusinessCalendarInput } from './calendar.ts';
import type { SlaIssue } from './sla.errors.ts';
import { OFFICE_DAY } from './sla.fixtures.ts';

const base: BusinessCalendarInput = { id: 'c1', name: 'Centre', mode: 'business', weekly: { 1: OFFICE_DAY } };

function errorsOf(input: BusinessCalendarInput): SlaIssue[] {
  const r = validateCalendar(input);
  assert.equal(r.ok, false, 'expected the calendar to be refused');
  return r.ok ? [] : r.errors;
}

test('a valid calendar is normalised: Shanghai by default, Monday hours for make-up days, dates sorted', () => {
  const r = validateCalendar({
    ...base,
    holidays: ['2026-10-02', '2026-10-01', '2026-10-01'],
    workdays: ['2026-10-10'],
  });
  assert.ok(r.ok);
  assert.equal(r.value.timeZone, 'Asia/Shanghai');
  assert.equal(r.value.workdayHoursFrom, 1);
  assert.deepEqual(r.value.holidays, ['2026-10-01', '2026-10-02']);
});

test('clock times: HH:MM, 24:00 only as an end', () => {
  assert.equal(parseClockTime('09:30', false), 570);
  assert.equal(parseClockTime('24:00', true), 1440);
  assert.equal(parseClockTime('24:00', false), undefined);
  assert.equal(parseClockTime('24:01', true), undefined);
  assert.equal(parseClockTime('9:30', false), undefined);
  assert.equal(parseClockTime('12:60', false), undefined);
});

test('overlapping periods are refused, naming the later period', () => {
  const errors = errorsOf({
    ...base,
    weekly: {
      2: [
        { start: '13:00', end: '18:00' },
        { start: '09:00', end: '13:30' },
      ],
    },
  });
  assert.deepEqual(
    errors.map((e) => [e.code, e.field]),
    [['calendar_period_overlap', 'weekly.2[0]']],
  );
});

test('adjacent periods are fine; inverted, empty and malformed ones are not', () => {
  assert.ok(
    validateCalendar({
      ...base,
      weekly: {
        1: [
          { start: '09:00', end: '12:00' },
          { start: '12:00', end: '24:00' },
        ],
      },
    }).ok,
  );
  const errors = errorsOf({
    ...base,
    weekly: {
      1: [{ start: '18:00', end: '09:00' }],
      3: [{ start: '10:00', end: '10:00' }],
      4: [{ start: '9am', end: '25:00' }],
    },
  });
  assert.deepEqual(
    errors.map((e) => [e.code, e.field]),
    [
      ['calendar_period_inverted', 'weekly.1[0]'],
      ['calendar_period_inverted', 'weekly.3[0]'],
      ['calendar_bad_time', 'weekly.4[0].start'],
      ['calendar_bad_time', 'weekly.4[0].end'],
      ['calendar_no_working_time', 'weekly'],
    ],
  );
});

test('unknown time zone, weekday keys and dates are refused by field', () => {
  const weekly = { 7: OFFICE_DAY } as unknown as BusinessCalendarInput['weekly'];
  const codes = errorsOf({ ...base, timeZone: 'Mars/Olympus', weekly, holidays: ['2026-02-30'] }).map((e) => [
    e.code,
    e.field,
  ]);
  assert.deepEqual(codes, [
    ['calendar_unknown_time_zone', 'timeZone'],
    ['calendar_bad_weekday', 'weekly.7'],
    ['calendar_bad_date', 'holidays[0]'],
    ['calendar_no_working_time', 'weekly'],
  ]);
});

test('a date cannot be both a holiday and a make-up workday', () => {
  const errors = errorsOf({ ...base, holidays: ['2026-10-10'], workdays: ['2026-10-09', '2026-10-10'] });
  assert.deepEqual(
    errors.map((e) => [e.code, e.field]),
    [['calendar_date_conflict', 'workdays[1]']],
  );
});

test('a 24x7 calendar needs no hours; a business calendar borrowing an empty weekday is refused', () => {
  assert.ok(validateCalendar({ id: 'x', name: 'Hotline', mode: '24x7' }).ok);
  const errors = errorsOf({ ...base, workdays: ['2026-10-10'], workdayHoursFrom: 0 });
  assert.equal(errors[0]?.code, 'calendar_no_working_time');
  assert.equal(errors[0]?.field, 'workdayHoursFrom');
});

test('lists that are not lists are refused, not crashed on', () => {
  const input = { ...base, holidays: '2026-10-01', workdays: 7 } as unknown as BusinessCalendarInput;
  assert.deepEqual(
    errorsOf(input).map((e) => [e.code, e.field]),
    [
      ['calendar_invalid_field', 'holidays'],
      ['calendar_invalid_field', 'workdays'],
    ],
  );
});

/**
 * Business calendars: the model and its validation. Arithmetic lives in business-time.ts.
 *
 * A calendar is either round the clock (`24x7`) or `business`: working periods per weekday in
 * the calendar's time zone, minus holidays, plus make-up working days (调休) that borrow one
 * weekday's hours. Calendars are treated as immutable values; an edit produces a new object.
 */
import { issue } from './sla.errors.ts';
import type { SlaIssue, SlaResult } from './sla.errors.ts';
import { isoDateToDay, isValidTimeZone } from './zone.ts';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
export const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6] as const;
/** 0 = Sunday … 6 = Saturday, as `Date#getDay`. */
export type Weekday = (typeof WEEKDAYS)[number];

/** A working period in local wall-clock time; `end` may be `24:00`. */
export interface WorkPeriod {
  start: string;
  end: string;
}

export type CalendarMode = '24x7' | 'business';
export type WeeklyHours = Readonly<Partial<Record<Weekday, readonly WorkPeriod[]>>>;

export interface BusinessCalendar {
  readonly id: string;
  readonly name: string;
  /** IANA zone name. */
  readonly timeZone: string;
  readonly mode: CalendarMode;
  readonly weekly: WeeklyHours;
  /** ISO dates (`YYYY-MM-DD`, local) with no working time. */
  readonly holidays: readonly string[];
  /** ISO dates of make-up working days (调休), worked with the hours of `workdayHoursFrom`. */
  readonly workdays: readonly string[];
  readonly workdayHoursFrom: Weekday;
}

/** What an admin or an import supplies; omitted fields take their defaults. */
export interface BusinessCalendarInput {
  id: string;
  name: string;
  timeZone?: string;
  mode: CalendarMode;
  weekly?: WeeklyHours;
  holidays?: readonly string[];
  workdays?: readonly string[];
  workdayHoursFrom?: Weekday;
}

/** Minutes since local midnight of `HH:MM` (`24:00` allowed as an end), or undefined. */
export function parseClockTime(text: string, allowEndOfDay: boolean): number | undefined {
  const m = typeof text === 'string' ? /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text) : null;
  if (!m) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (minutes > 1440 || (minutes === 1440 && !allowEndOfDay)) return undefined;
  return minutes;
}

/**
 * Checks a calendar and returns it normalised (defaults filled, dates sorted and de-duplicated),
 * or every problem found: bad or inverted or overlapping periods, unknown weekday keys, unknown
 * time zone, malformed dates, a date that is both holiday and workday, a business calendar with
 * no working time at all.
 */
export function validateCalendar(input: BusinessCalendarInput): SlaResult<BusinessCalendar> {
  const errors: SlaIssue[] = [];
  if (typeof input.id !== 'string' || input.id.trim() === '')
    errors.push(issue('calendar_invalid_field', 'id', 'id must be a non-empty string'));
  if (typeof input.name !== 'string' || input.name.trim() === '')
    errors.push(issue('calendar_invalid_field', 'name', 'name must be a non-empty string'));
  if (input.mode !== '24x7' && input.mode !== 'business')
    errors.push(issue('calendar_invalid_field', 'mode', "mode must be '24x7' or 'business'"));
  const timeZone = input.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(timeZone))
    errors.push(issue('calendar_unknown_time_zone', 'timeZone', `unknown time zone "${String(timeZone)}"`));

  const weekly = input.weekly ?? {};
  const workingWeekdays = validateWeekly(weekly, errors);
  const workdayHoursFrom = input.workdayHoursFrom ?? 1;
  if (!WEEKDAYS.includes(workdayHoursFrom))
    errors.push(issue('calendar_bad_weekday', 'workdayHoursFrom', 'workdayHoursFrom must be 0 (Sunday) … 6'));

  const holidays = validateDates(input.holidays ?? [], 'holidays', errors);
  const workdays = validateDates(input.workdays ?? [], 'workdays', errors);
  const holidaySet = new Set(holidays);
  const rawWorkdays: readonly unknown[] = Array.isArray(input.workdays) ? input.workdays : [];
  rawWorkdays.forEach((date, i) => {
    if (typeof date !== 'string') return;
    if (holidaySet.has(date))
      errors.push(
        issue('calendar_date_conflict', `workdays[${i}]`, `${date} is both a holiday and a workday`),
      );
  });
  if (input.mode === 'business' && workingWeekdays.size === 0)
    errors.push(issue('calendar_no_working_time', 'weekly', 'a business calendar needs working hours'));
  if (input.mode === 'business' && workdays.length > 0 && !workingWeekdays.has(workdayHoursFrom))
    errors.push(
      issue(
        'calendar_no_working_time',
        'workdayHoursFrom',
        'make-up workdays borrow a weekday without hours',
      ),
    );

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      id: input.id,
      name: input.name,
      timeZone,
      mode: input.mode,
      weekly,
      holidays,
      workdays,
      workdayHoursFrom,
    },
  };
}

/** Validates weekly periods; returns the weekdays that have working time. */
function validateWeekly(weekly: WeeklyHours, errors: SlaIssue[]): Set<number> {
  const working = new Set<number>();
  if (typeof weekly !== 'object' || weekly === null) {
    errors.push(issue('calendar_invalid_field', 'weekly', 'weekly must map weekdays 0-6 to periods'));
    return working;
  }
  for (const [key, periods] of Object.entries(weekly)) {
    const field = `weekly.${key}`;
    if (!/^[0-6]$/.test(key)) {
      errors.push(issue('calendar_bad_weekday', field, `weekday "${key}" must be 0 (Sunday) … 6 (Saturday)`));
      continue;
    }
    if (!Array.isArray(periods)) {
      errors.push(issue('calendar_invalid_field', field, 'periods must be a list'));
      continue;
    }
    const spans: Array<{ start: number; end: number; i: number }> = [];
    periods.forEach((p: WorkPeriod, i: number) => {
      const start = parseClockTime(p?.start, false);
      const end = parseClockTime(p?.end, true);
      if (start === undefined)
        errors.push(issue('calendar_bad_time', `${field}[${i}].start`, 'start must be HH:MM (00:00-23:59)'));
      if (end === undefined)
        errors.push(issue('calendar_bad_time', `${field}[${i}].end`, 'end must be HH:MM (00:01-24:00)'));
      if (start === undefined || end === undefined) return;
      if (end <= start) {
        errors.push(
          issue('calendar_period_inverted', `${field}[${i}]`, `${p.start}-${p.end} ends before it starts`),
        );
        return;
      }
      spans.push({ start, end, i });
    });
    spans.sort((a, b) => a.start - b.start);
    for (let k = 1; k < spans.length; k++) {
      const prev = spans[k - 1];
      const cur = spans[k];
      if (prev && cur && cur.start < prev.end)
        errors.push(
          issue(
            'calendar_period_overlap',
            `${field}[${cur.i}]`,
            `period overlaps ${field}[${prev.i}] on weekday ${key}`,
          ),
        );
    }
    if (spans.length > 0) working.add(Number(key));
  }
  return working;
}

function validateDates(dates: readonly string[], field: string, errors: SlaIssue[]): string[] {
  if (!Array.isArray(dates)) {
    errors.push(issue('calendar_invalid_field', field, `${field} must be a list of ISO dates`));
    return [];
  }
  const seen = new Set<string>();
  dates.forEach((date, i) => {
    if (typeof date !== 'string' || isoDateToDay(date) === undefined) {
      errors.push(issue('calendar_bad_date', `${field}[${i}]`, `"${String(date)}" is not a date YYYY-MM-DD`));
      return;
    }
    seen.add(date);
  });
  return [...seen].sort();
}

/**
 * Public holidays and make-up working days (调休) as data, one file per year
 * (`holidays/cn-2026.json`). Admins import a new year's file when the State Council publishes it;
 * the importer refuses a file whose dates stray outside the year it declares.
 */
import type { BusinessCalendar } from './calendar.ts';
import { issue } from './sla.errors.ts';
import type { SlaIssue, SlaResult } from './sla.errors.ts';
import { isoDateToDay, weekdayOfDay } from './zone.ts';
import cn2026 from './holidays/cn-2026.json' with { type: 'json' };
import cn2027 from './holidays/cn-2027.json' with { type: 'json' };

export interface HolidayEntry {
  date: string;
  name: string;
}

export interface HolidayFile {
  year: number;
  source: string;
  /** True while the file is a projection rather than the published notice. */
  provisional: boolean;
  note?: string;
  holidays: HolidayEntry[];
  workdays: HolidayEntry[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses and checks a year file: `year` must equal `expectedYear`, every date must be a real
 * `YYYY-MM-DD` inside that year and listed once, no date may be both holiday and workday, and a
 * make-up workday must fall on a Saturday or Sunday (that is what makes it a make-up day).
 */
export function parseHolidayFile(json: unknown, expectedYear: number): SlaResult<HolidayFile> {
  const errors: SlaIssue[] = [];
  if (!isRecord(json)) {
    return {
      ok: false,
      errors: [issue('holiday_file_malformed', '', 'a holiday file must be a JSON object')],
    };
  }
  const { year, source, provisional, note } = json;
  if (typeof year !== 'number' || !Number.isInteger(year)) {
    errors.push(issue('holiday_file_malformed', 'year', 'year must be an integer'));
  } else if (year !== expectedYear) {
    errors.push(issue('holiday_wrong_year', 'year', `the file is for ${year}, ${expectedYear} was expected`));
  }
  if (typeof source !== 'string' || source.trim() === '')
    errors.push(issue('holiday_file_malformed', 'source', 'source must name where the dates come from'));
  if (provisional !== undefined && typeof provisional !== 'boolean')
    errors.push(issue('holiday_file_malformed', 'provisional', 'provisional must be true or false'));
  if (note !== undefined && typeof note !== 'string')
    errors.push(issue('holiday_file_malformed', 'note', 'note must be text'));

  const seen = new Map<string, string>();
  const entries = (key: 'holidays' | 'workdays'): HolidayEntry[] => {
    const list = json[key];
    if (!Array.isArray(list)) {
      errors.push(issue('holiday_file_malformed', key, `${key} must be a list of { date, name }`));
      return [];
    }
    const out: HolidayEntry[] = [];
    list.forEach((entry: unknown, i: number) => {
      const field = `${key}[${i}]`;
      if (
        !isRecord(entry) ||
        typeof entry.date !== 'string' ||
        typeof entry.name !== 'string' ||
        !entry.name.trim()
      ) {
        errors.push(issue('holiday_file_malformed', field, 'each entry needs a date and a name'));
        return;
      }
      const { date, name } = entry;
      const day = isoDateToDay(date);
      if (day === undefined) {
        errors.push(issue('holiday_bad_date', `${field}.date`, `"${date}" is not a date YYYY-MM-DD`));
        return;
      }
      if (date.slice(0, 4) !== String(expectedYear)) {
        errors.push(issue('holiday_wrong_year', `${field}.date`, `${date} is not in ${expectedYear}`));
        return;
      }
      const before = seen.get(date);
      if (before === key) {
        errors.push(issue('holiday_duplicate_date', `${field}.date`, `${date} is listed twice`));
        return;
      }
      if (before !== undefined) {
        errors.push(
          issue('holiday_date_conflict', `${field}.date`, `${date} is both a holiday and a workday`),
        );
        return;
      }
      const weekday = weekdayOfDay(day);
      if (key === 'workdays' && weekday !== 0 && weekday !== 6) {
        errors.push(issue('holiday_workday_not_weekend', `${field}.date`, `${date} is already a weekday`));
        return;
      }
      seen.set(date, key);
      out.push({ date, name });
    });
    return out.sort((a, b) => a.date.localeCompare(b.date));
  };
  const holidays = entries('holidays');
  const workdays = entries('workdays');
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      year: expectedYear,
      source: String(source),
      provisional: provisional === true,
      ...(typeof note === 'string' ? { note } : {}),
      holidays,
      workdays,
    },
  };
}

/**
 * The calendar with the region's holiday files applied: each file's holidays and make-up workdays
 * (a corrected notice for a year is a new file for that year, so applying is idempotent), with
 * the calendar's own dates standing over them. Its own dates are its local exceptions: a closure
 * on a working day, or the centre open on a public holiday; they used to be dropped in any year a
 * file covered.
 */
export function applyHolidayFiles(
  calendar: BusinessCalendar,
  files: readonly HolidayFile[],
): BusinessCalendar {
  const ownHolidays = new Set(calendar.holidays);
  const ownWorkdays = new Set(calendar.workdays);
  const holidays = [
    ...calendar.holidays,
    ...files.flatMap((f) => f.holidays.map((h) => h.date)).filter((d) => !ownWorkdays.has(d)),
  ];
  const workdays = [
    ...calendar.workdays,
    ...files.flatMap((f) => f.workdays.map((w) => w.date)).filter((d) => !ownHolidays.has(d)),
  ];
  return { ...calendar, holidays: [...new Set(holidays)].sort(), workdays: [...new Set(workdays)].sort() };
}

function builtIn(json: unknown, year: number): HolidayFile {
  const parsed = parseHolidayFile(json, year);
  if (!parsed.ok) throw new Error(`built-in holiday file ${year} is invalid: ${parsed.errors[0]?.message}`);
  return parsed.value;
}

/** The shipped mainland-China files by year (2027 is provisional until the notice is published). */
export const CN_HOLIDAY_FILES: Readonly<Record<number, HolidayFile>> = {
  2026: builtIn(cn2026, 2026),
  2027: builtIn(cn2027, 2027),
};

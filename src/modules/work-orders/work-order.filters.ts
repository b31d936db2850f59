/**
 * The order list's filters as people type them, checked the same way for the API and the
 * `linli export` command: a status list, a creation-time range, the search text. Pure: no clock,
 * no database.
 */
import { invalidInput } from '../../platform/errors.ts';
import { STATUSES, type Status } from './work-order.machine.ts';
import { CHANNELS, type Channel } from '../../platform/auth/principal.ts';
import { URGENCIES, allCategoryCodes, type Urgency } from '../taxonomy/taxonomy.default.ts';

/** How a field is named in messages: `from` in the API, `--from` on the command line. */
export type FieldLabel = (field: 'status' | 'channel' | 'urgency' | 'category' | 'from' | 'to') => string;
const plain: FieldLabel = (f) => f;

/** The values of a comma list, each one of `known`; an unknown one is refused naming the field. */
function knownList<T extends string>(
  text: string | undefined,
  field: 'status' | 'channel' | 'urgency' | 'category',
  known: readonly T[],
  label: FieldLabel,
): T[] | undefined {
  if (text === undefined) return undefined;
  const wanted = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Given but naming nothing (`--status ''`, `?status=,`): refused, where it read as no filter at all.
  if (wanted.length === 0) throw invalidInput(field, `${label(field)}: name at least one ${field}`);
  const unknown = wanted.filter((s) => !(known as readonly string[]).includes(s));
  if (unknown.length) {
    throw invalidInput(
      field,
      `${label(field)}: unknown ${field} ${unknown.map((s) => `"${s}"`).join(', ')} (one of ${known.join(', ')})`,
    );
  }
  return wanted as T[];
}

/**
 * The statuses of a comma list (`submitted,accepted`). An unknown status is refused
 * (`invalid_input` naming `status`) rather than matching nothing.
 */
export function parseStatusList(text: string | undefined, label: FieldLabel = plain): Status[] | undefined {
  return knownList(text, 'status', STATUSES, label);
}

/** The channels of a comma list, checked like statuses. */
export function parseChannelList(text: string | undefined, label: FieldLabel = plain): Channel[] | undefined {
  return knownList(text, 'channel', CHANNELS, label);
}

const CATEGORY_CODES = allCategoryCodes();

/** The categories or sub-categories of a comma list, each one intake would take; checked like statuses. */
export function parseCategoryList(text: string | undefined, label: FieldLabel = plain): string[] | undefined {
  return knownList(text, 'category', CATEGORY_CODES, label);
}

/** The urgencies of a comma list, checked like statuses. */
export function parseUrgencyList(text: string | undefined, label: FieldLabel = plain): Urgency[] | undefined {
  return knownList(text, 'urgency', URGENCIES, label);
}

// RFC 3339 date-time, the API's `format: date-time`: a date, a time and a zone.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)$/;

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (year: number, month: number) =>
  new Date(Date.UTC(isLeap(year) ? 2000 : 2001, month, 0)).getUTCDate();
// The Gregorian calendar repeats every 400 years; Date.UTC reads years 0–99 as 1900–1999.
const CYCLE_MS = 146_097 * 86_400_000;

/**
 * An RFC 3339 date-time as the UTC ISO string the database stores (`2026-12-04T00:00:00.000Z`),
 * or null when the text is not one. Times are stored and compared as such strings, so an
 * instant given with another offset or without milliseconds must be rewritten to compare right.
 * Only instants of the years 0000–9999 in UTC are such strings: `9999-12-31T23:59:59-01:00`
 * would be `+010000-01-01T00:59:59.000Z`, which sorts before every stored time; it is null.
 */
export function utcInstant(text: string): string | null {
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetHours = Number(m[9] ?? 0);
  const offsetMinutes = Number(m[10] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 60 || offsetHours > 23 || offsetMinutes > 59) return null;
  const millis = Number(((m[7] ?? '') + '000').slice(0, 3));
  const offset = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  const iso = new Date(
    Date.UTC(year + 400, month - 1, day, hour, minute - offset, second, millis) - CYCLE_MS,
  ).toISOString();
  // Outside 0000–9999 the year gains a sign and two digits (`+010000-…`, `-000001-…`).
  return /^\d{4}-/.test(iso) ? iso : null;
}

/**
 * A creation-time range `[from, to)`: `from` is included, `to` is not. Each bound is an RFC 3339
 * date-time with a zone, returned in UTC; a plain date is refused with the form to use, and an
 * empty range (`from` not before `to`) is refused rather than answering nothing.
 */
export function parseTimeRange(
  range: { from?: string | undefined; to?: string | undefined },
  label: FieldLabel = plain,
): { from?: string; to?: string } {
  const out: { from?: string; to?: string } = {};
  for (const field of ['from', 'to'] as const) {
    const text = range[field];
    if (text === undefined) continue;
    const at = utcInstant(text);
    if (at === null) {
      const example = /^\d{4}-\d{2}-\d{2}$/.test(text)
        ? `${text}T00:00:00+08:00`
        : '2026-12-04T00:00:00+08:00';
      throw invalidInput(
        field,
        `${label(field)}: "${text}" is not a date-time with a time zone within the years 0000–9999 (UTC), such as ${example}`,
      );
    }
    out[field] = at;
  }
  if (out.from !== undefined && out.to !== undefined && out.from >= out.to) {
    throw invalidInput(
      'from',
      `${label('from')} must be before ${label('to')} (${label('to')} is exclusive: the range ends just before it)`,
    );
  }
  return out;
}

/** The text with its ASCII letters in lower case, and nothing else changed. */
/** The text with its ASCII letters in lower case, and nothing else changed (as SQLite's LIKE compares). */
export const asciiLower = (t: string) => t.replace(/[A-Z]+/g, (s) => s.toLowerCase());

/** Full-width digits and Latin letters (０-９, Ａ-Ｚ, ａ-ｚ): an input method left in full-width mode types them. */
const FULL_WIDTH_ALNUM = /[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/g;

/**
 * The text with full-width digits and Latin letters as their ASCII selves (３号楼 → 3号楼,
 * ＷｉＦｉ → WiFi), and nothing else changed: full-width punctuation (，。) stays, so most
 * Chinese text is its own folded form. Stored text is searched in this form (the columns
 * `description_folded`, `address_folded` and `search_text` hold it where it differs), and
 * queries are folded the same way.
 */
export function foldWidth(text: string): string {
  return text.replace(FULL_WIDTH_ALNUM, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/** `foldWidth(text)` when that differs from the text, else null (what the folded columns store). */
export function foldedOrNull(text: string | null): string | null {
  if (text === null) return null;
  const folded = foldWidth(text);
  return folded === text ? null : folded;
}

/** ASCII punctuation typed where Chinese text has its full-width form (not `.`: 3.5 is a number). */
const HALF_WIDTH_PUNCTUATION = /[,;:!?()]/g;
const fullWidthPunctuation = (t: string) =>
  t.replace(HALF_WIDTH_PUNCTUATION, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/**
 * What a text search (`q`) looks for, letter case aside: the text with full-width digits and
 * letters folded (`foldWidth`, as the stored text is searched) and its ASCII letters in lower
 * case; also its NFKC form when that differs (① finds 1, and 灯坏了，晚上 finds 灯坏了,晚上), and
 * its ASCII punctuation in full width when it has any (灯坏了,晚上 finds 灯坏了，晚上, as Chinese
 * text is mostly written). Punctuation is not folded in the stored text, which so stays its own
 * folded form and leaves the folded columns empty; the query carries both forms instead. So
 * ｗｉｆｉ finds WiFi and wifi finds ｗｉｆｉ. The repository matches every column folded the same way.
 */
export function searchPatterns(text: string): string[] {
  const typed = asciiLower(foldWidth(text));
  const patterns = new Set([typed, asciiLower(text.normalize('NFKC')), fullWidthPunctuation(typed)]);
  return [...patterns];
}

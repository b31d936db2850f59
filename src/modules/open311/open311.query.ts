/**
 * The parameters of GET requests, read the way the standard says: an empty parameter is an absent
 * one; `service_request_id` overrides every other filter; a date range defaults to the last 90
 * days and may not span more; at most 1,000 rows. Pure: the caller passes the time.
 */
import { badRequest } from './open311.errors.ts';

export const MAX_ROWS = 1000;
/**
 * Ids one request may list in `service_request_id`: 200 ids of 23 characters (TAOYUAN-20261120-000042)
 * make a URL of about 5 KB, which passes common proxies (8 KB lines) and the server's 16 KiB of
 * headers; 800 did not, and were refused before they reached the API.
 */
export const MAX_IDS = 200;
export const WINDOW_MS = 90 * 86_400_000;

/** W3C date-time with seconds optional and the time zone required. */
const W3 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export const OPEN_STATUSES = ['submitted', 'accepted', 'dispatched', 'in_progress', 'waiting_on_resident'];
export const CLOSED_STATUSES = ['resolved', 'closed', 'referred', 'duplicate', 'not_actionable', 'cancelled'];

export interface RawRequestsQuery {
  service_request_id?: string | undefined;
  service_code?: string | undefined;
  start_date?: string | undefined;
  end_date?: string | undefined;
  status?: string | undefined;
  updated_after?: string | undefined;
  updated_before?: string | undefined;
  page?: string | undefined;
  page_size?: string | undefined;
  extensions?: string | undefined;
}

export interface RequestsFilter {
  numbers?: string[] | undefined;
  codes?: string[] | undefined;
  statuses?: string[] | undefined;
  createdFrom?: string | undefined;
  createdTo?: string | undefined;
  updatedFrom?: string | undefined;
  updatedTo?: string | undefined;
  limit: number;
  offset: number;
  extensions: boolean;
}

const TOO_MANY_IDS = `service_request_id: at most ${MAX_IDS} ids in one request (send several requests)`;

/** The ids of a `service_request_id` list, without repeats; a 400 past `MAX_IDS`. */
export function parseIds(v: string): string[] {
  const ids = [...new Set(splitList(v))];
  if (ids.length > MAX_IDS) throw badRequest(TOO_MANY_IDS);
  return ids;
}

const present = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';
export const splitList = (v: string) =>
  v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * Whether a W3C date-time's date and time exist: `Date.parse` reads 2026-02-30 as 2 March and
 * 24:30 as the next day, where the core API refuses them.
 */
/** True when a W3C date(-time)'s day, time and zone exist (not 2026-02-30, 24:00 or +15:00). */
export function onTheCalendar(v: string): boolean {
  const [date = '', rest = ''] = v.split('T');
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  // setUTCFullYear, not Date.UTC, which reads the years 0 to 99 as 1900 to 1999.
  const day = new Date(0);
  day.setUTCFullYear(y, m - 1, d);
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return false;
  if (rest === '') return true;
  const [hh, mm, ss = 0] = rest
    .slice(0, 8)
    .split(':')
    .map((x) => Number.parseInt(x, 10)) as number[];
  const zone = /([+-])(\d{2}):(\d{2})$/.exec(rest);
  if (zone && (Number(zone[2]) > 14 || Number(zone[3]) > 59)) return false;
  return (hh ?? 0) <= 23 && (mm ?? 0) <= 59 && ss <= 59;
}

/** Parses a W3C date-time with zone; pushes a problem naming the field otherwise. */
function instant(name: string, v: string | undefined, problems: string[]): number | undefined {
  if (!present(v)) return undefined;
  const ms = Date.parse(v.trim());
  if (!W3.test(v.trim()) || Number.isNaN(ms) || !onTheCalendar(v.trim())) {
    problems.push(`${name}: expected a W3C date-time with time zone, e.g. 2026-11-01T00:00:00+08:00`);
    return undefined;
  }
  return ms;
}

/** A [from, to] window of at most 90 days from optional ends; `fallbackTo` closes an open range. */
function window(
  names: [string, string],
  from: number | undefined,
  to: number | undefined,
  fallbackTo: number | undefined,
  problems: string[],
): [number, number] | undefined {
  if (from !== undefined && to !== undefined) {
    if (to < from) problems.push(`${names[1]}: must not be before ${names[0]}`);
    else if (to - from > WINDOW_MS) problems.push(`${names[0]}/${names[1]}: may not span more than 90 days`);
    return [from, to];
  }
  if (from !== undefined) return [from, from + WINDOW_MS];
  if (to !== undefined) return [to - WINDOW_MS, to];
  if (fallbackTo !== undefined) return [fallbackTo - WINDOW_MS, fallbackTo];
  return undefined;
}

function positiveInt(name: string, v: string | undefined, max: number, problems: string[]) {
  if (!present(v)) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    problems.push(`${name}: expected a whole number from 1 to ${max}`);
    return undefined;
  }
  return n;
}

export function parseBoolean(v: string | undefined): boolean {
  return present(v) && ['true', '1', 'yes'].includes(v.trim().toLowerCase());
}

/** `page` and `page_size` (the pagination extension) as limit and offset, or a 400. */
export function parsePaging(q: { page?: string | undefined; page_size?: string | undefined }) {
  const problems: string[] = [];
  const pageSize = positiveInt('page_size', q.page_size, MAX_ROWS, problems) ?? MAX_ROWS;
  const page = positiveInt('page', q.page, 1_000_000, problems) ?? 1;
  if (problems.length) throw badRequest(...problems);
  return { limit: pageSize, offset: (page - 1) * pageSize };
}

/** Reads GET requests' parameters into a filter, or throws a 400 listing every problem. */
export function parseRequestsQuery(q: RawRequestsQuery, nowMs: number): RequestsFilter {
  const problems: string[] = [];
  const pageSize = positiveInt('page_size', q.page_size, MAX_ROWS, problems) ?? MAX_ROWS;
  const page = positiveInt('page', q.page, 1_000_000, problems) ?? 1;
  const extensions = parseBoolean(q.extensions);
  if (present(q.service_request_id)) {
    const numbers = [...new Set(splitList(q.service_request_id))];
    if (numbers.length > MAX_IDS) problems.push(TOO_MANY_IDS);
    if (problems.length) throw badRequest(...problems);
    return { numbers, limit: pageSize, offset: (page - 1) * pageSize, extensions };
  }
  let statuses: string[] | undefined;
  if (present(q.status)) {
    const wanted = splitList(q.status).map((s) => s.toLowerCase());
    const bad = wanted.filter((s) => s !== 'open' && s !== 'closed');
    if (bad.length) problems.push(`status: ${bad.join(', ')} is not open or closed`);
    statuses = [
      ...(wanted.includes('open') ? OPEN_STATUSES : []),
      ...(wanted.includes('closed') ? CLOSED_STATUSES : []),
    ];
  }
  const start = instant('start_date', q.start_date, problems);
  const end = instant('end_date', q.end_date, problems);
  const after = instant('updated_after', q.updated_after, problems);
  const before = instant('updated_before', q.updated_before, problems);
  const byUpdate = after !== undefined || before !== undefined;
  const created = window(['start_date', 'end_date'], start, end, byUpdate ? undefined : nowMs, problems);
  const updated = window(['updated_after', 'updated_before'], after, before, undefined, problems);
  if (problems.length) throw badRequest(...problems);
  // Answers show whole seconds (2026-11-20T10:00:05+08:00) where the rows keep milliseconds: a
  // window holds a request when the second it shows lies within it, so a request is found by a
  // window naming the very time it shows, and not by one that starts after it.
  const from = (ms: number | undefined) =>
    ms === undefined ? undefined : new Date(Math.ceil(ms / 1000) * 1000).toISOString();
  const to = (ms: number | undefined) =>
    ms === undefined ? undefined : new Date(Math.floor(ms / 1000) * 1000 + 999).toISOString();
  return {
    codes: present(q.service_code) ? [...new Set(splitList(q.service_code))] : undefined,
    statuses,
    createdFrom: from(created?.[0]),
    createdTo: to(created?.[1]),
    updatedFrom: from(updated?.[0]),
    updatedTo: to(updated?.[1]),
    limit: pageSize,
    offset: (page - 1) * pageSize,
    extensions,
  };
}

/** mySociety's updates feed: a window of at most 90 days, the last day by default. */
export function parseUpdatesQuery(
  q: { start_date?: string | undefined; end_date?: string | undefined },
  nowMs: number,
): { from: string; to: string } {
  const problems: string[] = [];
  const start = instant('start_date', q.start_date, problems);
  const end = instant('end_date', q.end_date, problems);
  let range = window(['start_date', 'end_date'], start, end, undefined, problems);
  if (!range) range = [nowMs - 86_400_000, nowMs];
  if (problems.length) throw badRequest(...problems);
  return { from: new Date(range[0]).toISOString(), to: new Date(range[1]).toISOString() };
}

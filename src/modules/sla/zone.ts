/**
 * Time-zone arithmetic for the business calendar, built on `Intl.DateTimeFormat` only.
 *
 * Asking Intl for an offset costs about a microsecond, far too slow for a deadline budget of
 * 20 µs that may touch a dozen days. So each zone learns its offset transitions one UTC year at
 * a time (a sample every few days, then bisection to the second) and later look-ups are a binary
 * search. Local midnights are cached per zone and day.
 */

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** Sampling step when learning a year's transitions; two transitions closer than this would be missed. */
const SAMPLE_MS = 3 * DAY_MS;
const MIDNIGHT_CACHE_LIMIT = 4096;
const YEAR_CACHE_LIMIT = 64;

const PATTERN = /^(\d{1,2})\/(\d{1,2})\/(-?\d{1,6}),? (\d{2}):(\d{2}):(\d{2})$/;

/** Offsets of one UTC year: `offsets[i]` holds from `starts[i]` until the next start. */
interface YearOffsets {
  starts: number[];
  offsets: number[];
}

/** A time zone with cached offset transitions and local midnights. */
export interface Zone {
  readonly timeZone: string;
  /** Milliseconds to add to a UTC instant to obtain local wall-clock time. */
  offsetAt(utcMs: number): number;
  /**
   * The UTC instant of a local wall-clock time (given as ms since 1970-01-01T00:00 local).
   * A time skipped by a DST gap moves forward by the gap; a repeated time takes the earlier instant.
   */
  localToUtc(localMs: number): number;
  /** UTC instant at which local day `day` (days since 1970-01-01) begins. */
  midnight(day: number): number;
  /** The local day (days since 1970-01-01) containing a UTC instant. */
  dayOf(utcMs: number): number;
}

const zones = new Map<string, Zone>();

/** True when the runtime knows the IANA time-zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.length === 0) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The shared, cached zone object for an IANA name; throws RangeError for an unknown zone. */
export function zoneFor(timeZone: string): Zone {
  const hit = zones.get(timeZone);
  if (hit) return hit;
  const zone = createZone(timeZone);
  zones.set(timeZone, zone);
  return zone;
}

/** Forgets every cached offset and midnight (tests and benchmarks measure cold paths with it). */
export function clearZoneCaches(): void {
  zones.clear();
}

function createZone(timeZone: string): Zone {
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const years = new Map<number, YearOffsets>();
  const midnights = new Map<number, number>();
  let lastOffset = 0;

  const intlOffset = (utcMs: number): number => {
    const seconds = Math.floor(utcMs / 1000) * 1000;
    const m = PATTERN.exec(formatter.format(seconds));
    if (!m) throw new RangeError(`cannot read the local time of ${timeZone}`);
    const local = Date.UTC(
      Number(m[3]),
      Number(m[1]) - 1,
      Number(m[2]),
      Number(m[4]),
      Number(m[5]),
      Number(m[6]),
    );
    return local - seconds;
  };

  const learnYear = (year: number): YearOffsets => {
    const from = Date.UTC(year, 0, 1);
    const to = Date.UTC(year + 1, 0, 1);
    const starts = [from];
    const offsets = [intlOffset(from)];
    let prevT = from;
    let prevO = offsets[0] ?? 0;
    for (let t = Math.min(from + SAMPLE_MS, to); ; t = Math.min(t + SAMPLE_MS, to)) {
      const o = intlOffset(t === to ? to - 1000 : t);
      if (o !== prevO) {
        // Bisect (in whole seconds) for the first instant with the new offset.
        let lo = prevT;
        let hi = t === to ? to - 1000 : t;
        while (hi - lo > 1000) {
          const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
          if (intlOffset(mid) === prevO) lo = mid;
          else hi = mid;
        }
        starts.push(hi);
        offsets.push(o);
        prevO = o;
      }
      prevT = t;
      if (t >= to) break;
    }
    if (years.size >= YEAR_CACHE_LIMIT) years.clear();
    const learned = { starts, offsets };
    years.set(year, learned);
    return learned;
  };

  const offsetAt = (utcMs: number): number => {
    const year = new Date(utcMs).getUTCFullYear();
    const table = years.get(year) ?? learnYear(year);
    const { starts, offsets } = table;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? Infinity) <= utcMs) lo = mid;
      else hi = mid - 1;
    }
    return offsets[lo] ?? 0;
  };

  const localToUtc = (localMs: number): number => {
    const before = offsetAt(localMs - DAY_MS);
    const after = offsetAt(localMs + DAY_MS);
    if (before === after) return localMs - before;
    const tBefore = localMs - before;
    const tAfter = localMs - after;
    const beforeValid = offsetAt(tBefore) === before;
    const afterValid = offsetAt(tAfter) === after;
    if (beforeValid && afterValid) return Math.min(tBefore, tAfter);
    if (afterValid) return tAfter;
    // Valid under the old offset only, or a gap: the old offset moves a skipped time forward.
    return tBefore;
  };

  const midnight = (day: number): number => {
    const hit = midnights.get(day);
    if (hit !== undefined) return hit;
    const t = localToUtc(day * DAY_MS);
    if (midnights.size >= MIDNIGHT_CACHE_LIMIT) {
      const oldest = midnights.keys().next();
      if (!oldest.done) midnights.delete(oldest.value);
    }
    midnights.set(day, t);
    return t;
  };

  const dayOf = (utcMs: number): number => {
    let day = Math.floor((utcMs + lastOffset) / DAY_MS);
    for (let step = 0; step < 4; step++) {
      const start = midnight(day);
      if (utcMs < start) {
        day--;
        continue;
      }
      if (utcMs >= midnight(day + 1)) {
        day++;
        continue;
      }
      lastOffset = day * DAY_MS - start;
      return day;
    }
    return Math.floor((utcMs + offsetAt(utcMs)) / DAY_MS);
  };

  return { timeZone, offsetAt, localToUtc, midnight, dayOf };
}

/** Days since 1970-01-01 of an ISO calendar date `YYYY-MM-DD`, or undefined if it is not a real date. */
export function isoDateToDay(iso: string): number | undefined {
  // Hand-parsed: calendars carry dozens of dates and a regex plus Date per date is measurable.
  if (typeof iso !== 'string' || iso.length !== 10 || iso.charCodeAt(4) !== 45 || iso.charCodeAt(7) !== 45)
    return undefined;
  const y = digitsAt(iso, 0, 4);
  const m = digitsAt(iso, 5, 7);
  const d = digitsAt(iso, 8, 10);
  if (y < 0 || m < 1 || m > 12 || d < 1) return undefined;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const monthDays = m === 2 ? (leap ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
  if (d > monthDays) return undefined;
  // Days from civil (proleptic Gregorian), after H. Hinnant.
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The decimal number in `text[from, to)`, or -1 if a character is not a digit. */
function digitsAt(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** ISO date `YYYY-MM-DD` of a day number (days since 1970-01-01). */
export function dayToIsoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Weekday (0 = Sunday … 6 = Saturday) of a day number; 1970-01-01 was a Thursday. */
export function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

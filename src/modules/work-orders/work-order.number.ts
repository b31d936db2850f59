/**
 * An order's number, as read out on the phone and printed on slips: the community's code, the
 * order's local date in the community's time zone, and the community's running counter —
 * `CMTY-20261205-000123`. An order taken at 06:30 in Beijing carries that day's date, not the
 * UTC day before.
 */
import { zoneFor } from '../sla/zone.ts';

export { DEFAULT_TIME_ZONE } from '../sla/calendar.ts';

/** `YYYYMMDD` of an ISO instant in a time zone. */
export function localDateDigits(createdAt: string, timeZone: string): string {
  const day = zoneFor(timeZone).dayOf(Date.parse(createdAt));
  return new Date(day * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
}

export function orderNumber(communityCode: string, createdAt: string, timeZone: string, seq: number): string {
  return `${communityCode.toUpperCase()}-${localDateDigits(createdAt, timeZone)}-${String(seq).padStart(6, '0')}`;
}

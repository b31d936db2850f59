/**
 * An order's number, as read out on the phone and printed on slips: the community's code, the
 * order's local date in the community's time zone, and the community's running counter —
 * `CMTY-20261205-000123`. An order taken at 06:30 in Beijing carries that day's date, not the
 * UTC day before.
 */
import { dayToIsoDate, zoneFor } from '../sla/zone.ts';

export { DEFAULT_TIME_ZONE } from '../sla/calendar.ts';

/** `YYYY-MM-DD` of an ISO instant in a time zone: an order's `created_day`. */
export function localDay(createdAt: string, timeZone: string): string {
  return dayToIsoDate(zoneFor(timeZone).dayOf(Date.parse(createdAt)));
}

export function orderNumber(communityCode: string, createdAt: string, timeZone: string, seq: number): string {
  return orderNumberOfDay(communityCode, localDay(createdAt, timeZone), seq);
}

/** The same, from the local day (`YYYY-MM-DD`) already worked out: intake's `created_day`. */
export function orderNumberOfDay(communityCode: string, day: string, seq: number): string {
  return `${communityCode.toUpperCase()}-${day.replace(/-/g, '')}-${String(seq).padStart(6, '0')}`;
}

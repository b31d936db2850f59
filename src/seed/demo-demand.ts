/**
 * When the demo's orders of history come in: a year shaped as civic demand is (more on Monday,
 * little on weekends, a dip on public holidays, make-up workdays (调休) worked like weekdays, and
 * a slow rise over the year), so the dashboard's trends and the forecast have a pattern to find.
 * The forecast's README figures on the demo are measured on this shape: it is generated, not
 * observed.
 */
import { CN_HOLIDAY_FILES } from '../modules/sla/holidays.ts';
import { dayInfo, holidayCalendar } from '../modules/analytics/forecast.model.ts';
import { zoneFor } from '../modules/sla/zone.ts';

/** Relative demand by weekday, Sunday first. */
export const DEMO_WEEKDAY_DEMAND = [0.55, 1.35, 1.15, 1.05, 1.0, 1.1, 0.6] as const;
/** Relative demand on a public holiday. */
export const DEMO_HOLIDAY_DEMAND = 0.35;
/** Demand at the end of the year over its start. */
const DEMO_YEAR_RISE = 1.3;

const calendar = holidayCalendar(Object.values(CN_HOLIDAY_FILES));

/** Relative demand at an instant of a history that ends at `nowMs` and spans `days`. */
export function demoDemand(ms: number, nowMs: number, days: number, timeZone: string): number {
  const info = dayInfo(calendar, zoneFor(timeZone).dayOf(ms));
  const day =
    info.type === 'holiday'
      ? DEMO_HOLIDAY_DEMAND
      : info.type === 'makeup_workday'
        ? 1.1
        : (DEMO_WEEKDAY_DEMAND[info.weekday] ?? 1);
  const age = (nowMs - ms) / (days * 86_400_000);
  return day * (DEMO_YEAR_RISE - (DEMO_YEAR_RISE - 1) * age);
}

/** `count` creation instants in the `days` before `nowMs`, in time order, drawn (by rejection) from the demand above. */
export function demoCreatedTimes(
  count: number,
  nowMs: number,
  days: number,
  timeZone: string,
  rand: () => number,
): number[] {
  const most = Math.max(...DEMO_WEEKDAY_DEMAND, 1.1) * DEMO_YEAR_RISE;
  return Array.from({ length: count }, () => {
    for (;;) {
      const t = nowMs - Math.floor(rand() * days * 86_400_000);
      if (rand() * most < demoDemand(t, nowMs, days, timeZone)) return t;
    }
  }).sort((a, b) => a - b);
}

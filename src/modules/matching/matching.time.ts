/**
 * Wall-clock reading of an instant in a community's time zone, and opening-hours checks.
 * Pure: the instant is always passed in.
 */
import { WEEKDAYS } from './matching.types.ts';
import type { Weekday, WeeklyHours } from './matching.types.ts';

export interface LocalMoment {
  /** `YYYY-MM-DD` */
  date: string;
  /** Minutes since local midnight. */
  minutes: number;
  weekday: Weekday;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The local date, minute of day and weekday of `now` in `timeZone` (default Asia/Shanghai). */
export function localMoment(now: Date, timeZone = 'Asia/Shanghai'): LocalMoment {
  if (timeZone === 'Asia/Shanghai') {
    // China has had no DST since 1991: a fixed +08:00 avoids Intl on the hot path.
    const shifted = new Date(now.getTime() + 8 * 3_600_000);
    return {
      date: shifted.toISOString().slice(0, 10),
      minutes: shifted.getUTCHours() * 60 + shifted.getUTCMinutes(),
      weekday: WEEKDAYS[shifted.getUTCDay()] ?? 'sun',
    };
  }
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(now).map((p) => [p.type, p.value]));
  const weekday = (parts.weekday ?? 'Sun').slice(0, 3).toLowerCase();
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    weekday: WEEKDAYS.find((w) => w === weekday) ?? 'sun',
  };
}

/** `HH:MM` → minutes; `24:00` → 1440. */
export function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m ?? 0);
}

/** Open at this moment? A range whose close is not after its open runs past midnight. */
export function isOpenAt(hours: WeeklyHours, at: LocalMoment): boolean {
  const today = hours[at.weekday];
  for (const r of today) {
    const open = toMinutes(r.open);
    const close = toMinutes(r.close);
    if (close > open ? at.minutes >= open && at.minutes < close : at.minutes >= open) return true;
  }
  // The tail of yesterday's overnight range.
  const yesterday = hours[WEEKDAYS[(WEEKDAYS.indexOf(at.weekday) + 6) % 7] ?? 'sun'];
  return yesterday.some((r) => toMinutes(r.close) <= toMinutes(r.open) && at.minutes < toMinutes(r.close));
}

/** Opens (or is open) at some point between this moment and local midnight. */
export function opensLaterToday(hours: WeeklyHours, at: LocalMoment): boolean {
  return isOpenAt(hours, at) || hours[at.weekday].some((r) => toMinutes(r.open) > at.minutes);
}

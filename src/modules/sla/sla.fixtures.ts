/** Calendars and policies shared by the SLA tests and the benchmark. */
import { validateCalendar } from './calendar.ts';
import type { BusinessCalendar, BusinessCalendarInput, WorkPeriod } from './calendar.ts';
import { applyHolidayFiles, CN_HOLIDAY_FILES } from './holidays.ts';
import type { SlaPolicy } from './sla.policy.ts';

/** Office hours with a lunch break, Monday to Friday. */
export const OFFICE_DAY: readonly WorkPeriod[] = [
  { start: '09:00', end: '12:00' },
  { start: '13:00', end: '18:00' },
];

/** A validated calendar (throws on invalid input, which a fixture never is). */
export function buildCalendar(overrides: Partial<BusinessCalendarInput> = {}): BusinessCalendar {
  const result = validateCalendar({
    id: 'office',
    name: 'Office hours',
    mode: 'business',
    weekly: { 1: OFFICE_DAY, 2: OFFICE_DAY, 3: OFFICE_DAY, 4: OFFICE_DAY, 5: OFFICE_DAY },
    ...overrides,
  });
  if (!result.ok) throw new Error(`fixture calendar invalid: ${JSON.stringify(result.errors)}`);
  return result.value;
}

/** Office hours in Asia/Shanghai with the shipped 2026 and 2027 holiday files. */
export function buildChinaCalendar(overrides: Partial<BusinessCalendarInput> = {}): BusinessCalendar {
  return applyHolidayFiles(buildCalendar(overrides), Object.values(CN_HOLIDAY_FILES));
}

/** A catch-all policy (2 h first response, 16 h resolution) with a three-level chain. */
export function buildPolicy(overrides: Partial<SlaPolicy> = {}): SlaPolicy {
  return {
    id: 'default',
    category: '*',
    priorityBand: '*',
    calendarId: 'office',
    firstResponseMinutes: 120,
    resolutionMinutes: 960,
    escalationChain: ['dispatcher', 'community_head', 'street'],
    ...overrides,
  };
}

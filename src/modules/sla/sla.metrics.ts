/**
 * Pure glue between the work-order lifecycle and the SLA core: which lifecycle action is which
 * SLA event, how stored rows become policies and calendars, and how an SLA state becomes the
 * stored per-order metrics. No I/O.
 */
import { localDateOf } from './business-time.ts';
import { validateCalendar } from './calendar.ts';
import type {
  BusinessCalendar,
  BusinessCalendarInput,
  CalendarMode,
  Weekday,
  WeeklyHours,
} from './calendar.ts';
import type { EscalationChain } from './escalation.ts';
import { applyHolidayFiles, CN_HOLIDAY_FILES } from './holidays.ts';
import type { HolidayFile } from './holidays.ts';
import { PRIORITY_BANDS } from './sla.policy.ts';
import type { PriorityBand, SlaPolicy } from './sla.policy.ts';
import type { SlaEvent, SlaEventType, SlaState } from './sla.state.ts';
import type {
  SlaCalendarTable,
  SlaHolidayFileTable,
  SlaOrderMetricsTable,
  SlaPolicyTable,
} from './sla.tables.ts';

/** A stored policy: the pure core's policy plus how fast a breach climbs the chain. */
export interface StoredPolicy extends SlaPolicy {
  escalationStepMinutes: number;
}

/** One SLA event as kept on the metrics row (`history_json`). */
export interface HistoryEntry {
  type: SlaEventType;
  at: string;
}

/** Lifecycle actions (and timeline event types) as SLA events; others do not touch the clocks. */
const ACTION_EVENTS: Readonly<Record<string, SlaEventType>> = {
  accept: 'accepted',
  dispatch: 'accepted',
  start: 'updated',
  transfer: 'updated',
  reject: 'updated',
  reply: 'updated',
  wait: 'paused',
  resume: 'resumed',
  resolve: 'resolved',
  confirm: 'closed',
  auto_close: 'closed',
  // Referred elsewhere, not actionable: answered, but nothing was resolved here.
  refer: 'closed_unresolved',
  dismiss: 'closed_unresolved',
  reopen: 'reopened',
  // Merged into another order, cancelled: deadlines still running were never owed.
  merge: 'cancelled',
  cancel: 'cancelled',
};

/** The SLA event a lifecycle action (or timeline event type) stands for, or null. */
export function slaEventOf(action: string): SlaEventType | null {
  if (action === 'created') return 'submitted';
  return ACTION_EVENTS[action] ?? null;
}

/**
 * An order's SLA history from its timeline (events in the order they happened): submitted at its
 * creation, then every event that is an SLA event.
 */
export function historyOf(
  createdAt: string,
  events: readonly { type: string; created_at: string }[],
): HistoryEntry[] {
  const history: HistoryEntry[] = [{ type: 'submitted', at: createdAt }];
  for (const e of events) {
    const type = slaEventOf(e.type);
    if (type && type !== 'submitted') history.push({ type, at: e.created_at });
  }
  return history;
}

export function toSlaEvents(history: readonly HistoryEntry[]): SlaEvent[] {
  return history.map((h) => ({ type: h.type, at: Date.parse(h.at) }));
}

/** A priority band the policies know; anything else counts as P3 (normal). */
export function bandOf(priority: string): PriorityBand {
  return (PRIORITY_BANDS as readonly string[]).includes(priority) ? (priority as PriorityBand) : 'P3';
}

export function policyFromRow(row: SlaPolicyTable): StoredPolicy {
  return {
    id: row.id,
    category: row.category,
    priorityBand: row.priority_band as PriorityBand | '*',
    ...(row.channel !== null ? { channel: row.channel } : {}),
    ...(row.community_id !== null ? { communityId: row.community_id } : {}),
    calendarId: row.calendar_id,
    firstResponseMinutes: Number(row.first_response_minutes),
    resolutionMinutes: Number(row.resolution_minutes),
    ...(row.update_interval_minutes !== null
      ? { updateIntervalMinutes: Number(row.update_interval_minutes) }
      : {}),
    warnAtRatio: Number(row.warn_at_ratio),
    escalationChain: JSON.parse(row.escalation_chain_json) as EscalationChain,
    escalationStepMinutes: Number(row.escalation_step_minutes),
  };
}

export function policyToRow(p: StoredPolicy, at: string, createdAt = at): SlaPolicyTable {
  return {
    scope: p.communityId ?? '',
    id: p.id,
    category: p.category,
    priority_band: p.priorityBand,
    channel: p.channel ?? null,
    community_id: p.communityId ?? null,
    calendar_id: p.calendarId,
    first_response_minutes: p.firstResponseMinutes,
    resolution_minutes: p.resolutionMinutes,
    update_interval_minutes: p.updateIntervalMinutes ?? null,
    warn_at_ratio: p.warnAtRatio ?? 0.75,
    escalation_chain_json: JSON.stringify(p.escalationChain),
    escalation_step_minutes: p.escalationStepMinutes,
    created_at: createdAt,
    updated_at: at,
  };
}

/** The admin-facing calendar (own dates only) from its row. */
export function calendarInputFromRow(
  row: SlaCalendarTable,
): BusinessCalendarInput & { holidayRegion: string | null } {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    mode: row.mode as CalendarMode,
    weekly: JSON.parse(row.weekly_json) as WeeklyHours,
    holidays: JSON.parse(row.holidays_json) as string[],
    workdays: JSON.parse(row.workdays_json) as string[],
    workdayHoursFrom: row.workday_hours_from as Weekday,
    holidayRegion: row.holiday_region,
  };
}

/** Holiday files by region: the shipped CN years, overridden by imported ones. */
export function holidayFilesByRegion(rows: readonly SlaHolidayFileTable[]): Map<string, HolidayFile[]> {
  const byKey = new Map<string, HolidayFile>();
  for (const f of Object.values(CN_HOLIDAY_FILES)) byKey.set(`cn:${f.year}`, f);
  for (const row of rows) byKey.set(`${row.region}:${row.year}`, JSON.parse(row.file_json) as HolidayFile);
  const out = new Map<string, HolidayFile[]>();
  for (const [key, f] of byKey) {
    const region = key.split(':')[0] ?? '';
    out.set(region, [...(out.get(region) ?? []), f]);
  }
  return out;
}

/** The calendar the arithmetic uses: the region's holiday files, with its own dates standing over them. */
export function effectiveCalendar(row: SlaCalendarTable, files: readonly HolidayFile[]): BusinessCalendar {
  const { holidayRegion, ...input } = calendarInputFromRow(row);
  const checked = validateCalendar(input);
  if (!checked.ok) throw new Error(`stored calendar ${row.id} is invalid: ${checked.errors[0]?.message}`);
  return holidayRegion ? applyHolidayFiles(checked.value, files) : checked.value;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const round = (x: number) => Math.round(x * 100) / 100;
const flag = (b: boolean | null): number | null => (b === null ? null : b ? 1 : 0);

export type MetricsValues = Pick<
  SlaOrderMetricsTable,
  | 'sla_status'
  | 'first_response_due_at'
  | 'first_response_at'
  | 'first_response_minutes'
  | 'first_response_met'
  | 'first_response_breached_at'
  | 'resolution_due_at'
  | 'resolution_at'
  | 'resolution_minutes'
  | 'resolution_met'
  | 'resolution_breached_at'
  | 'update_due_at'
  | 'paused_minutes'
  | 'paused_wall_minutes'
  | 'reopen_count'
>;

/** The stored metrics of an SLA state: deadlines, times actually taken, met flags, pauses. */
export function metricsOf(s: SlaState): MetricsValues {
  const fr = s.firstResponse;
  const res = s.resolution;
  return {
    sla_status: s.status,
    first_response_due_at: iso(fr.dueAt),
    first_response_at: fr.status === 'stopped' ? iso(fr.stoppedAt) : null,
    first_response_minutes: round(fr.elapsedMinutes),
    first_response_met: flag(fr.met),
    first_response_breached_at: iso(fr.breachedAt),
    resolution_due_at: iso(res.dueAt),
    resolution_at: res.status === 'stopped' ? iso(res.stoppedAt) : null,
    resolution_minutes: round(res.elapsedMinutes),
    resolution_met: flag(res.met),
    resolution_breached_at: iso(res.breachedAt),
    update_due_at: s.update && s.update.status === 'running' ? iso(s.update.dueAt) : null,
    paused_minutes: round(s.pausedMinutes),
    paused_wall_minutes: round(s.pausedWallMinutes),
    reopen_count: s.reopenCount,
  };
}

/**
 * Metrics that keep a breach already recorded: a clock's breach, once announced (timeline, audit,
 * escalation), stays in the figures when a change of category or urgency puts the order under a
 * policy by which it would not yet be late; it used to vanish from the compliance counts.
 */
export function keepingBreaches(
  values: MetricsValues,
  recorded: { first_response_breached_at: string | null; resolution_breached_at: string | null },
): MetricsValues {
  const out = { ...values };
  if (recorded.first_response_breached_at && !out.first_response_breached_at) {
    out.first_response_breached_at = recorded.first_response_breached_at;
    if (out.first_response_met === 1) out.first_response_met = 0;
  }
  if (recorded.resolution_breached_at && !out.resolution_breached_at) {
    out.resolution_breached_at = recorded.resolution_breached_at;
    if (out.resolution_met === 1) out.resolution_met = 0;
  }
  return out;
}

/** `YYYY-MM` of an instant in a time zone (monthly compliance buckets by local month). */
export function monthOf(timeZone: string, at: string): string {
  return localDateOf(timeZone, Date.parse(at)).slice(0, 7);
}

/** Tables of the SLA module (migration 2026112120_sla). Times are ISO-8601 UTC text, flags 0/1. */
export interface SlaCalendarTable {
  id: string;
  name: string;
  time_zone: string;
  mode: string;
  weekly_json: string;
  holidays_json: string;
  workdays_json: string;
  workday_hours_from: number;
  /** Holiday files of this region (`cn`) are applied on top of the calendar's own dates. */
  holiday_region: string | null;
  created_at: string;
  updated_at: string;
}

export interface SlaHolidayFileTable {
  region: string;
  year: number;
  file_json: string;
  provisional: number;
  imported_at: string;
  imported_by: string;
}

export interface SlaPolicyTable {
  /** The policy's community id, or '' when every community shares it; the key is (scope, id). */
  scope: string;
  id: string;
  category: string;
  priority_band: string;
  channel: string | null;
  community_id: string | null;
  calendar_id: string;
  first_response_minutes: number;
  resolution_minutes: number;
  update_interval_minutes: number | null;
  warn_at_ratio: number;
  escalation_chain_json: string;
  /** Business minutes between two escalation levels while the breach lasts. */
  escalation_step_minutes: number;
  created_at: string;
  updated_at: string;
}

export interface SlaOrderMetricsTable {
  work_order_id: string;
  community_id: string;
  policy_id: string;
  /** The policy as it stood when the order was created: later edits do not move its deadlines. */
  policy_json: string;
  calendar_id: string;
  category: string;
  priority: string;
  channel: string;
  grid_id: string | null;
  assignee_id: string | null;
  sla_status: string;
  submitted_at: string;
  /** `YYYY-MM` of submission (Asia/Shanghai), for monthly compliance. */
  month: string;
  first_response_due_at: string | null;
  first_response_at: string | null;
  first_response_minutes: number;
  first_response_met: number | null;
  first_response_warned_at: string | null;
  first_response_breached_at: string | null;
  resolution_due_at: string | null;
  resolution_at: string | null;
  resolution_minutes: number;
  resolution_met: number | null;
  resolution_warned_at: string | null;
  resolution_breached_at: string | null;
  update_due_at: string | null;
  paused_minutes: number;
  paused_wall_minutes: number;
  reopen_count: number;
  escalation_level: string | null;
  escalated_at: string | null;
  /** The SLA events of the order in the order they happened (JSON array of { type, at }). */
  history_json: string;
  updated_at: string;
}

export interface SlaTimerTable {
  id: string;
  /** Unique: scheduling the same timer twice is a no-op. */
  key: string;
  kind: string;
  work_order_id: string | null;
  community_id: string | null;
  due_at: string;
  /** pending → fired | cancelled | failed */
  status: string;
  attempts: number;
  lease_until: string | null;
  last_error: string | null;
  payload_json: string;
  created_at: string;
  fired_at: string | null;
}

export interface SlaEscalationTable {
  id: string;
  work_order_id: string;
  community_id: string;
  level: string;
  clock: string;
  created_at: string;
}

export interface SlaSupervisionTable {
  id: string;
  work_order_id: string;
  community_id: string;
  level: string | null;
  issued_by: string;
  issued_by_name: string;
  reason: string;
  due_at: string;
  /** open → responded | overdue (→ responded) */
  status: string;
  response: string | null;
  responded_by: string | null;
  responded_by_name: string | null;
  responded_at: string | null;
  created_at: string;
}

export type SlaTables = {
  sla_calendars: SlaCalendarTable;
  sla_holiday_files: SlaHolidayFileTable;
  sla_policies: SlaPolicyTable;
  sla_order_metrics: SlaOrderMetricsTable;
  sla_timers: SlaTimerTable;
  sla_escalations: SlaEscalationTable;
  sla_supervisions: SlaSupervisionTable;
};

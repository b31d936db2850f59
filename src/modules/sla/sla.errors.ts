/**
 * Validation results of the SLA core. A check never throws on bad input: it answers with every
 * problem it found, each with a stable code and the path of the offending field
 * (`weekly.1[0].end`, `holidays[3].date`, `escalationChain[2]`), ready for an API error's details.
 */

export type SlaIssueCode =
  | 'calendar_invalid_field'
  | 'calendar_unknown_time_zone'
  | 'calendar_bad_weekday'
  | 'calendar_bad_time'
  | 'calendar_period_inverted'
  | 'calendar_period_overlap'
  | 'calendar_bad_date'
  | 'calendar_date_conflict'
  | 'calendar_no_working_time'
  | 'holiday_file_malformed'
  | 'holiday_wrong_year'
  | 'holiday_bad_date'
  | 'holiday_duplicate_date'
  | 'holiday_date_conflict'
  | 'holiday_workday_not_weekend'
  | 'policy_invalid_field'
  | 'policy_bad_target'
  | 'policy_bad_ratio'
  | 'policy_duplicate_id'
  | 'policy_duplicate_scope'
  | 'policy_unknown_calendar'
  | 'escalation_loop'
  | 'escalation_unknown_policy'
  | 'escalation_bad_step'
  | 'history_invalid';

export interface SlaIssue {
  code: SlaIssueCode;
  /** Path of the offending field inside the checked value. */
  field: string;
  message: string;
}

export type SlaResult<T> = { ok: true; value: T } | { ok: false; errors: SlaIssue[] };

/** One validation issue. */
export const issue = (code: SlaIssueCode, field: string, message: string): SlaIssue => ({
  code,
  field,
  message,
});

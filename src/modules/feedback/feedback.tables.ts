/** Tables of closing the loop (migration 2026112120_sla): return visits (回访) and satisfaction surveys. */
export interface ReturnVisitTable {
  id: string;
  work_order_id: string;
  community_id: string;
  /** low_rating | reopen */
  reason: string;
  rating: number | null;
  /** open → done */
  status: string;
  due_at: string;
  outcome: string | null;
  satisfaction: number | null;
  note: string | null;
  created_at: string;
  completed_at: string | null;
  completed_by: string | null;
}

export interface SatisfactionSurveyTable {
  id: string;
  work_order_id: string;
  community_id: string;
  resident_id: string;
  channel: string;
  sent_at: string;
  answered_at: string | null;
  score: number | null;
  comment: string | null;
}

export type FeedbackTables = {
  return_visits: ReturnVisitTable;
  satisfaction_surveys: SatisfactionSurveyTable;
};

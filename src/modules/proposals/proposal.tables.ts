/** Tables of participation (migration 2026120730_proposals). */
export interface ProposalTable {
  id: string;
  community_id: string;
  /** The author's grid when the proposal was filed (their household's), for the index per grid. */
  grid_id: string | null;
  /** The resident who proposes. */
  author_id: string;
  /** The staff user who filed it for them (an agent at the window or hotline), else null. */
  filed_by: string | null;
  title: string;
  description: string;
  status: string;
  version: number;
  reject_reason: string | null;
  voting_starts_at: string | null;
  voting_ends_at: string | null;
  quorum: number | null;
  /** Yuan, whole. */
  budget_estimate: number | null;
  votes: number;
  progress_percent: number;
  decided_at: string | null;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ProposalVoteTable {
  proposal_id: string;
  resident_id: string;
  community_id: string;
  created_at: string;
}

export interface ProposalUpdateTable {
  id: string;
  proposal_id: string;
  community_id: string;
  action: string;
  status: string;
  percent: number | null;
  note: string | null;
  actor: string;
  created_at: string;
}

export type ProposalTables = {
  proposals: ProposalTable;
  proposal_votes: ProposalVoteTable;
  proposal_updates: ProposalUpdateTable;
};

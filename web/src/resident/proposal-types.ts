/** A proposal as the API presents it to a resident (GET /api/v1/proposals). */
export interface Proposal {
  id: string;
  title: string;
  description: string;
  status: string;
  version: number;
  author: { name: string; phone: string | null; self: boolean };
  filedByStaff: boolean;
  rejectReason: string | null;
  voting: { startsAt: string; endsAt: string; quorum: number; phase: 'upcoming' | 'open' | 'closed' } | null;
  budgetEstimate: number | null;
  votes: number;
  myVote: boolean | null;
  progressPercent: number;
  createdAt: string;
  actions: string[];
  updates?: { action: string; status: string; percent: number | null; note: string | null; at: string }[];
}

/** Tag colours dark enough for white text (4.5:1), as the orders' statuses have them. */
export const PROPOSAL_COLOR: Record<string, string> = {
  open_for_voting: '#1456d9',
  selected: '#237804',
  implementing: '#ad4e00',
  completed: '#237804',
  rejected: '#a8071a',
  not_selected: '#595959',
  submitted: '#595959',
  under_review: '#595959',
};

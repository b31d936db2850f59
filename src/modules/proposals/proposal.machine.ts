/**
 * The life of a resident's proposal (民生微实事) as a pure state machine:
 *
 *   submitted → under_review → rejected (with a reason)
 *                            → open_for_voting (a window, a quorum, perhaps a budget estimate)
 *   open_for_voting, once the window has ended → selected | not_selected (the quorum rule)
 *   selected → implementing (progress updates, percent never going back) → completed
 *
 * A proposal may also be rejected straight from `submitted`. No I/O and no clock: `at` is given.
 */
export const PROPOSAL_STATUSES = [
  'submitted',
  'under_review',
  'rejected',
  'open_for_voting',
  'selected',
  'not_selected',
  'implementing',
  'completed',
] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

export const PROPOSAL_ACTIONS = [
  'review',
  'reject',
  'open_voting',
  'decide',
  'start',
  'progress',
  'complete',
] as const;
export type ProposalAction = (typeof PROPOSAL_ACTIONS)[number];

/** Statuses every resident of the community may read; the others only their author (and staff). */
export const PUBLIC_STATUSES: readonly ProposalStatus[] = [
  'open_for_voting',
  'selected',
  'not_selected',
  'implementing',
  'completed',
];

/** A voting window may last at most this long. */
export const MAX_WINDOW_DAYS = 90;
const DAY_MS = 86_400_000;

export interface ProposalState {
  status: ProposalStatus;
  votingStartsAt: string | null;
  votingEndsAt: string | null;
  quorum: number | null;
  votes: number;
  progressPercent: number;
}

export interface ProposalInput {
  reason?: string | undefined;
  votingStartsAt?: string | undefined;
  votingEndsAt?: string | undefined;
  quorum?: number | undefined;
  budgetEstimate?: number | undefined;
  percent?: number | undefined;
  note?: string | undefined;
}

/** What a step changes (in the row's terms) besides the status. */
export interface ProposalPatch {
  reject_reason?: string;
  voting_starts_at?: string;
  voting_ends_at?: string;
  quorum?: number;
  budget_estimate?: number | null;
  progress_percent?: number;
  decided_at?: string;
  completed_at?: string;
}

export type Step =
  | { ok: true; status: ProposalStatus; patch: ProposalPatch; percent: number | null; note: string | null }
  | {
      ok: false;
      code: 'invalid_transition' | 'invalid_input';
      message: string;
      field?: string;
    };

const refuse = (message: string): Step => ({ ok: false, code: 'invalid_transition', message });
const bad = (field: string, message: string): Step => ({ ok: false, code: 'invalid_input', message, field });

/** Where a proposal stands with voting at `at`. */
export function votingPhase(
  s: Pick<ProposalState, 'status' | 'votingStartsAt' | 'votingEndsAt'>,
  at: string,
): 'none' | 'upcoming' | 'open' | 'closed' {
  if (s.status !== 'open_for_voting' || !s.votingStartsAt || !s.votingEndsAt) return 'none';
  const t = Date.parse(at);
  if (t < Date.parse(s.votingStartsAt)) return 'upcoming';
  return t < Date.parse(s.votingEndsAt) ? 'open' : 'closed';
}

/**
 * The selection rule: a proposal whose window has ended is selected when its votes reach the
 * quorum set when voting opened, otherwise not selected. Each proposal stands on its own, so a
 * decision never waits for another.
 */
export function outcome(votes: number, quorum: number): 'selected' | 'not_selected' {
  return votes >= quorum ? 'selected' : 'not_selected';
}

const isInstant = (s: string | undefined): s is string => s !== undefined && !Number.isNaN(Date.parse(s));

/** The next state of a proposal, or why not. */
export function step(s: ProposalState, action: ProposalAction, input: ProposalInput, at: string): Step {
  const note = input.note?.trim() ? input.note.trim() : null;
  switch (action) {
    case 'review':
      if (s.status !== 'submitted') return refuse(`a ${s.status} proposal cannot be taken into review`);
      return { ok: true, status: 'under_review', patch: {}, percent: null, note };
    case 'reject': {
      if (s.status !== 'submitted' && s.status !== 'under_review')
        return refuse(`a ${s.status} proposal cannot be rejected`);
      const reason = input.reason?.trim();
      if (!reason) return bad('reason', 'a rejection needs a reason the author can read');
      return { ok: true, status: 'rejected', patch: { reject_reason: reason }, percent: null, note: reason };
    }
    case 'open_voting': {
      if (s.status !== 'under_review') return refuse(`a ${s.status} proposal cannot be opened for voting`);
      const starts = input.votingStartsAt ?? at;
      if (!isInstant(starts)) return bad('votingStartsAt', 'votingStartsAt is not a date-time');
      if (!isInstant(input.votingEndsAt)) return bad('votingEndsAt', 'votingEndsAt is a date-time, required');
      const start = Date.parse(starts);
      // A window opened now starts now: one that started earlier would count as cast votes that
      // could not have been (a minute's grace for the clocks of the desk and the server).
      if (start < Date.parse(at) - 60_000)
        return bad('votingStartsAt', 'the voting window cannot start before it is opened');
      const end = Date.parse(input.votingEndsAt);
      if (end <= Math.max(start, Date.parse(at)))
        return bad('votingEndsAt', 'the voting window must end after it starts and in the future');
      if (end - start > MAX_WINDOW_DAYS * DAY_MS)
        return bad('votingEndsAt', `a voting window lasts at most ${MAX_WINDOW_DAYS} days`);
      const q = input.quorum;
      if (q === undefined || !Number.isInteger(q) || q < 1)
        return bad('quorum', 'quorum is the number of votes that selects the proposal, at least 1');
      const budget = input.budgetEstimate;
      if (budget !== undefined && !(Number.isInteger(budget) && budget >= 0))
        return bad('budgetEstimate', 'budgetEstimate is whole yuan, 0 or more');
      return {
        ok: true,
        status: 'open_for_voting',
        patch: {
          voting_starts_at: new Date(start).toISOString(),
          voting_ends_at: new Date(end).toISOString(),
          quorum: q,
          ...(budget !== undefined ? { budget_estimate: budget } : {}),
        },
        percent: null,
        note,
      };
    }
    case 'decide': {
      const phase = votingPhase(s, at);
      if (phase === 'none') return refuse(`a ${s.status} proposal is not being voted on`);
      if (phase !== 'closed') return refuse('voting is still open until the window ends');
      const status = outcome(s.votes, s.quorum ?? 1);
      return { ok: true, status, patch: { decided_at: at }, percent: null, note };
    }
    case 'start':
      if (s.status !== 'selected') return refuse(`a ${s.status} proposal cannot be implemented`);
      return { ok: true, status: 'implementing', patch: {}, percent: s.progressPercent, note };
    case 'progress': {
      if (s.status !== 'implementing') return refuse(`a ${s.status} proposal has no progress to record`);
      const p = input.percent;
      if (p === undefined || !Number.isInteger(p) || p < 0 || p > 99)
        return bad('percent', 'percent is a whole number from 0 to 99 (completing records 100)');
      if (p < s.progressPercent)
        return bad('percent', `progress does not go back: it is ${s.progressPercent} % already`);
      if (!note) return bad('note', 'a progress update says what was done');
      return { ok: true, status: 'implementing', patch: { progress_percent: p }, percent: p, note };
    }
    case 'complete':
      if (s.status !== 'implementing') return refuse(`a ${s.status} proposal cannot be completed`);
      return {
        ok: true,
        status: 'completed',
        patch: { progress_percent: 100, completed_at: at },
        percent: 100,
        note,
      };
  }
}

/** The actions the machine would take from this state at `at` (the UI shows only these). */
export function possibleActions(s: ProposalState, at: string): ProposalAction[] {
  const probe: ProposalInput = {
    reason: 'x',
    votingEndsAt: new Date(Date.parse(at) + DAY_MS).toISOString(),
    quorum: 1,
    percent: Math.min(99, s.progressPercent),
    note: 'x',
  };
  return PROPOSAL_ACTIONS.filter((a) => step(s, a, probe, at).ok);
}

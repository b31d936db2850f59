/** What each viewer sees of a proposal: the author's name and phone only as their role allows; never voters. */
import type { Principal } from '../../platform/auth/principal.ts';
import { freeTextFor, maskName } from '../../platform/auth/privacy.ts';
import { votingPhase } from './proposal.machine.ts';
import type { ProposalStatus } from './proposal.machine.ts';
import { allowedActions, identifiesAuthor } from './proposal.policy.ts';
import type { AuthorRow, ProposalRow, ProposalUpdateRow } from './proposal.repository.ts';
import { factsOf, stateOf } from './proposal.service.ts';
import type { ProposalViewT } from './proposal.schema.ts';

export function presentProposal(
  viewer: Principal,
  r: ProposalRow,
  author: AuthorRow | undefined,
  voted: Set<string>,
  at: string,
): ProposalViewT {
  const self = viewer.kind === 'resident' && viewer.id === r.author_id;
  const text = freeTextFor(viewer, self);
  const name = author?.name ?? '';
  const phase = votingPhase(stateOf(r), at);
  const hasVoted = voted.has(r.id);
  const identified = self || identifiesAuthor(viewer);
  return {
    id: r.id,
    communityId: r.community_id,
    title: text(r.title),
    description: text(r.description),
    status: r.status as ProposalStatus,
    version: r.version,
    author: {
      name: identified ? name : maskName(name),
      phone: identified ? (author?.phone ?? null) : null,
      self,
    },
    filedByStaff: r.filed_by !== null,
    rejectReason: r.reject_reason === null ? null : text(r.reject_reason),
    // Once decided the window is history: closed.
    voting:
      r.voting_starts_at && r.voting_ends_at && r.quorum !== null
        ? {
            startsAt: r.voting_starts_at,
            endsAt: r.voting_ends_at,
            quorum: r.quorum,
            phase: phase === 'none' ? 'closed' : phase,
          }
        : null,
    budgetEstimate: r.budget_estimate,
    votes: r.votes,
    myVote: viewer.kind === 'resident' ? hasVoted : null,
    progressPercent: r.progress_percent,
    decidedAt: r.decided_at,
    completedAt: r.completed_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    actions: allowedActions(viewer, factsOf(r), stateOf(r), at, hasVoted),
  };
}

export function presentUpdate(viewer: Principal, u: ProposalUpdateRow, self: boolean) {
  return {
    action: u.action,
    status: u.status as ProposalStatus,
    percent: u.percent,
    note: u.note === null ? null : freeTextFor(viewer, self)(u.note),
    at: u.created_at,
  };
}

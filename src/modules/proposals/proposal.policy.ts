/**
 * Who may do what with proposals, as pure predicates over the principal and the proposal's facts.
 * Residents propose and vote in their own community; an agent files for a resident (proxy);
 * managers and admins of the community review, open voting, decide and record implementation;
 * other staff of the community read. Nobody reads another community's proposals.
 */
import type { Principal } from '../../platform/auth/principal.ts';
import { maySee } from '../../platform/auth/privacy.ts';
import { PUBLIC_STATUSES, possibleActions, votingPhase } from './proposal.machine.ts';
import type { ProposalAction, ProposalState, ProposalStatus } from './proposal.machine.ts';

export const STEWARDS = ['manager', 'admin'] as const;
/** Staff who may file a proposal on a resident's behalf. */
export const PROXIES = ['agent', 'admin'] as const;

export interface ProposalFacts {
  communityId: string;
  authorId: string;
  status: ProposalStatus;
}

const servesCommunity = (p: Principal, communityId: string) =>
  p.kind === 'user' && p.communityIds.includes(communityId);

export function canRead(p: Principal, f: ProposalFacts): boolean {
  if (p.kind === 'system') return true;
  if (p.kind === 'user') return servesCommunity(p, f.communityId);
  if (p.kind === 'resident')
    return p.communityId === f.communityId && (PUBLIC_STATUSES.includes(f.status) || p.id === f.authorId);
  return false;
}

/** May file a proposal in the community: its residents for themselves, its agents for a resident. */
export function canPropose(p: Principal, communityId: string): boolean {
  if (p.kind === 'resident') return p.communityId === communityId;
  return (
    p.kind === 'user' && servesCommunity(p, communityId) && (PROXIES as readonly string[]).includes(p.role)
  );
}

/**
 * Whether staff read a proposal's author by name and phone: those who file for residents and call
 * them back (an agent, an admin). Other roles that read phones for their own work (a dispatcher,
 * a grid worker, a provider on an order) have no need of them here and read the name masked.
 */
export function identifiesAuthor(p: Principal): boolean {
  return p.kind === 'user' && (PROXIES as readonly string[]).includes(p.role) && maySee(p, 'phone');
}

export function canSteward(p: Principal, communityId: string): boolean {
  return (
    p.kind === 'user' && servesCommunity(p, communityId) && (STEWARDS as readonly string[]).includes(p.role)
  );
}

export function canVote(p: Principal, communityId: string): boolean {
  return p.kind === 'resident' && p.communityId === communityId;
}

export type Allowed = ProposalAction | 'vote' | 'withdraw_vote';

/** What the viewer may press now: the machine's possible steps if they steward it, and voting. */
export function allowedActions(
  p: Principal,
  f: ProposalFacts,
  s: ProposalState,
  at: string,
  hasVoted: boolean,
): Allowed[] {
  const out: Allowed[] = canSteward(p, f.communityId) ? possibleActions(s, at) : [];
  if (canVote(p, f.communityId) && votingPhase(s, at) === 'open')
    out.push(hasVoted ? 'withdraw_vote' : 'vote');
  return out;
}

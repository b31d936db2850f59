/**
 * Who may do what in the time bank: pure predicates over the principal and plain facts.
 *
 * - Minutes are credited only on verification, by staff who know the service (a grid worker,
 *   the manager or an admin of the record's community) or by the beneficiary themselves.
 * - A volunteer records their own service; staff of the community may record anyone's.
 * - A resident moves only their own minutes; staff who may verify may also redeem minutes on a
 *   resident's behalf (at the service window).
 * - Staff read the accounts, records and transactions of their communities; a resident reads
 *   their own account and the records they are part of.
 * - A manager or admin of the community reverses (冲正) a posted transaction, with a reason.
 */
import type { Principal, StaffRole } from '../../platform/auth/principal.ts';

/** Staff roles that may verify or reject service, and redeem on a resident's behalf. */
export const VERIFIER_ROLES: readonly StaffRole[] = ['grid_worker', 'manager', 'admin'];
/** Staff roles that may record service for a volunteer. */
export const RECORDER_ROLES: readonly StaffRole[] = ['agent', 'grid_worker', 'manager', 'admin'];
/** Staff roles that reverse (冲正) a posted transaction of their community. */
export const REVERSER_ROLES: readonly StaffRole[] = ['manager', 'admin'];
/** Staff roles that read a community's accounts and records. */
export const READER_ROLES: readonly StaffRole[] = ['agent', 'grid_worker', 'manager', 'admin', 'auditor'];

export interface RecordFacts {
  communityId: string;
  volunteerId: string;
  beneficiaryId: string | null;
  status: string;
}

const staffOf = (p: Principal, communityId: string, roles: readonly StaffRole[]) =>
  p.kind === 'user' && roles.includes(p.role) && p.communityIds.includes(communityId);

/** May this principal see the record at all (else it is answered as not found)? */
export function maySeeRecord(p: Principal, r: RecordFacts): boolean {
  if (p.kind === 'resident')
    return p.communityId === r.communityId && (p.id === r.volunteerId || p.id === r.beneficiaryId);
  return staffOf(p, r.communityId, READER_ROLES);
}

/** May this principal verify or reject the record (it must still be pending to be decided)? */
export function mayDecide(p: Principal, r: RecordFacts): boolean {
  if (p.kind === 'resident')
    return p.communityId === r.communityId && r.beneficiaryId !== null && p.id === r.beneficiaryId;
  return staffOf(p, r.communityId, VERIFIER_ROLES);
}

/** May this principal record service by `volunteerId` in the community? */
export function mayRecord(p: Principal, communityId: string, volunteerId: string): boolean {
  if (p.kind === 'resident') return p.communityId === communityId && p.id === volunteerId;
  return staffOf(p, communityId, RECORDER_ROLES);
}

/** May this principal redeem minutes of `residentId`'s account? */
export function mayRedeemFor(p: Principal, communityId: string, residentId: string): boolean {
  if (p.kind === 'resident') return p.communityId === communityId && p.id === residentId;
  return staffOf(p, communityId, VERIFIER_ROLES);
}

/** May this principal read the community's accounts and records (staff)? */
export function mayReadCommunity(p: Principal, communityId: string): boolean {
  return staffOf(p, communityId, READER_ROLES);
}

/** May this principal reverse a transaction of the community (a manager or admin of it)? */
export function mayReverse(p: Principal, communityId: string): boolean {
  return staffOf(p, communityId, REVERSER_ROLES);
}

/** The actions on a record this principal may take now: sent to clients to show only those buttons. */
export function allowedOnRecord(p: Principal, r: RecordFacts): ('verify' | 'reject')[] {
  return r.status === 'pending' && mayDecide(p, r) ? ['verify', 'reject'] : [];
}

/**
 * Who may do what to a work order, as a table of pure predicates (no I/O). The same table
 * yields the `allowedActions` the UI uses to show only the buttons a user may press.
 */
import type { Channel, Principal, StaffRole } from '../../platform/auth/principal.ts';
import type { Action } from './work-order.machine.ts';
import { FROM, canStart } from './work-order.machine.ts';
import type { Status } from './work-order.machine.ts';

/** What the policy needs to know about an order. */
export interface OrderFacts {
  communityId: string;
  gridId: string | null;
  status: Status;
  /** While waiting on the resident, the status the order resumes to (it decides whether it may be cancelled). */
  resumeStatus?: Status | null;
  assigneeId: string | null;
  reporterType: string;
  reporterId: string | null;
  beneficiaryId: string | null;
  /** The beneficiary's household when the order was filed. */
  householdId: string | null;
  createdAt: string;
}

/** The columns of an order row the policy reads (the row type is the repository's). */
export interface OrderFactsRow {
  community_id: string;
  grid_id: string | null;
  status: string;
  resume_status: string | null;
  assignee_id: string | null;
  reporter_type: string;
  reporter_id: string | null;
  beneficiary_id: string | null;
  household_id: string | null;
  created_at: string;
}

/** An order row's policy facts. */
export function orderFacts(o: OrderFactsRow): OrderFacts {
  return {
    communityId: o.community_id,
    gridId: o.grid_id,
    status: o.status as Status,
    resumeStatus: (o.resume_status as Status | null) ?? null,
    assigneeId: o.assignee_id,
    reporterType: o.reporter_type,
    reporterId: o.reporter_id,
    beneficiaryId: o.beneficiary_id,
    householdId: o.household_id,
    createdAt: o.created_at,
  };
}

const STAFF_ACTIONS: Record<StaffRole, readonly Action[]> = {
  agent: ['accept', 'confirm', 'reopen', 'wait', 'resume', 'refer', 'merge', 'dismiss', 'cancel'],
  dispatcher: [
    'accept',
    'dispatch',
    'transfer',
    'confirm',
    'reopen',
    'wait',
    'resume',
    'refer',
    'merge',
    'dismiss',
    'cancel',
  ],
  grid_worker: ['start', 'resolve', 'reject', 'transfer', 'wait', 'resume'],
  provider: ['start', 'resolve', 'reject', 'transfer', 'wait', 'resume'],
  manager: [
    'accept',
    'dispatch',
    'transfer',
    'confirm',
    'reopen',
    'wait',
    'resume',
    'refer',
    'merge',
    'dismiss',
    'cancel',
  ],
  auditor: [],
  admin: [
    'accept',
    'dispatch',
    'reject',
    'start',
    'resolve',
    'confirm',
    'reopen',
    'wait',
    'resume',
    'transfer',
    'refer',
    'merge',
    'dismiss',
    'cancel',
  ],
};

/** Actions that only the person the order is assigned to (or an admin) may take. */
const ASSIGNEE_ONLY: ReadonlySet<Action> = new Set(['start', 'resolve', 'reject']);
const RESIDENT_ACTIONS: readonly Action[] = ['confirm', 'reopen', 'cancel', 'resume'];

const CREATE_CHANNELS: Record<StaffRole, readonly Channel[]> = {
  agent: ['hotline', 'window', 'web', 'miniapp', 'kiosk'],
  dispatcher: ['hotline', 'window', 'web'],
  grid_worker: ['web', 'miniapp'],
  provider: [],
  manager: ['hotline', 'window', 'web'],
  auditor: [],
  admin: ['web', 'miniapp', 'hotline', 'window', 'kiosk', 'device', 'open311'],
};

/**
 * Theirs, or their household's: filed for someone of the household they live in, since they
 * have lived there (a newcomer does not read what earlier members filed; a resident who moved
 * out reads their own orders only).
 */
function isResidentsOwn(p: Extract<Principal, { kind: 'resident' }>, o: OrderFacts): boolean {
  if (isPartyTo(p, o)) return true;
  return (
    o.communityId === p.communityId &&
    p.householdId !== null &&
    o.householdId === p.householdId &&
    p.householdSince !== null &&
    o.createdAt >= p.householdSince
  );
}

/** Did this resident report the order, or is it for them? */
function isPartyTo(p: Extract<Principal, { kind: 'resident' }>, o: OrderFacts): boolean {
  if (o.communityId !== p.communityId) return false;
  return (o.reporterType === 'resident' && o.reporterId === p.id) || o.beneficiaryId === p.id;
}

/** May this principal see the order at all? Staff see only their communities, and field staff only their part. */
export function canReadOrder(p: Principal, o: OrderFacts): boolean {
  switch (p.kind) {
    case 'system':
      return true;
    case 'api_key':
      // An integration (kiosk, device, partner system) reads back what it reported, nothing else.
      return p.communityId === o.communityId && o.reporterType === 'api_key' && o.reporterId === p.id;
    case 'resident':
      return isResidentsOwn(p, o);
    case 'user':
      if (!p.communityIds.includes(o.communityId)) return false;
      if (p.role === 'provider') return o.assigneeId === p.id;
      if (p.role === 'grid_worker')
        return o.assigneeId === p.id || (o.gridId !== null && p.gridIds.includes(o.gridId));
      return true;
  }
}

/** May this principal take this action on this order (ignoring whether the status allows it)? */
export function mayAct(p: Principal, o: OrderFacts, action: Action): boolean {
  if (!canReadOrder(p, o)) return false;
  switch (p.kind) {
    case 'system':
      return action === 'auto_close';
    case 'api_key':
      return false;
    case 'resident':
      if (!RESIDENT_ACTIONS.includes(action)) return false;
      // The household reads its members' orders; only the one who reported it or the one it is
      // for withdraws, confirms, rates or reopens it (a lodger must not cancel a grandmother's).
      if (!isPartyTo(p, o)) return false;
      // A resident may withdraw a request only before work on it is under way (also while it
      // waits for them before that); an order that is over is refused by the lifecycle instead.
      if (action === 'cancel') return !workUnderWay(o);
      return true;
    case 'user': {
      if (!STAFF_ACTIONS[p.role].includes(action)) return false;
      // Confirming records the resident's verdict on the work: never the worker's own.
      if (action === 'confirm' && o.assigneeId === p.id) return false;
      if (p.role === 'admin') return true;
      if (ASSIGNEE_ONLY.has(action) || p.role === 'provider' || p.role === 'grid_worker') {
        return o.assigneeId === p.id;
      }
      return true;
    }
  }
}

const UNDER_WAY: ReadonlySet<string> = new Set(['dispatched', 'in_progress', 'resolved']);

/** Why `mayAct` refuses: the message of the 403, saying what the person can do instead where there is something. */
export function refusalOf(p: Principal, o: OrderFacts, action: Action): string {
  if (p.kind === 'resident' && action === 'cancel' && canReadOrder(p, o) && workUnderWay(o))
    return 'work on this order is under way, so it can no longer be withdrawn here: call the community hotline to stop it';
  return `you may not ${action} this order`;
}

/** Has someone been sent or started, so that withdrawing is no longer the resident's alone to do? */
function workUnderWay(o: OrderFacts): boolean {
  if (o.status === 'waiting_on_resident') return UNDER_WAY.has(o.resumeStatus ?? '');
  return UNDER_WAY.has(o.status);
}

/** Whom work can be assigned to: a role that may start and resolve orders (grid workers, providers, admins). */
export function mayBeAssigned(role: StaffRole): boolean {
  const actions = STAFF_ACTIONS[role];
  return actions.includes('start') && actions.includes('resolve');
}

/** The actions this principal can take now: allowed by the policy and by the order's status. */
export function allowedActions(p: Principal, o: OrderFacts): Action[] {
  const state = { status: o.status, resumeStatus: o.resumeStatus ?? null };
  return (Object.keys(FROM) as Action[]).filter((a) => canStart(state, a) && mayAct(p, o, a));
}

/** May this principal create an order in this community through this channel? */
export function mayCreate(p: Principal, communityId: string, channel: Channel): boolean {
  switch (p.kind) {
    case 'system':
      return true;
    case 'resident':
      return p.communityId === communityId && (channel === 'web' || channel === 'miniapp');
    case 'api_key':
      // An integration files orders only through the channels its key was given as scopes: a
      // key handed to an Open311 client does not file them as a kiosk or an SOS device.
      return (
        p.communityId === communityId &&
        ['kiosk', 'device', 'open311'].includes(channel) &&
        p.scopes.includes(channel)
      );
    case 'user':
      return p.communityIds.includes(communityId) && CREATE_CHANNELS[p.role].includes(channel);
  }
}

/** Staff roles that may list and search all of a community's orders. */
export function seesWholeCommunity(p: Principal): boolean {
  return p.kind === 'user' && ['agent', 'dispatcher', 'manager', 'auditor', 'admin'].includes(p.role);
}

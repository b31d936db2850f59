/**
 * Who may see a resident, as pure predicates (no I/O), mirroring the work-order policy: staff
 * see only their communities, and a grid worker only the households in their grids.
 */
import type { Principal, StaffRole } from '../../platform/auth/principal.ts';
import { readsAllContacts } from '../../platform/auth/privacy.ts';

/** What the policy needs to know about a resident. */
export interface ResidentFacts {
  id: string;
  communityId: string;
  householdId: string | null;
  /** Grid of the resident's household; null without a household or outside every grid. */
  gridId: string | null;
}

/** The facts of a resident's record and household (its grid) for the policy. */
export function residentFacts(
  r: { id: string; community_id: string; household_id: string | null },
  household: { grid_id: string | null } | undefined,
): ResidentFacts {
  return {
    id: r.id,
    communityId: r.community_id,
    householdId: r.household_id,
    gridId: household?.grid_id ?? null,
  };
}

/** Intake and field staff look residents up; providers and auditors never browse them. */
const BROWSING_ROLES: readonly StaffRole[] = ['agent', 'dispatcher', 'grid_worker', 'manager', 'admin'];

/** May this staff role look residents up at all (whatever the resident)? */
export function browsesResidents(p: Principal): boolean {
  return p.kind === 'user' && BROWSING_ROLES.includes(p.role);
}

/** The roles that keep a community's register of residents. */
const REGISTER_ROLES: readonly StaffRole[] = ['admin', 'manager'];

/** Does this principal keep the register (change residents' records)? The command line does. */
export function keepsRegister(p: Principal): boolean {
  if (p.kind === 'system') return true;
  return p.kind === 'user' && REGISTER_ROLES.includes(p.role);
}

/**
 * May this principal import residents (a dry run too)? An import reports, row by row, which
 * phones and ID numbers are already registered, so it is only for a role that keeps the register
 * and reads those numbers unmasked anyway: admins (and the command line). A manager sees
 * 138****0001 and would otherwise learn the hidden digits by a dry run of the 10,000 numbers it
 * may stand for.
 */
export function importsResidents(p: Principal): boolean {
  if (p.kind === 'system') return true;
  return keepsRegister(p) && readsAllContacts(p);
}

/**
 * May this principal erase a resident's personal data? It cannot be undone, and whether the law
 * asks the community to keep something first is a judgement: admins (and the command line).
 */
export function erasesResidents(p: Principal): boolean {
  if (p.kind === 'system') return true;
  return p.kind === 'user' && p.role === 'admin';
}

/**
 * May this principal download a copy of this resident's personal data? The resident, and an admin
 * acting for them (at the service window, for someone without the phone app), and the command
 * line. Other staff read what their work needs, masked, and never take a copy away.
 */
export function downloadsResidentData(p: Principal, residentId: string): boolean {
  if (p.kind === 'resident') return p.id === residentId;
  return erasesResidents(p);
}

/** May this principal see this resident? Callers answer "not found" when not, so ids leak nothing. */
export function canReadResident(p: Principal, r: ResidentFacts): boolean {
  switch (p.kind) {
    case 'system':
      return true;
    case 'api_key':
      return false;
    case 'resident':
      return p.id === r.id || (p.householdId !== null && p.householdId === r.householdId);
    case 'user':
      if (!browsesResidents(p) || !p.communityIds.includes(r.communityId)) return false;
      // A grid worker serves their grids: a resident with no household there is not theirs.
      if (p.role === 'grid_worker') return r.gridId !== null && p.gridIds.includes(r.gridId);
      return true;
  }
}

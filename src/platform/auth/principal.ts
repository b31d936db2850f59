import { forbidden } from '../errors.ts';

export const STAFF_ROLES = [
  'agent',
  'dispatcher',
  'grid_worker',
  'provider',
  'manager',
  'auditor',
  'admin',
] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const CHANNELS = ['web', 'miniapp', 'hotline', 'window', 'kiosk', 'device', 'open311'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Who is making a request, as established by authentication. */
export type Principal =
  | {
      kind: 'user';
      id: string;
      username: string;
      name: string;
      role: StaffRole;
      communityIds: string[];
      /** Grids this user works (grid workers). */
      gridIds: string[];
      /** The password is a temporary one: the API serves only who they are, the password change and sign-out. */
      mustChangePassword?: boolean;
    }
  | {
      kind: 'resident';
      id: string;
      name: string;
      phone: string;
      communityId: string;
      householdId: string | null;
      /** When they joined that household: its orders filed since then are theirs to read too. */
      householdSince: string | null;
    }
  | {
      kind: 'api_key';
      id: string;
      name: string;
      communityId: string;
      scopes: string[];
    }
  | { kind: 'system'; name: string };

export const SYSTEM: Principal = { kind: 'system', name: 'system' };

/** A short, stable label for audit entries: `user:dispatcher`, `resident:<id>`, `api_key:<id>`. */
export function actorLabel(p: Principal): string {
  switch (p.kind) {
    case 'user':
      return `user:${p.username}`;
    case 'resident':
      return `resident:${p.id}`;
    case 'api_key':
      return `api_key:${p.id}`;
    case 'system':
      return `system:${p.name}`;
  }
}

export function communitiesOf(p: Principal): string[] {
  switch (p.kind) {
    case 'user':
      return p.communityIds;
    case 'resident':
    case 'api_key':
      return [p.communityId];
    case 'system':
      return [];
  }
}

/**
 * The communities a staff listing covers: all of the caller's, or the one asked for if the
 * caller serves it. Throws `forbidden` for anyone else or any other community. `requested` is
 * an id: over HTTP, the community-ref hook has already turned a served community's code into it.
 */
export function scopedCommunities(p: Principal, requested?: string): string[] {
  if (p.kind !== 'user') throw forbidden('staff only');
  if (!requested) return p.communityIds;
  if (!p.communityIds.includes(requested)) throw forbidden('you do not serve this community');
  return [requested];
}

/** The principal of a resident, from their record (an erased one signs in as no one: the caller checks). */
export function residentPrincipalOf(r: {
  id: string;
  name: string;
  phone: string | null;
  community_id: string;
  household_id: string | null;
  household_since: string | null;
}): Principal {
  return {
    kind: 'resident',
    id: r.id,
    name: r.name,
    phone: r.phone ?? '',
    communityId: r.community_id,
    householdId: r.household_id,
    householdSince: r.household_since,
  };
}

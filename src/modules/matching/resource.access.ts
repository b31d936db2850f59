/**
 * Who may read and change the catalogue, dispatch rules and staff capability, as pure predicates,
 * and the community lookup every catalogue route starts with (an unknown community and one the
 * caller does not serve answer alike, so ids leak nothing).
 */
import type { Kysely } from 'kysely';
import type { Principal } from '../../platform/auth/principal.ts';
import type { DB } from '../../platform/db/schema.ts';
import { AppError, forbidden } from '../../platform/errors.ts';
import { findCommunity } from '../tenancy/tenancy.repository.ts';
import type { CommunityRow } from '../tenancy/community.access.ts';

export type { CommunityRow };

const EDITORS = new Set(['admin', 'manager']);
const DISPATCHERS = new Set(['admin', 'manager', 'dispatcher']);

/** Staff of the community read the catalogue. */
export function mayReadCatalogue(p: Principal, communityId: string): boolean {
  return p.kind === 'system' || (p.kind === 'user' && p.communityIds.includes(communityId));
}

/** Admins and managers change the catalogue, rules and capability. */
export function mayEditCatalogue(p: Principal, communityId: string): boolean {
  return (
    p.kind === 'system' || (p.kind === 'user' && EDITORS.has(p.role) && p.communityIds.includes(communityId))
  );
}

/** Dispatchers (and managers, admins) see candidates and dispatch. */
export function mayDispatch(p: Principal, communityId: string): boolean {
  return (
    p.kind === 'system' ||
    (p.kind === 'user' && DISPATCHERS.has(p.role) && p.communityIds.includes(communityId))
  );
}

/** The community a caller names (id or code), if they may read it; otherwise community_not_found. */
export async function communityFor(
  db: Kysely<DB>,
  p: Principal,
  ref: string,
  field = 'community',
): Promise<CommunityRow> {
  const c = await findCommunity(db, ref);
  if (!c || !mayReadCatalogue(p, c.id)) {
    throw new AppError('community_not_found', `community ${ref} was not found`, { field });
  }
  return c;
}

export function requireEditor(p: Principal, communityId: string): void {
  if (!mayEditCatalogue(p, communityId)) throw forbidden('only admins and managers change the catalogue');
}

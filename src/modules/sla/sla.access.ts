/**
 * Who may read and change SLA settings, as pure predicates (no I/O).
 *
 * A policy with a `communityId` belongs to that community: its staff read it, its admins change
 * it. A policy without one, every calendar and every holiday file are shared by the whole
 * deployment, so only an admin who administers every community may change them. A scope is a
 * community id, or `null` for "shared by every community". The `require…` helpers turn a refusal
 * into the typed `forbidden` error.
 */
import type { Principal } from '../../platform/auth/principal.ts';
import { AppError, forbidden } from '../../platform/errors.ts';

export type SlaScope = string | null;

export type Admin = Extract<Principal, { kind: 'user' }> & { role: 'admin' };

export function isAdmin(p: Principal): p is Admin {
  return p.kind === 'user' && p.role === 'admin';
}

/** The scope of a policy: its community, or null when it is shared. */
export function scopeOf(policy: { communityId?: string | undefined }): SlaScope {
  return policy.communityId ?? null;
}

/** Staff see shared policies and those of the communities they serve. */
export function maySeePolicy(p: Principal, scope: SlaScope): boolean {
  return p.kind === 'user' && (scope === null || p.communityIds.includes(scope));
}

/**
 * May a policy of scope `from` continue its escalation chain with a policy of scope `to`? Only
 * into a shared policy or one of its own community: another community's chain names another
 * community's people. A shared policy continues only into shared ones.
 */
export function mayContinueInto(from: SlaScope, to: SlaScope): boolean {
  return to === null || to === from;
}

/** An admin who administers every community of the deployment changes what they all share. */
export function administersAll(p: Principal, allCommunityIds: readonly string[]): boolean {
  return isAdmin(p) && allCommunityIds.every((id) => p.communityIds.includes(id));
}

/** Admins of a community change its policies; shared settings need an admin of every community. */
export function mayEditScope(p: Principal, scope: SlaScope, allCommunityIds: readonly string[]): boolean {
  if (scope === null) return administersAll(p, allCommunityIds);
  return isAdmin(p) && p.communityIds.includes(scope);
}

/** The communities a change to these scopes affects, each once: all of them when one is shared. */
export function affectedCommunities(
  scopes: readonly SlaScope[],
  allCommunityIds: readonly string[],
): string[] {
  if (scopes.includes(null)) return [...allCommunityIds];
  return [...new Set(scopes.filter((s): s is string => s !== null))];
}

const SHARED = 'this setting is shared by every community: only an admin of every community changes it';

export function requireAdmin(p: Principal): Admin {
  if (!isAdmin(p)) throw forbidden('only administrators edit SLA settings');
  return p;
}

/** Refuses a change to a community's policies, or to shared ones, that the caller may not make. */
export function requireScope(p: Principal, scope: SlaScope, allCommunityIds: readonly string[]): void {
  if (mayEditScope(p, scope, allCommunityIds)) return;
  if (scope === null) throw new AppError('forbidden', SHARED, { field: 'communityId', communityId: null });
  throw new AppError('forbidden', 'you do not administer this community', {
    field: 'communityId',
    communityId: scope,
  });
}

/** Refuses a change to calendars or holiday files unless the caller administers every community. */
export function requireSharedEditor(p: Principal, allCommunityIds: readonly string[]): void {
  if (!administersAll(p, allCommunityIds)) throw forbidden(SHARED);
}

/**
 * Policy ids are unique per view, not across the deployment: a community's view is its own
 * policies and the shared ones; the shared view is the shared ones alone. Two communities may
 * each have a policy `fast-water`, and neither can learn of the other's.
 */
export function inView<T extends { communityId?: string | undefined }>(
  policies: readonly T[],
  view: SlaScope,
): T[] {
  return policies.filter((x) => {
    const s = scopeOf(x);
    return s === null || s === view;
  });
}

/** The policy `id` as seen from `view`: the community's own, else a shared one. */
export function findInView<T extends { id: string; communityId?: string | undefined }>(
  policies: readonly T[],
  view: SlaScope,
  id: string,
): T | undefined {
  let shared: T | undefined;
  for (const x of policies) {
    if (x.id !== id) continue;
    const s = scopeOf(x);
    if (s === view && s !== null) return x;
    if (s === null) shared = x;
  }
  return shared;
}

/** The views a change of these scopes touches: a community's own, or all of them (and the shared one) when a shared policy changes. */
export function viewsTouched(scopes: readonly SlaScope[], allCommunityIds: readonly string[]): SlaScope[] {
  if (scopes.includes(null)) return [null, ...allCommunityIds];
  return [...new Set(scopes)];
}

/**
 * Who may create and change staff accounts: pure predicates over plain facts.
 *
 * - Only an admin manages staff, and only people all of whose communities the admin serves
 *   (before and after the change): a community admin cannot touch a street-level account, nor
 *   give anyone a community the admin does not serve.
 * - An admin cannot lock themselves out: no changing their own role, deactivating themselves or
 *   dropping their own communities through this door.
 */
import { STAFF_ROLES } from '../../platform/auth/principal.ts';

export interface Admin {
  id: string;
  communityIds: readonly string[];
}

export interface StaffFacts {
  id: string;
  role: string;
  communityIds: readonly string[];
  active: boolean;
}

/** Why a staff change is not the admin's to make: `details.reason` of the 403, for clients to say in their language. */
export const STAFF_REFUSALS = [
  'other_community',
  'foreign_community',
  'own_role',
  'deactivate_self',
  'own_communities',
] as const;
export type StaffRefusal = (typeof STAFF_REFUSALS)[number];

export type StaffProblem =
  | { code: 'not_found'; message: string }
  | { code: 'forbidden'; reason: StaffRefusal; message: string }
  | { code: 'invalid_input'; field: string; message: string };

const within = (ids: readonly string[], of: readonly string[]) => ids.every((id) => of.includes(id));

/** May this admin see the account at all? Only if they share a community (else: not found). */
export function canSee(admin: Admin, target: Pick<StaffFacts, 'communityIds'>): boolean {
  return target.communityIds.some((id) => admin.communityIds.includes(id));
}

/** The problem with `admin` turning `before` (null: a new account) into `after`, or null. */
export function staffChangeProblem(
  admin: Admin,
  before: StaffFacts | null,
  after: StaffFacts,
): StaffProblem | null {
  if (before && !canSee(admin, before))
    return { code: 'not_found', message: `staff ${before.id} was not found` };
  if (before && !within(before.communityIds, admin.communityIds))
    return {
      code: 'forbidden',
      reason: 'other_community',
      message: 'this person also serves communities you do not administer',
    };
  if (!(STAFF_ROLES as readonly string[]).includes(after.role))
    return { code: 'invalid_input', field: 'role', message: `role must be one of ${STAFF_ROLES.join(', ')}` };
  if (after.communityIds.length === 0)
    return {
      code: 'invalid_input',
      field: 'communityIds',
      message: 'a staff member serves at least one community',
    };
  if (!within(after.communityIds, admin.communityIds))
    return {
      code: 'forbidden',
      reason: 'foreign_community',
      message: 'you may give only communities you administer',
    };
  if (before && before.id === admin.id) {
    if (after.role !== before.role)
      return {
        code: 'forbidden',
        reason: 'own_role',
        message: 'you cannot change your own role (ask another admin)',
      };
    if (!after.active)
      return {
        code: 'forbidden',
        reason: 'deactivate_self',
        message: 'you cannot deactivate yourself (ask another admin)',
      };
    if (!within(before.communityIds, after.communityIds))
      return {
        code: 'forbidden',
        reason: 'own_communities',
        message: 'you cannot drop your own communities (ask another admin)',
      };
  }
  return null;
}

/** Why a new password is refused: `details.reason` of the 400, for clients to say in their language. */
export const PASSWORD_REASONS = [
  'too_short',
  'too_long',
  'only_digits',
  'is_username',
  'same_as_current',
] as const;
export type PasswordReason = (typeof PASSWORD_REASONS)[number];

/** A password a person can type: 10–200 characters, not only digits, not the username. */
export function passwordProblem(
  password: string,
  username: string,
): { reason: PasswordReason; message: string } | null {
  if (password.length < 10) return { reason: 'too_short', message: 'at least 10 characters' };
  if (password.length > 200) return { reason: 'too_long', message: 'at most 200 characters' };
  if (/^\d+$/.test(password)) return { reason: 'only_digits', message: 'not only digits' };
  if (password.toLowerCase() === username.toLowerCase())
    return { reason: 'is_username', message: 'not the username' };
  return null;
}

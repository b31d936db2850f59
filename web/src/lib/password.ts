/**
 * The server's rules for staff accounts (src/modules/staff: staff.policy.ts and the route
 * schemas), checked in forms as the user types. The server checks them again and has the last word.
 */
import type { MessageKey } from './i18n.ts';

export const STAFF_ROLES = [
  'agent',
  'dispatcher',
  'grid_worker',
  'provider',
  'manager',
  'auditor',
  'admin',
] as const;

/** Lower-case, 3–32 characters, starting with a letter. */
export const USERNAME_PATTERN = /^[a-z][a-z0-9_.-]{2,31}$/;

/** A work phone: 3–20 digits, spaces, `+` or `-`. */
export const WORK_PHONE_PATTERN = /^[0-9+\- ]{3,20}$/;

/** What is wrong with a new password (as message key), or null: 10–200 characters, not only digits, not the username. */
export function passwordProblem(password: string, username: string | undefined): MessageKey | null {
  if (password.length < 10) return 'passwordTooShort';
  if (password.length > 200) return 'passwordTooLong';
  if (/^\d+$/.test(password)) return 'passwordDigitsOnly';
  if (username && password.toLowerCase() === username.toLowerCase()) return 'passwordIsUsername';
  return null;
}

/**
 * The server's reasons (`details.reason`) for refusing a new password, as error-detail keys. The
 * reasons are the server's constants (staff.policy.ts `PASSWORD_REASONS`); a test holds the two lists equal.
 */
export const PASSWORD_REASON_KEYS: Record<string, string> = {
  too_short: 'password_short',
  too_long: 'password_long',
  only_digits: 'password_digits',
  is_username: 'password_username',
  same_as_current: 'password_same',
};

/** The server's reasons (`details.reason`) for refusing a staff change (staff.policy.ts `STAFF_REFUSALS`). */
export const STAFF_REFUSAL_KEYS: Record<string, string> = {
  other_community: 'staff_other_community',
  foreign_community: 'staff_foreign_community',
  own_role: 'staff_own_role',
  deactivate_self: 'staff_deactivate_self',
  own_communities: 'staff_own_communities',
};

/** The error-detail key of a reason the server gave, from one of the tables above. */
export function reasonKey(table: Record<string, string>, reason: unknown): string | undefined {
  return typeof reason === 'string' && Object.hasOwn(table, reason) ? table[reason] : undefined;
}

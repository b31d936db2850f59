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

/** The reason the server gave for refusing a password (its English message), as an error-detail key. */
export function passwordReason(serverMessage: string): string | undefined {
  if (/at least 10 characters/.test(serverMessage)) return 'password_short';
  if (/at most 200 characters/.test(serverMessage)) return 'password_long';
  if (/not only digits/.test(serverMessage)) return 'password_digits';
  if (/not the username/.test(serverMessage)) return 'password_username';
  if (/other than the current one/.test(serverMessage)) return 'password_same';
  return undefined;
}

/** The reason the server gave for refusing a staff change (its English message), as an error-detail key. */
export function staffForbiddenReason(serverMessage: string): string | undefined {
  if (/also serves communities you do not administer/.test(serverMessage)) return 'staff_other_community';
  if (/only communities you administer/.test(serverMessage)) return 'staff_foreign_community';
  if (/your own role/.test(serverMessage)) return 'staff_own_role';
  if (/deactivate yourself/.test(serverMessage)) return 'staff_deactivate_self';
  if (/drop your own communities/.test(serverMessage)) return 'staff_own_communities';
  return undefined;
}

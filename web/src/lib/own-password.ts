/** Changing one's own password, shared by the staff apps' dialog and the field view's form. */
import { api, ApiError, errorText } from './api.ts';
import type { Lang, MessageKey } from './i18n.ts';
import { passwordProblem } from './password.ts';

export interface OwnPasswordValues {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
}

/** Where a refusal is shown: at the field the server named, or for the form as a whole. */
export interface OwnPasswordRefusal {
  field?: 'currentPassword' | 'newPassword';
  message: string;
}

/** Sends the change; null when it was made, else the refusal in the user's language. */
export async function sendOwnPassword(v: OwnPasswordValues, lang: Lang): Promise<OwnPasswordRefusal | null> {
  try {
    await api('/api/v1/me/password', {
      body: { currentPassword: v.currentPassword, newPassword: v.newPassword },
    });
    return null;
  } catch (err) {
    const message = errorText(err, lang);
    if (err instanceof ApiError && (err.field === 'currentPassword' || err.field === 'newPassword'))
      return { field: err.field, message };
    return { message };
  }
}

/** A form rule as both form libraries (antd and antd-mobile) take it. */
type Rule =
  | { required: true; message: string }
  | ((form: { getFieldValue(name: string): unknown }) => {
      validator(rule: unknown, value: string | undefined): Promise<void>;
    });

/**
 * The checks of the three fields as the user types: the server's password rules, a new password
 * other than the current one, and the same new password twice.
 */
export function ownPasswordRules(
  t: (key: MessageKey) => string,
  username: string | undefined,
): Record<keyof OwnPasswordValues, Rule[]> {
  return {
    currentPassword: [{ required: true, message: t('currentPasswordRequired') }],
    newPassword: [
      { required: true, message: t('newPasswordRequired') },
      ({ getFieldValue }) => ({
        validator(_rule, value) {
          if (!value) return Promise.resolve();
          const problem = passwordProblem(value, username);
          if (problem) return Promise.reject(new Error(t(problem)));
          if (value === getFieldValue('currentPassword'))
            return Promise.reject(new Error(t('passwordSameAsCurrent')));
          return Promise.resolve();
        },
      }),
    ],
    confirmPassword: [
      { required: true, message: t('confirmPasswordRequired') },
      ({ getFieldValue }) => ({
        validator(_rule, value) {
          if (!value || value === getFieldValue('newPassword')) return Promise.resolve();
          return Promise.reject(new Error(t('passwordMismatch')));
        },
      }),
    ],
  };
}

/** Changing one's own password, shared by the staff apps' dialog and the field view's form. */
import { api, ApiError, errorText } from './api.ts';
import type { Lang } from './i18n.ts';

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

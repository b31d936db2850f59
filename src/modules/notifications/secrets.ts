/**
 * Secrets in messages (pure): one-time codes travel through the outbox to the provider, but are
 * not kept at rest once their message is done, and a development log shows phone numbers
 * masked and codes only when code logging is on (LINLI_LOG_OTP).
 */
import { maskPhone } from '../../platform/auth/privacy.ts';
import { scrubText } from '../../platform/auth/text-privacy.ts';

/** Payload fields of each template that are secrets: needed to deliver, blanked afterwards. */
export const SECRET_FIELDS: Readonly<Record<string, readonly string[]>> = {
  otp: ['code'],
};

export const REDACTED = '******';

/**
 * The payload JSON of a message that is done (sent, or failed for good) with its secrets
 * replaced; null when the template carries none or they are gone already.
 */
export function redactedPayload(template: string, payloadJson: string): string | null {
  const fields = SECRET_FIELDS[template];
  if (!fields) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(payloadJson);
  } catch {
    return null;
  }
  if (typeof payload !== 'object' || payload === null) return null;
  const data = payload as Record<string, unknown>;
  const present = fields.filter((f) => data[f] !== undefined && data[f] !== REDACTED);
  if (present.length === 0) return null;
  return JSON.stringify({ ...data, ...Object.fromEntries(present.map((f) => [f, REDACTED])) });
}

// A run of 4–8 digits standing alone: a one-time code. Digits joined by letters or hyphens (an
// order number such as TAOYUAN-20261206-001506, a date) are left as they are.
const CODE = /(?<![\dA-Za-z-])\d{4,8}(?![\dA-Za-z-])/g;

/** Text with every stand-alone 4–8 digit code starred out. */
export function maskCodes(text: string): string {
  return text.replace(CODE, (m) => '*'.repeat(m.length));
}

/** A message text as a log may show it: contact data blanked, codes starred unless `showCodes`. */
export function loggableText(text: string, showCodes: boolean): string {
  const scrubbed = scrubText(text);
  return showCodes ? scrubbed : maskCodes(scrubbed);
}

/** A recipient as a log may show it: 138****0001. */
export function loggableRecipient(to: string | null): string | null {
  return maskPhone(to);
}

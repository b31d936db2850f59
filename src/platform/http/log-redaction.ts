import { scrubText } from '../auth/text-privacy.ts';

const MASK = '***';

/**
 * Query parameters whose values are secrets or personal data wherever they appear: Open311's
 * `api_key`, sign-in tokens, the hotline's phone lookups, free-text searches (`q` is mostly a
 * phone number or a name) and one-time codes. Compared lower-cased without `_` and `-`.
 */
const SECRET_PARAMS = new Set([
  'apikey',
  'key',
  'token',
  'accesstoken',
  'password',
  'secret',
  'phone',
  'mobile',
  'email',
  'idnumber',
  'q',
  'code',
]);

// An `@`, or seven digits (full-width too) a few characters apart at most: a text with neither
// holds no e-mail, phone or ID number, and is not searched further.
const MAYBE_CONTACT = /[@\uFF20]|(?:[0-9\uFF10-\uFF19][^0-9\uFF10-\uFF19]{0,3}){7}/;

/** Whether a decoded text holds contact data (the same finder that masks free text for the public). */
const holdsContact = (text: string) => MAYBE_CONTACT.test(text) && scrubText(text) !== text;

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function maskParam(pair: string): string {
  const eq = pair.indexOf('=');
  if (eq < 0) return pair;
  const name = pair.slice(0, eq);
  const value = pair.slice(eq + 1);
  if (value === '') return pair;
  if (SECRET_PARAMS.has(decoded(name).toLowerCase().replace(/[-_]/g, ''))) return `${name}=${MASK}`;
  return holdsContact(decoded(value)) ? `${name}=${MASK}` : pair;
}

/**
 * A URL as the log may keep it: the values of secret and personal query parameters are masked,
 * and so is any other value (or path segment) that holds a phone number, an ID number or an
 * e-mail address (also percent-encoded or typed in full-width digits).
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const safePath = holdsContact(decoded(path))
    ? path
        .split('/')
        .map((s) => (holdsContact(decoded(s)) ? MASK : s))
        .join('/')
    : path;
  if (q < 0) return safePath;
  return `${safePath}?${url
    .slice(q + 1)
    .split('&')
    .map(maskParam)
    .join('&')}`;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remoteAddress?: string; remotePort?: number } | null;
}

/**
 * Pino serializers for the app's logger: the request line with its URL redacted. Headers
 * (cookies, `Authorization`, `X-Api-Key`) and bodies are never logged.
 */
export const logSerializers = {
  req(req: LoggedRequest) {
    return {
      method: req.method,
      url: req.url === undefined ? undefined : redactUrl(req.url),
      host: req.host,
      remoteAddress: req.ip ?? req.socket?.remoteAddress,
      remotePort: req.socket?.remotePort,
    };
  },
};

/** A small fetch client: same-origin cookie session, JSON in and out, typed errors in the UI's language. */
import { labels, translate } from './i18n.ts';
import type { Lang } from './i18n.ts';
import { PASSWORD_REASON_KEYS, STAFF_REFUSAL_KEYS, reasonKey } from './password.ts';

/**
 * The UI language now: SettingsProvider keeps `<html lang>` in step with the user's choice
 * (zh-CN by default), so code outside React can read it. Outside a browser: Chinese.
 */
export function currentLang(): Lang {
  if (typeof document === 'undefined') return 'zh';
  return document.documentElement.lang.toLowerCase().startsWith('en') ? 'en' : 'zh';
}

/**
 * An error answer of the API. `message` is what the user reads, in the UI language at the time
 * the error arrived (see `errorText`); `serverMessage` keeps the server's English for logs.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly details: Record<string, unknown>;
  readonly serverMessage: string;

  constructor(
    status: number,
    code: string,
    serverMessage: string,
    field?: string,
    details: Record<string, unknown> = {},
    lang: Lang = currentLang(),
  ) {
    super(serverMessage);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.details = details;
    this.serverMessage = serverMessage;
    this.message = apiErrorText(this, lang);
  }
}

/** Thrown when the request never reached the server (offline, DNS, reset). */
export class NetworkError extends Error {
  /** `cause` keeps the browser's own words (English), for logs. */
  constructor(cause: string, lang: Lang = currentLang()) {
    super(translate(lang, 'networkError'), { cause });
    this.name = 'NetworkError';
  }
}

const HTTP_CODES: Record<number, string> = {
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

function whenText(lang: Lang, iso: unknown): string | undefined {
  if (typeof iso !== 'string') return undefined;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return undefined;
  return d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

function apiErrorText(err: ApiError, lang: Lang): string {
  const d = err.details;
  switch (err.code) {
    case 'invalid_input':
    case 'validation_failed': {
      // A refused password says why (too short, only digits, …) in `details.reason`.
      const why =
        err.field === 'newPassword' || err.field === 'password'
          ? reasonKey(PASSWORD_REASON_KEYS, d.reason)
          : undefined;
      if (why) return labels.errorDetail(lang, why) ?? '';
      const byField = err.field ? labels.fieldError(lang, err.field) : undefined;
      if (byField) return byField;
      break;
    }
    case 'account_locked': {
      const time = whenText(lang, d.lockedUntil);
      if (time) return labels.errorDetail(lang, 'account_locked_until', { time }) ?? '';
      break;
    }
    case 'invalid_transition':
      if (typeof d.status === 'string' && typeof d.action === 'string')
        return (
          labels.errorDetail(lang, 'invalid_transition_status', {
            status: labels.status(lang, d.status),
            action: labels.action(lang, d.action),
          }) ?? ''
        );
      break;
    case 'conflict':
      if (err.field === 'auto') return labels.errorDetail(lang, 'conflict_auto') ?? '';
      if (err.field === 'username') return labels.errorDetail(lang, 'conflict_username') ?? '';
      // A resident's phone another resident has (one phone signs in as one resident).
      if (err.field === 'phone') return labels.errorDetail(lang, 'conflict_phone') ?? '';
      break;
    case 'forbidden': {
      // Staff accounts: why this change is not the admin's to make (`details.reason`).
      const why = reasonKey(STAFF_REFUSAL_KEYS, d.reason);
      if (why) return labels.errorDetail(lang, why) ?? '';
      break;
    }
    case 'rate_limited':
      if (err.field === 'phone') {
        // How long to wait, in `details.retryAfterSeconds`.
        const n = typeof d.retryAfterSeconds === 'number' ? String(d.retryAfterSeconds) : undefined;
        return labels.errorDetail(lang, n ? 'otp_wait' : 'otp_wait_short', n ? { n } : undefined) ?? '';
      }
      break;
    case 'error': {
      // No error body (a proxy's page, a crash): say it by the HTTP status.
      const code = HTTP_CODES[err.status];
      if (code) return labels.error(lang, code) ?? '';
      return (
        labels.errorDetail(lang, err.status >= 500 ? 'http_server' : 'http_other', { status: err.status }) ??
        ''
      );
    }
  }
  return labels.error(lang, err.code) ?? err.serverMessage;
}

/**
 * What to show the user for an error in `lang`: by the API error's code (and, for some codes,
 * its details), the network message when the request never arrived, else the error's own text.
 * The server's English is shown only for an error code the UI does not know.
 */
export function errorText(err: unknown, lang: Lang): string {
  if (err instanceof ApiError) return apiErrorText(err, lang);
  if (err instanceof NetworkError) return translate(lang, 'networkError');
  if (err instanceof Error) return err.message;
  return String(err);
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE' | 'PATCH' | 'PUT';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The ApiError for an error answer (exported for tests). */
export function errorFrom(status: number, payload: unknown): ApiError {
  if (isRecord(payload) && isRecord(payload.error)) {
    const e = payload.error;
    const details = isRecord(e.details) ? e.details : {};
    const field = typeof details.field === 'string' ? details.field : undefined;
    return new ApiError(
      status,
      typeof e.code === 'string' ? e.code : 'error',
      typeof e.message === 'string' ? e.message : `HTTP ${status}`,
      field,
      details,
    );
  }
  return new ApiError(status, 'error', `HTTP ${status}`);
}

/** Calls the API and answers the parsed JSON body typed as `T` (the caller names the route's response type). */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      credentials: 'include',
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new NetworkError(err instanceof Error ? err.message : 'network error');
  }
  const text = await res.text();
  let payload: unknown = null;
  if (text) {
    try {
      payload = JSON.parse(text) as unknown;
    } catch {
      payload = text;
    }
  }
  if (!res.ok) throw errorFrom(res.status, payload);
  return payload as T;
}

/** A query string from defined, non-empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** A random key for Idempotency-Key headers (works outside secure contexts too). */
export function newKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The closed set of errors the API may answer with. Each code is stable: clients and tests
 * match on it, never on the message.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  invalid_input: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  account_locked: 423,
  otp_invalid: 401,
  forbidden: 403,
  password_change_required: 403,
  not_found: 404,
  work_order_not_found: 404,
  resident_not_found: 404,
  community_not_found: 404,
  proposal_not_found: 404,
  invalid_transition: 409,
  version_conflict: 409,
  idempotency_conflict: 409,
  /** The time bank: a resident's account holds fewer minutes than a transfer or redemption needs. */
  insufficient_balance: 409,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  /** Refused outside any handler (see http/errors.plugin.ts): too slow, headers too large, shutting down. */
  request_timeout: 408,
  headers_too_large: 431,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (code: ErrorCode, what: string, id: string) =>
  new AppError(code, `${what} ${id} was not found`, { id });

export const forbidden = (message = 'you may not do this') => new AppError('forbidden', message);

export const invalidInput = (field: string, message: string) =>
  new AppError('invalid_input', message, { field });

/**
 * PostgreSQL's deadlock (40P01) and serialization failure (40001): the database rolled the
 * transaction back whole. SQLite's busy (its write lock held longer than the wait) likewise.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001' || code === 'SQLITE_BUSY';
}

import type { FastifyError, FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { AppError, ERROR_STATUS } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Record(Type.String(), Type.Unknown(), {
        description: 'Always an object: the offending field and the like where it helps, else `{}`.',
      }),
    }),
  },
  {
    $id: 'ErrorBody',
    description: 'Every error: a stable code, a message and details (`{}` when there is nothing to add).',
  },
);

/**
 * The body of every JSON refusal: `details` is always an object, so a client reads
 * `error.details.field` without checking that `details` is there.
 */
export function errorBody(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
  return { error: { code, message, details } };
}

const byStatus: Record<number, ErrorCode> = {
  400: 'invalid_input',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** Turns a Fastify/AJV validation error into the field it names: `/body/location/lat` → `location.lat`. */
function fieldOf(err: FastifyError): string | undefined {
  const v = err.validation?.[0];
  if (!v) return undefined;
  const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const missing = (v.params as { missingProperty?: string }).missingProperty;
  const extra = (v.params as { additionalProperty?: string }).additionalProperty;
  const leaf = missing ?? extra;
  if (leaf) return path ? `${path}.${leaf}` : leaf;
  return path || undefined;
}

/** One error handler for the whole API: typed errors map to their status; nothing internal leaks from a 5xx. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.status).send(errorBody(err.code, err.message, err.details));
    }
    if (err.validation) {
      const field = fieldOf(err);
      const where = err.validationContext ?? 'body';
      return reply.status(400).send(
        errorBody('validation_failed', `${field ?? where}: ${err.validation[0]?.message ?? 'is invalid'}`, {
          field: field ?? where,
          in: where,
          issues: err.validation.slice(0, 10),
        }),
      );
    }
    const status = err.statusCode ?? 500;
    if (status < 500) {
      const code = byStatus[status] ?? 'invalid_input';
      return reply
        .status(ERROR_STATUS[code] === status ? status : 400)
        .send(errorBody(code, err.message.replace(/^FST_\w+: /, '')));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody('internal_error', 'something went wrong on our side'));
  });
}

/** The JSON 404 every unknown API route answers. */
export function notFoundBody(method: string, url: string) {
  return errorBody('not_found', `no route ${method} ${url.split('?')[0]}`);
}

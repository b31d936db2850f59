import { randomUUID } from 'node:crypto';
import { STATUS_CODES, maxHeaderSize } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { API_CSP, HARDENING_HEADERS } from './response-headers.ts';
import { AppError, ERROR_STATUS, isTransientDatabaseError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';

const ERROR_BODY_ID = 'ErrorBody';

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
    $id: ERROR_BODY_ID,
    description: 'Every error: a stable code, a message and details (`{}` when there is nothing to add).',
  },
);

/**
 * A refusal in a route's `response` schema, e.g. `404: errorResponse('the community is not one
 * you serve')`: a reference to the shared `ErrorBody` (added once with `addSchema`), so the
 * document names one envelope and the refusal is serialized as the error handler built it.
 */
export function errorResponse(description: string) {
  return Type.Unsafe<Static<typeof ErrorBody>>(Type.Ref(ERROR_BODY_ID, { description }));
}

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
      // A body that could not be read at all (not JSON, empty, too large): the body is the field.
      const details = err.code?.startsWith('FST_ERR_CTP_') ? { field: 'body', in: 'body' } : {};
      return reply
        .status(ERROR_STATUS[code] === status ? status : 400)
        .send(errorBody(code, err.message.replace(/^FST_\w+: /, ''), details));
    }
    if (isTransientDatabaseError(err)) {
      // Nothing of the request was written (its transaction rolled back): it can be sent again.
      request.log.warn({ err }, 'transaction rolled back by the database; the client may retry');
      return reply
        .status(503)
        .header('retry-after', '1')
        .send(
          errorBody(
            'service_unavailable',
            'the database was busy and nothing was saved: send the request again',
            {
              retryable: true,
            },
          ),
        );
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody('internal_error', 'something went wrong on our side'));
  });
}

/** The JSON 404 every unknown API route answers. */
export function notFoundBody(method: string, url: string) {
  return errorBody('not_found', `no route ${method} ${url.split('?')[0]}`);
}

/**
 * Refusals Fastify or Node make outside any handler, which no typed error stands for: a request
 * that took too long to arrive, headers too large to read, a node that is shutting down.
 */
export type FrameworkErrorCode = Extract<
  ErrorCode,
  'request_timeout' | 'headers_too_large' | 'service_unavailable'
>;

/** The envelope of a refusal made outside the handlers (see `FrameworkErrorCode`). */
export function frameworkErrorBody(code: FrameworkErrorCode | 'invalid_input', message: string) {
  return { error: { code, message, details: {} } };
}

/**
 * Refusals of paths that answer errors in a format of their own (GeoReport v2's list under
 * `/open311/`): the body and its content type for a refusal of `url`, or null for the envelope.
 */
export type RefusalFormat = (
  url: string,
  status: number,
  message: string,
) => { contentType: string; body: string } | null;

/**
 * Answers on the bare socket, for refusals made before Fastify has a request (or after it can
 * no longer answer one), and closes the connection: the client may still be sending.
 * Nothing is written when a response has already begun on this socket. `url` (what the request
 * line names, as far as it could be read) lets `format` answer its path's own error format.
 */
export function refuseOnSocket(
  socket: Socket,
  status: number,
  code: FrameworkErrorCode | 'invalid_input',
  message: string,
  requestId: string = randomUUID(),
  url?: string | null,
  format?: RefusalFormat,
): void {
  const started = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage?.headersSent;
  if (socket.writable && !started) {
    const own = url && format ? format(url, status, message) : null;
    const body = own ? own.body : JSON.stringify(frameworkErrorBody(code, message));
    const headers = [
      ['content-type', own ? own.contentType : 'application/json; charset=utf-8'],
      ['content-length', String(Buffer.byteLength(body))],
      ['connection', 'close'],
      ['x-request-id', requestId],
      ...HARDENING_HEADERS,
      ['content-security-policy', API_CSP],
    ];
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers.map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * The URL of the request line at the start of what Node read of a request it could not parse
 * (`rawPacket`), as far as it arrived; null when there is none. Only the path is looked at.
 */
export function requestLineUrl(err: Error & { rawPacket?: unknown }): string | null {
  if (!Buffer.isBuffer(err.rawPacket)) return null;
  const m = /^[A-Z]{3,10} (\/[^\s]*)/.exec(err.rawPacket.subarray(0, 4096).toString('latin1'));
  return m?.[1] ?? null;
}

/**
 * Node's `clientError`: a request that could not be read (malformed, headers too large: a URL of
 * hundreds of ids) or did not arrive within the request timeout. Answered with the envelope, not
 * Fastify's own body, or in the format `format` gives the path of its request line.
 */
export function clientErrorHandlerFor(format?: RefusalFormat) {
  return function clientErrorHandler(
    this: FastifyInstance,
    err: Error & { code?: string; rawPacket?: unknown },
    socket: Socket,
  ) {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const requestId = randomUUID();
    this.log.info({ reqId: requestId, code: err.code }, 'client error');
    const url = requestLineUrl(err);
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
      return refuseOnSocket(
        socket,
        408,
        'request_timeout',
        'the request did not arrive in time',
        requestId,
        url,
        format,
      );
    if (err.code === 'HPE_HEADER_OVERFLOW')
      return refuseOnSocket(
        socket,
        431,
        'headers_too_large',
        `the request headers are too large (the URL and headers together at most ${Math.floor(maxHeaderSize / 1024)} KiB)`,
        requestId,
        url,
        format,
      );
    return refuseOnSocket(
      socket,
      400,
      'invalid_input',
      'the request could not be read',
      requestId,
      url,
      format,
    );
  };
}

export const clientErrorHandler = clientErrorHandlerFor();

/**
 * While the app closes (after `close()` began, until the last connection ends) requests still
 * arriving on open connections get 503 with the envelope and `Connection: close`, so a load
 * balancer retries them elsewhere. Replaces Fastify's own 503 (`return503OnClosing: false`).
 * Register right after the response headers hook, before anything slower.
 */
export function registerClosingRefusal(app: FastifyInstance, format?: RefusalFormat): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (!closing) return done();
    const message = 'this node is shutting down: try again';
    const own = format?.(request.url, 503, message);
    reply.header('connection', 'close').status(503);
    if (own) reply.type(own.contentType).send(own.body);
    else reply.send(frameworkErrorBody('service_unavailable', message));
  });
}

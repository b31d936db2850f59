import type { FastifyInstance } from 'fastify';
import { refuseOnSocket } from './errors.plugin.ts';
import type { RefusalFormat } from './errors.plugin.ts';

/**
 * The slowest pace a request body may keep, once its grace is over: 32 KiB/s (about
 * 0.26 Mbit/s, a poor mobile uplink). A resident's 40 MB of photos at that pace would take
 * 21 minutes, so large uploads are bounded by the request timeout instead (see `Config`).
 */
export const MIN_BODY_BYTES_PER_SECOND = 32 * 1024;

/**
 * How long a body of `bytes` may take to arrive: a tenth of the request timeout (30 s by
 * default) for any body, plus its size at the slowest pace, never beyond the request timeout.
 * A small JSON body has about 30 s, a 7 MB photo about 4 minutes, 40 MB the full 5.
 */
export function bodyDeadlineMs(bytes: number, requestTimeoutMs: number): number {
  const paced = requestTimeoutMs / 10 + (bytes / MIN_BODY_BYTES_PER_SECOND) * 1000;
  return Math.round(Math.min(requestTimeoutMs, paced));
}

/**
 * Node's request timeout bounds every request (headers and body) by one figure, which must
 * leave room for the largest upload on a slow link. This keeps a body that trickles in (a byte
 * every few seconds) from holding a connection that long: each body must arrive by
 * `bodyDeadlineMs` of its declared length (of the route's body limit when it is chunked), or
 * the request gets 408 and the connection is closed. Costs one timer per request with a body.
 */
export function registerBodyDeadline(
  app: FastifyInstance,
  requestTimeoutMs: number,
  format?: RefusalFormat,
): void {
  if (requestTimeoutMs <= 0) return;
  app.addHook('preParsing', (request, reply, payload, done) => {
    const declared = Number(request.headers['content-length']);
    const chunked = request.headers['transfer-encoding'] !== undefined;
    if (!(declared > 0) && !chunked) return done(null, payload);
    const raw = request.raw;
    const bytes = declared > 0 ? declared : request.routeOptions.bodyLimit;
    const timer = setTimeout(
      () => {
        if (raw.complete || reply.sent || reply.raw.headersSent) return;
        request.log.info({ bytes }, 'request body too slow: refused');
        refuseOnSocket(
          raw.socket,
          408,
          'request_timeout',
          'the request body arrived too slowly',
          request.id,
          request.url,
          format,
        );
      },
      bodyDeadlineMs(bytes, requestTimeoutMs),
    );
    timer.unref();
    const stop = () => clearTimeout(timer);
    raw.once('end', stop);
    raw.once('close', stop);
    done(null, payload);
  });
}

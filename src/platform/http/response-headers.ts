import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** An `X-Request-Id` a client or proxy sent is kept when it is this plain; otherwise one is made. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The request's id: the caller's `X-Request-Id` when it is at most 64 characters of
 * `[A-Za-z0-9._-]` (so a proxy's id follows the request into our log), else a random UUID
 * (unique across processes and restarts, unlike Fastify's counter).
 */
export function requestIdOf(req: Pick<IncomingMessage, 'headers'>): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
}

/**
 * What the web app's pages may load: only this origin. Styles may be inline (Ant Design and
 * ECharts set style attributes and inject `<style>` elements); scripts may not. Photos are
 * previewed from `blob:` URLs; small images may be `data:`. No page may frame it.
 */
export const WEB_APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** JSON and XML are data, never pages: nothing may run or load from them, and no one may frame them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

const isApi = (url: string) =>
  url.startsWith('/api/') ||
  url.startsWith('/open311/') ||
  url.startsWith('/openapi.json') ||
  url.startsWith('/healthz');

/** Browser hardening every response carries, whatever it holds. */
export const HARDENING_HEADERS: readonly (readonly [string, string])[] = [
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'same-origin'],
  ['x-frame-options', 'DENY'],
];

/**
 * Stamps the headers every response carries (errors, files, event streams and refusals made
 * before routing alike): the request id and the browser hardening headers. Set on the raw
 * response, so they survive `reply.hijack()` and `writeHead` of streaming routes.
 */
export function stampResponse(res: OutgoingMessage, requestId: string, url: string): void {
  res.setHeader('x-request-id', requestId);
  for (const [name, value] of HARDENING_HEADERS) res.setHeader(name, value);
  res.setHeader('content-security-policy', isApi(url) ? API_CSP : WEB_APP_CSP);
}

/** Registers the stamping as the app's first hook: it must run before anything that may refuse. */
export function registerResponseHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    stampResponse(reply.raw, request.id, request.url);
    done();
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import { AppError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    principalResolver: PrincipalResolver;
  }
}

export interface PrincipalResolver {
  principalForToken(token: string): Promise<Principal | null>;
  principalForApiKey(key: string): Promise<Principal | null>;
}

export const SESSION_COOKIE = 'linli_session';

/**
 * The credential a request carries: a bearer token or the session cookie (`cookie` says which),
 * else an `X-Api-Key`. Sign-in and sign-out read it here too, so all agree on one token.
 */
export function credentialOf(
  request: FastifyRequest,
): { token: string; cookie: boolean } | { key: string } | null {
  const auth = request.headers.authorization;
  const bearer = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : '';
  if (bearer) return { token: bearer, cookie: false };
  const cookie = request.cookies?.[SESSION_COOKIE];
  if (cookie) return { token: cookie, cookie: true };
  const key = request.headers['x-api-key'];
  return typeof key === 'string' && key ? { key } : null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a browser sent this request from another site. A session cookie goes along with any
 * request the browser makes to this host, whichever page made it: a change that rides on the
 * cookie is taken only from the app's own pages. Browsers say where a request comes from in
 * `Sec-Fetch-Site`, else in `Origin`; a request with neither did not come from a page of
 * another site (tools, older clients), and a bearer token or an API key is never sent by the
 * browser on its own, so both are left alone.
 */
function crossSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return false;
  return origin !== `${request.protocol}://${request.host}`;
}

async function resolve(resolver: PrincipalResolver, request: FastifyRequest): Promise<Principal | null> {
  const c = credentialOf(request);
  if (!c) return null;
  return 'token' in c ? resolver.principalForToken(c.token) : resolver.principalForApiKey(c.key);
}

/** Reads `Authorization: Bearer`, the session cookie or `X-Api-Key`, and sets `request.principal` (null when anonymous). */
export function registerPrincipalHook(app: FastifyInstance, resolver: PrincipalResolver): void {
  app.decorateRequest('principal', null);
  app.decorate('principalResolver', resolver);
  app.addHook('onRequest', async (request) => {
    const c = credentialOf(request);
    if (c && 'cookie' in c && c.cookie && !SAFE_METHODS.has(request.method) && crossSite(request))
      throw new AppError(
        'forbidden',
        'a change signed in by the session cookie must come from Linli’s own pages: this request came from another site',
      );
    const p = await resolve(resolver, request);
    request.principal = p;
    // The route the request was matched to, not its raw URL: `/%61pi/…` is routed as `/api/…`.
    if (
      p?.kind === 'user' &&
      request.routeOptions.url?.startsWith('/api/') &&
      p.mustChangePassword &&
      !ALLOWED_BEFORE_CHANGE.has(`${request.method} ${request.routeOptions.url}`)
    )
      throw new AppError(
        'password_change_required',
        'your password is a temporary one: set your own first (POST /api/v1/me/password)',
      );
  });
}

/** What a staff member whose password someone else chose may still do: see who they are, set their own, sign out. */
const ALLOWED_BEFORE_CHANGE = new Set([
  'GET /api/v1/me',
  'POST /api/v1/me/password',
  'POST /api/v1/auth/logout',
]);

/**
 * Resolves the request's credential again, for long-lived responses (event streams) that must
 * stop once the session ends. Uses the resolver's cache, which a logout on this node clears.
 */
export function recheckPrincipal(request: FastifyRequest): Promise<Principal | null> {
  return resolve(request.server.principalResolver, request);
}

/** The refusal of a request that needs a principal and carries no valid credential. */
const signInFirst = () => new AppError('unauthenticated', 'sign in first (Authorization: Bearer <token>)');

/** The signed-in principal, or a 401. */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw signInFirst();
  return request.principal;
}

/** API routes that answer callers without a credential (signing in needs none). */
const OPEN_API_ROUTES = new Set([
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/otp/request',
  'POST /api/v1/auth/otp/verify',
  'POST /api/v1/auth/logout',
]);

/** Whether a route answers anonymous callers: outside `/api/`, one of the sign-in routes, or documented with `security: []`. */
function isOpen(method: string, url: string, schema: { security?: unknown } | undefined): boolean {
  if (!url.startsWith('/api/')) return true; // health, the OpenAPI document, Open311 (its own keys), the web app
  if (OPEN_API_ROUTES.has(`${method} ${url}`)) return true;
  return Array.isArray(schema?.security) && schema.security.length === 0;
}

/**
 * Every other API route calls `requirePrincipal` (or `requireStaff`) first thing, after its body
 * has been read and parsed: an anonymous 40 MB body was buffered and validated only to be
 * refused. This refuses such requests before the body is read, with the same 401 the handler
 * gives, and closes the connection when a body is on its way. Register before the routes.
 */
export function registerSignInFirst(app: FastifyInstance): void {
  const refuseAnonymous = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (request.principal) return done();
    if (request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined)
      reply.header('connection', 'close');
    done(signInFirst());
  };
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((m) => isOpen(m, route.url, route.schema))) return;
    const own = route.onRequest;
    // Route hooks run after the app's own onRequest hooks, so the principal is known here.
    route.onRequest = [...(own === undefined ? [] : Array.isArray(own) ? own : [own]), refuseAnonymous];
  });
}

/** A signed-in staff user with one of the roles, or 401/403. */
export function requireStaff(request: FastifyRequest, roles?: readonly string[]) {
  const p = requirePrincipal(request);
  if (p.kind !== 'user') throw new AppError('forbidden', 'staff only');
  if (roles && !roles.includes(p.role))
    throw new AppError('forbidden', `this needs one of the roles: ${roles.join(', ')}`);
  return p;
}

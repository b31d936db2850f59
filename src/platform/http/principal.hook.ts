import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import { AppError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface PrincipalResolver {
  principalForToken(token: string): Promise<Principal | null>;
  principalForApiKey(key: string): Promise<Principal | null>;
}

export const SESSION_COOKIE = 'linli_session';

/** Reads `Authorization: Bearer`, the session cookie or `X-Api-Key`, and sets `request.principal` (null when anonymous). */
export function registerPrincipalHook(app: FastifyInstance, resolver: PrincipalResolver): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const auth = request.headers.authorization;
    let token: string | undefined;
    if (auth?.startsWith('Bearer ')) token = auth.slice(7).trim();
    else token = request.cookies?.[SESSION_COOKIE];
    if (token) {
      request.principal = await resolver.principalForToken(token);
      return;
    }
    const key = request.headers['x-api-key'];
    if (typeof key === 'string' && key) request.principal = await resolver.principalForApiKey(key);
  });
}

/** The signed-in principal, or a 401. */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal)
    throw new AppError('unauthenticated', 'sign in first (Authorization: Bearer <token>)');
  return request.principal;
}

/** A signed-in staff user with one of the roles, or 401/403. */
export function requireStaff(request: FastifyRequest, roles?: readonly string[]) {
  const p = requirePrincipal(request);
  if (p.kind !== 'user') throw new AppError('forbidden', 'staff only');
  if (roles && !roles.includes(p.role))
    throw new AppError('forbidden', `this needs one of the roles: ${roles.join(', ')}`);
  return p;
}

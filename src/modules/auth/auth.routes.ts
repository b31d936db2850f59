import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import {
  SESSION_COOKIE,
  credentialOf,
  requirePrincipal,
  requireStaff,
} from '../../platform/http/principal.hook.ts';
import { communitiesOf } from '../../platform/auth/principal.ts';
import { errorResponse } from '../../platform/http/errors.plugin.ts';
import { listCommunities } from '../tenancy/tenancy.repository.ts';
import { listApiKeys } from './auth.repository.ts';
import type { AuthService } from './auth.service.ts';

const TAG = ['auth'];

/**
 * Sets the HTTP-only session cookie the web apps use, and answers the token too. `Secure` when
 * the request came over https (behind a proxy: its `X-Forwarded-Proto`, with LINLI_TRUST_PROXY=1).
 */
function withSessionCookie(reply: FastifyReply, t: { token: string; expiresAt: string }) {
  reply.setCookie(SESSION_COOKIE, t.token, {
    path: '/',
    httpOnly: true,
    secure: 'auto',
    sameSite: 'lax',
    expires: new Date(t.expiresAt),
  });
  return t;
}
const TokenResponse = Type.Object({ token: Type.String(), expiresAt: Type.String({ format: 'date-time' }) });
const Phone = Type.String({ pattern: '^1[3-9][0-9]{9}$', description: 'Mainland mobile number, 11 digits' });

export async function registerAuthRoutes(root: FastifyInstance, auth: AuthService, database: Database) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/api/v1/auth/login',
    {
      config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: TAG,
        summary: 'Staff sign-in with username and password',
        description:
          'Answers a bearer token and also sets an HTTP-only session cookie for the web apps. Five wrong passwords from one address lock the username for 15 minutes from that address, twenty from all addresses together lock it for everyone (423 `account_locked` with `lockedUntil`); an unknown name locks as a real one, and a locked name has no password checked.',
        body: Type.Object(
          {
            username: Type.String({ minLength: 1, maxLength: 100 }),
            password: Type.String({ minLength: 1, maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: TokenResponse,
          401: errorResponse('`invalid_credentials`: wrong username or password'),
          423: errorResponse('`account_locked`: too many failures; `details.lockedUntil` says until when'),
        },
      },
    },
    async (request, reply) => {
      const t = await auth.login(request.body.username, request.body.password, request.ip);
      return withSessionCookie(reply, t);
    },
  );

  app.post(
    '/api/v1/auth/otp/request',
    {
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: TAG,
        summary: 'Residents: send a one-time code to a phone',
        description:
          'One code per phone every 30 seconds, and at most LINLI_OTP_PER_HOUR (5) an hour and LINLI_OTP_PER_DAY (10) a day; the answer is the same whether or not the phone is known.',
        body: Type.Object({ phone: Phone }, { additionalProperties: false }),
        response: {
          200: Type.Object({ sent: Type.Boolean(), retryAfterSeconds: Type.Integer() }),
          429: errorResponse(
            '`rate_limited`: too soon, or the hour’s or day’s codes were sent; `details.retryAfterSeconds`',
          ),
        },
      },
    },
    async (request) => auth.requestOtp(request.body.phone),
  );

  app.post(
    '/api/v1/auth/otp/verify',
    {
      config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: TAG,
        summary: 'Residents: exchange phone + code for a token',
        body: Type.Object(
          { phone: Phone, code: Type.String({ pattern: '^[0-9]{6}$' }) },
          { additionalProperties: false },
        ),
        response: { 200: TokenResponse },
      },
    },
    async (request, reply) => {
      const t = await auth.verifyOtp(request.body.phone, request.body.code);
      return withSessionCookie(reply, t);
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { schema: { tags: TAG, summary: 'End this session', response: { 204: Type.Null() } } },
    async (request, reply) => {
      const c = credentialOf(request);
      if (c && 'token' in c) await auth.logout(c.token);
      reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/me',
    {
      schema: {
        tags: TAG,
        summary: 'The signed-in user or resident',
        response: {
          200: Type.Object({
            id: Type.String(),
            kind: Type.String(),
            role: Type.String(),
            name: Type.String(),
            username: Type.Optional(Type.String()),
            phone: Type.Optional(Type.String()),
            householdId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
            gridIds: Type.Optional(Type.Array(Type.String())),
            mustChangePassword: Type.Optional(
              Type.Boolean({
                description:
                  'staff whose password someone else chose: until they set their own (POST /api/v1/me/password) other calls answer 403 password_change_required',
              }),
            ),
            communities: Type.Array(
              Type.Object({
                id: Type.String(),
                code: Type.String(),
                name: Type.String(),
                nameEn: Type.String(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const communities = (await listCommunities(database.db, communitiesOf(p))).map((c) => ({
        id: c.id,
        code: c.code,
        name: c.name,
        nameEn: c.name_en,
      }));
      switch (p.kind) {
        case 'user':
          return {
            id: p.id,
            kind: 'user',
            role: p.role,
            name: p.name,
            username: p.username,
            gridIds: p.gridIds,
            mustChangePassword: p.mustChangePassword === true,
            communities,
          };
        case 'resident':
          return {
            id: p.id,
            kind: 'resident',
            role: 'resident',
            name: p.name,
            phone: p.phone,
            householdId: p.householdId,
            communities,
          };
        case 'api_key':
          return { id: p.id, kind: 'api_key', role: 'integration', name: p.name, communities };
        default:
          throw new AppError('forbidden', 'no identity');
      }
    },
  );

  const KeyView = Type.Object({
    id: Type.String(),
    communityId: Type.String(),
    name: Type.String(),
    prefix: Type.String(),
    scopes: Type.Array(Type.String()),
    createdAt: Type.String(),
    revokedAt: Type.Union([Type.String(), Type.Null()]),
  });

  app.get(
    '/api/v1/api-keys',
    {
      schema: {
        tags: TAG,
        summary: 'Integration keys of my communities (admin)',
        response: { 200: Type.Array(KeyView) },
      },
    },
    async (request) => {
      const p = requireStaff(request, ['admin']);
      return (await listApiKeys(database.db, p.communityIds)).map((k) => ({
        id: k.id,
        communityId: k.community_id,
        name: k.name,
        prefix: k.prefix,
        scopes: JSON.parse(k.scopes_json) as string[],
        createdAt: k.created_at,
        revokedAt: k.revoked_at,
      }));
    },
  );

  app.post(
    '/api/v1/api-keys',
    {
      schema: {
        tags: TAG,
        summary: 'Create an integration key (shown once, stored hashed)',
        body: Type.Object(
          {
            communityId: Type.String({ maxLength: 64 }),
            name: Type.String({ minLength: 1, maxLength: 100 }),
            scopes: Type.Optional(
              Type.Array(
                Type.Union([
                  Type.Literal('open311'),
                  Type.Literal('kiosk'),
                  Type.Literal('device'),
                  Type.Literal('private_categories'),
                ]),
                { maxItems: 4 },
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String(), key: Type.String(), prefix: Type.String() }) },
      },
    },
    async (request, reply) => {
      const p = requireStaff(request, ['admin']);
      if (!p.communityIds.includes(request.body.communityId))
        throw new AppError('forbidden', 'you do not serve this community');
      const k = await auth.createApiKey(
        request.body.communityId,
        request.body.name,
        request.body.scopes ?? ['open311'],
        p,
      );
      return reply.status(201).send({ id: k.id, key: k.key, prefix: k.prefix });
    },
  );

  app.delete(
    '/api/v1/api-keys/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Revoke a key (at once on this node, within 5 s on the others)',
        description: 'Answers 404 for a key that is unknown, of another community or already revoked.',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await auth.revokeApiKey(requireStaff(request, ['admin']), request.params.id);
      return reply.status(204).send(null);
    },
  );
}

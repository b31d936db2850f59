/**
 * Staff accounts over HTTP: admins create and change the accounts of their communities and reset
 * passwords; everyone signed in as staff may change their own password.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { STAFF_ROLES } from '../../platform/auth/principal.ts';
import { credentialOf, requireStaff } from '../../platform/http/principal.hook.ts';
import { errorResponse } from '../../platform/http/errors.plugin.ts';
import type { StaffService } from './staff.service.ts';

const TAG = ['staff'];
const Role = Type.Union(
  STAFF_ROLES.map((r) => Type.Literal(r)),
  { description: 'one role per account' },
);
const Id = Type.String({ minLength: 1, maxLength: 64 });
const CommunityIds = Type.Array(Id, {
  minItems: 1,
  maxItems: 50,
  description:
    'the communities the person serves, by id or code (`taoyuan`): all of them must be ones you administer',
});
const Name = Type.String({ minLength: 1, maxLength: 100 });
const Phone = Type.Union([Type.String({ pattern: '^[0-9+\\- ]{3,20}$' }), Type.Null()], {
  description: 'work phone',
});

const StaffView = Type.Object({
  id: Type.String(),
  username: Type.String(),
  name: Type.String(),
  role: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
  communityIds: Type.Array(Type.String()),
});

export async function registerStaffRoutes(root: FastifyInstance, staff: StaffService) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/api/v1/staff',
    {
      schema: {
        tags: TAG,
        summary: 'Create a staff account (admin of every community it serves)',
        description:
          'Without `password` the server makes one up and returns it once as `temporaryPassword`; the person changes it with `POST /api/v1/me/password`. A taken username answers 409 `conflict`. Recorded in the audit chain of each community.',
        body: Type.Object(
          {
            username: Type.String({
              pattern: '^[a-z][a-z0-9_.-]{2,31}$',
              description: 'lower-case, 3–32 characters',
            }),
            name: Name,
            role: Role,
            phone: Type.Optional(Phone),
            communityIds: CommunityIds,
            password: Type.Optional(
              Type.String({ maxLength: 200, description: 'at least 10 characters, not only digits' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ staff: StaffView, temporaryPassword: Type.Optional(Type.String()) }),
        },
      },
    },
    async (request, reply) => {
      const admin = requireStaff(request, ['admin']);
      return reply.status(201).send(await staff.create(admin, request.body));
    },
  );

  app.patch(
    '/api/v1/staff/:id',
    {
      schema: {
        tags: TAG,
        summary: "Change a staff account's name, role, phone, communities or whether it is active",
        description:
          "Only fields given change. Deactivating ends the account's sessions at once. Someone who serves no community of yours answers 404; someone who also serves communities you do not administer answers 403. You cannot change your own role, deactivate yourself or drop your own communities.",
        params: Type.Object({ id: Id }),
        body: Type.Object(
          {
            name: Type.Optional(Name),
            role: Type.Optional(Role),
            phone: Type.Optional(Phone),
            communityIds: Type.Optional(CommunityIds),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: StaffView },
      },
    },
    async (request) => staff.update(requireStaff(request, ['admin']), request.params.id, request.body),
  );

  app.post(
    '/api/v1/staff/:id/password-reset',
    {
      schema: {
        tags: TAG,
        summary: 'Give a staff member a new password, made up by the server and shown once',
        description: "Ends the account's sessions and lifts a lockout.",
        params: Type.Object({ id: Id }),
        response: { 200: Type.Object({ temporaryPassword: Type.String() }) },
      },
    },
    async (request) => staff.resetPassword(requireStaff(request, ['admin']), request.params.id),
  );

  app.post(
    '/api/v1/me/password',
    {
      schema: {
        tags: TAG,
        summary: 'Change my own password (staff)',
        description:
          'Ends your other sessions (this one goes on). A wrong current password counts as a failed sign-in: after five from this address, the account is locked (423) for 15 minutes from it.',
        body: Type.Object(
          {
            currentPassword: Type.String({ minLength: 1, maxLength: 200 }),
            newPassword: Type.String({ minLength: 1, maxLength: 200 }),
          },
          { additionalProperties: false },
        ),
        response: {
          204: Type.Null(),
          400: errorResponse(
            '`invalid_input`: the current password is not right, or the new one is too weak',
          ),
          423: errorResponse('`account_locked`: too many wrong passwords; `details.lockedUntil`'),
        },
      },
    },
    async (request, reply) => {
      const me = requireStaff(request, [...STAFF_ROLES]);
      const c = credentialOf(request);
      await staff.changeOwnPassword(
        me,
        request.body.currentPassword,
        request.body.newPassword,
        request.ip,
        c && 'token' in c ? c.token : undefined,
      );
      return reply.status(204).send(null);
    },
  );
}

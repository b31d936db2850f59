import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { requireStaff } from '../../platform/http/principal.hook.ts';
import { findCommunity } from '../tenancy/tenancy.repository.ts';
import { verifyChain } from './audit.repository.ts';

export async function registerAuditRoutes(root: FastifyInstance, database: Database) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: "Walk a community's audit hash chain and name the first bad entry",
        querystring: Type.Object(
          { community: Type.String({ maxLength: 64 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            entries: Type.Integer(),
            firstBadSeq: Type.Union([Type.Integer(), Type.Null()]),
            problem: Type.Union(
              [Type.Literal('entry'), Type.Literal('head'), Type.Literal('missing'), Type.Null()],
              {
                description:
                  'entry: the entry at firstBadSeq does not verify; head: the head does not match the end of the chain (a cut tail or an edited head); missing: the community has work orders but no chain',
              },
            ),
          }),
        },
      },
    },
    async (request) => {
      const p = requireStaff(request, ['auditor', 'manager', 'admin']);
      const c = await findCommunity(database.db, request.query.community);
      if (!c || !p.communityIds.includes(c.id)) {
        throw new AppError('community_not_found', `community ${request.query.community} was not found`, {
          field: 'community',
        });
      }
      return verifyChain(database.db, c.id);
    },
  );

  app.get(
    '/api/v1/audit/entries',
    {
      schema: {
        tags: ['audit'],
        summary: 'Read audit entries of a community (auditors)',
        querystring: Type.Object(
          {
            community: Type.String({ maxLength: 64 }),
            afterSeq: Type.Optional(Type.Integer({ minimum: 0 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Array(
            Type.Object({
              seq: Type.Integer(),
              createdAt: Type.String(),
              actor: Type.String(),
              action: Type.String(),
              entityType: Type.String(),
              entityId: Type.String(),
              payload: Type.Unknown(),
              prevHash: Type.String(),
              entryHash: Type.String(),
            }),
          ),
        },
      },
    },
    async (request) => {
      const p = requireStaff(request, ['auditor', 'manager', 'admin']);
      const c = await findCommunity(database.db, request.query.community);
      if (!c || !p.communityIds.includes(c.id)) {
        throw new AppError('community_not_found', `community ${request.query.community} was not found`, {
          field: 'community',
        });
      }
      const rows = await database.db
        .selectFrom('audit_entries')
        .selectAll()
        .where('community_id', '=', c.id)
        .where('seq', '>', request.query.afterSeq ?? 0)
        .orderBy('seq')
        .limit(request.query.limit ?? 100)
        .execute();
      return rows.map((r) => ({
        seq: Number(r.seq),
        createdAt: r.created_at,
        actor: r.actor,
        action: r.action,
        entityType: r.entity_type,
        entityId: r.entity_id,
        payload: JSON.parse(r.payload_json) as unknown,
        prevHash: r.prev_hash,
        entryHash: r.entry_hash,
      }));
    },
  );
}

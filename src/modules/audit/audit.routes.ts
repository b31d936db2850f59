import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { requireStaff } from '../../platform/http/principal.hook.ts';
import { servedCommunity } from '../tenancy/community.access.ts';
import { verifyChain } from './audit.repository.ts';
import { AnchorFileError, readAnchorFile } from './audit.anchor-file.ts';
import { AnchorFormatError, anchorsOf } from './audit.anchors.ts';
import type { Anchor } from './audit.anchors.ts';
import { currentHeads } from './audit.anchoring.ts';
import { INT_MAX } from '../../platform/http/limits.ts';

export interface AuditRouteOptions {
  /** This node's anchor file (heads kept outside the database); null when anchoring to a file is off. */
  anchorFile: string | null;
  now: () => Date;
}

/** The anchor file's anchors of one community; a damaged or unreadable file is reported, never half-used. */
function fileAnchors(file: string | null, community: { id: string; code: string }): Anchor[] {
  if (!file) return [];
  try {
    return anchorsOf(readAnchorFile(file), community);
  } catch (e) {
    if (e instanceof AnchorFormatError || e instanceof AnchorFileError)
      throw new AppError(
        'service_unavailable',
        `this node's audit anchor file is ${e instanceof AnchorFileError ? 'unreadable' : 'damaged'} (${e.message}); an operator must look at it before chains can be verified here`,
      );
    throw e;
  }
}

export async function registerAuditRoutes(
  root: FastifyInstance,
  database: Database,
  options: AuditRouteOptions,
) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/audit/verify',
    {
      schema: {
        tags: ['audit'],
        summary: "Walk a community's audit hash chain and name the first bad entry",
        description:
          "Checks every entry's hashes, the head, and the anchors: the heads this node recorded outside the database, and one the caller kept (`anchorSeq` with `anchorHash`, e.g. from `GET /api/v1/audit/head` or an `audit.anchor` webhook). An anchor finds what the hashes alone cannot: a chain rewritten and hashed again, or cut with its head rewritten to match.",
        querystring: Type.Object(
          {
            community: Type.String({ maxLength: 64 }),
            anchorSeq: Type.Optional(
              Type.Integer({ minimum: 1, maximum: INT_MAX, description: 'seq of an anchor you kept' }),
            ),
            anchorHash: Type.Optional(
              Type.String({ pattern: '^[0-9a-f]{64}$', description: 'entryHash of that anchor' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            entries: Type.Integer(),
            firstBadSeq: Type.Union([Type.Integer(), Type.Null()]),
            problem: Type.Union(
              [
                Type.Literal('entry'),
                Type.Literal('head'),
                Type.Literal('missing'),
                Type.Literal('anchor'),
                Type.Null(),
              ],
              {
                description:
                  'entry: the entry at firstBadSeq does not verify; head: the head does not match the end of the chain (a cut tail or an edited head); missing: the community has work orders but no chain; anchor: the chain no longer holds an anchored entry (firstBadSeq is that entry, or the first missing one): it was rewritten and hashed again, or cut, or the database was restored from a backup older than the anchor',
              },
            ),
            anchors: Type.Integer({
              description: 'Anchors checked; each vouches for its entry and all before it',
            }),
            anchoredSeq: Type.Optional(
              Type.Integer({
                description:
                  'with problem anchor: the anchored seq the chain no longer holds (after a cut tail, the first anchored seq past the end of the chain)',
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const p = requireStaff(request, ['auditor', 'manager', 'admin']);
      const c = await servedCommunity(database.db, p.communityIds, request.query.community, 'community');
      const { anchorSeq, anchorHash } = request.query;
      if ((anchorSeq === undefined) !== (anchorHash === undefined)) {
        throw new AppError('validation_failed', 'give anchorSeq and anchorHash together', {
          field: anchorSeq === undefined ? 'anchorSeq' : 'anchorHash',
        });
      }
      const anchors = fileAnchors(options.anchorFile, c);
      // The schema has checked both (a seq ≥ 1, 64 hexadecimal characters).
      if (anchorSeq !== undefined && anchorHash !== undefined)
        anchors.push({ communityId: c.id, seq: anchorSeq, entryHash: anchorHash, at: '' });
      return verifyChain(database.db, c.id, { anchors });
    },
  );

  app.get(
    '/api/v1/audit/head',
    {
      schema: {
        tags: ['audit'],
        summary: "A community's audit chain head, to keep as an anchor outside Linli",
        description:
          'Keep `seq` and `entryHash` somewhere this system cannot write (a report, another system); `GET /api/v1/audit/verify` with them later proves that the chain still holds that entry and every one before it.',
        querystring: Type.Object(
          { community: Type.String({ maxLength: 64 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            communityId: Type.String(),
            code: Type.String(),
            seq: Type.Integer({ description: '0 while the chain is empty' }),
            entryHash: Type.Union([Type.String(), Type.Null()]),
            at: Type.String({ format: 'date-time' }),
          }),
        },
      },
    },
    async (request) => {
      const p = requireStaff(request, ['auditor', 'manager', 'admin']);
      const c = await servedCommunity(database.db, p.communityIds, request.query.community, 'community');
      const at = options.now().toISOString();
      const [head] = await currentHeads(database.db, at, c.id);
      return { communityId: c.id, code: c.code, seq: head?.seq ?? 0, entryHash: head?.entryHash ?? null, at };
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
            afterSeq: Type.Optional(Type.Integer({ minimum: 0, maximum: INT_MAX })),
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
      const c = await servedCommunity(database.db, p.communityIds, request.query.community, 'community');
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

import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { requireStaff } from '../../platform/http/principal.hook.ts';
import { servedCommunity } from '../tenancy/community.access.ts';
import { verifyChain } from './audit.repository.ts';
import { AnchorFileError, readAnchorFile } from './audit.anchor-file.ts';
import { AnchorFormatError, anchorsOf, badlySigned } from './audit.anchors.ts';
import type { Anchor } from './audit.anchors.ts';
import { currentHeads } from './audit.anchoring.ts';
import { CHECKPOINT_FORMAT, signCheckpoint } from './audit.checkpoint.ts';
import type { SigningKey } from './audit.checkpoint.ts';
import { listSigningKeys } from './audit.repository.ts';
import { INT_MAX } from '../../platform/http/limits.ts';

export interface AuditRouteOptions {
  /** This node's anchor file (heads kept outside the database); null when anchoring to a file is off. */
  anchorFile: string | null;
  now: () => Date;
  /** This node's checkpoint signing key; null when signing is off. */
  signer: SigningKey | null;
}

/**
 * The anchor file's anchors of one community; a damaged or unreadable file is reported, never
 * half-used. A signed line whose signature does not hold (edited after it was signed, or signed
 * by a key no node has) is damage too.
 */
async function fileAnchors(
  database: Database,
  file: string | null,
  community: { id: string; code: string },
): Promise<Anchor[]> {
  if (!file) return [];
  try {
    const mine = anchorsOf(readAnchorFile(file), community);
    const [bad] = badlySigned(mine, await listSigningKeys(database.db));
    if (bad)
      throw new AppError(
        'service_unavailable',
        `this node's audit anchor file is damaged (the anchor of seq ${bad.anchor.seq} at ${bad.anchor.at} ${bad.reason === 'unknown_key' ? `names a signing key no node has (${bad.anchor.keyId ?? ''})` : 'does not match its signature: it was changed after it was signed'}); an operator must look at it before chains can be verified here`,
      );
    return mine;
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
      const anchors = await fileAnchors(database, options.anchorFile, c);
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
        description: `Keep \`seq\` and \`entryHash\` somewhere this system cannot write (a report, another system); \`GET /api/v1/audit/verify\` with them later proves that the chain still holds that entry and every one before it. The head comes signed (a signed checkpoint): \`signature\` is the Ed25519 signature, under the key \`keyId\` of \`GET /api/v1/audit/keys\`, of the UTF-8 text of five lines each ended by a newline: \`${CHECKPOINT_FORMAT}\`, \`community <communityId>\`, \`seq <seq>\`, \`hash <entryHash>\`, \`at <at>\`. Anyone holding the public key can check it without Linli, so the node cannot later deny the head it showed.`,
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
            keyId: Type.Union([Type.String(), Type.Null()], {
              description: 'the signing key (null while the chain is empty or the node does not sign)',
            }),
            signature: Type.Union([Type.String(), Type.Null()], {
              description: 'Ed25519 signature of the checkpoint text, base64',
            }),
          }),
        },
      },
    },
    async (request) => {
      const p = requireStaff(request, ['auditor', 'manager', 'admin']);
      const c = await servedCommunity(database.db, p.communityIds, request.query.community, 'community');
      const at = options.now().toISOString();
      const [head] = await currentHeads(database.db, at, c.id);
      const signed = head && options.signer ? signCheckpoint(head, options.signer) : null;
      return {
        communityId: c.id,
        code: c.code,
        seq: head?.seq ?? 0,
        entryHash: head?.entryHash ?? null,
        at,
        keyId: signed?.keyId ?? null,
        signature: signed?.signature ?? null,
      };
    },
  );

  app.get(
    '/api/v1/audit/keys',
    {
      schema: {
        tags: ['audit'],
        summary: 'The public keys that sign audit checkpoints',
        description:
          "Every app node's Ed25519 public key (SPKI PEM), by the `keyId` its signed checkpoints name. Public: a witness fetches a key once and keeps it where this system cannot write, then checks checkpoints with it (`linli audit check-checkpoint`, or any Ed25519 tool).",
        security: [],
        response: {
          200: Type.Array(
            Type.Object({
              keyId: Type.String(),
              algorithm: Type.Literal('ed25519'),
              publicKey: Type.String({ description: 'SPKI PEM' }),
              createdAt: Type.String({ format: 'date-time' }),
              current: Type.Boolean({ description: 'the key this node signs with' }),
            }),
          ),
        },
      },
    },
    async () =>
      (await listSigningKeys(database.db)).map((k) => ({
        keyId: k.keyId,
        algorithm: 'ed25519' as const,
        publicKey: k.publicKey,
        createdAt: k.createdAt,
        current: k.keyId === options.signer?.keyId,
      })),
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

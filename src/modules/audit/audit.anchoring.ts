/**
 * Publishing chain heads as anchors: to this node's anchor file, and to every webhook subscriber
 * of `audit.anchor` in the community (a witness another party keeps). Only heads that moved since
 * the last anchor in the file are written; webhook events carry the seq in their idempotency
 * key, so several nodes anchoring the same head send it once.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { emitWebhookEvent } from '../notifications/notify.ts';
import { appendAnchors, readAnchorFile } from './audit.anchor-file.ts';
import { lastWritten, latestAnchors } from './audit.anchors.ts';
import type { Anchor } from './audit.anchors.ts';
import { signCheckpoint } from './audit.checkpoint.ts';
import type { SigningKey } from './audit.checkpoint.ts';

/** Every community's current head (communities with no chain yet have none). */
export async function currentHeads(db: Kysely<DB>, at: string, communityId?: string): Promise<Anchor[]> {
  let q = db
    .selectFrom('audit_heads')
    .innerJoin('communities', 'communities.id', 'audit_heads.community_id')
    .select(['audit_heads.community_id', 'communities.code', 'audit_heads.seq', 'audit_heads.entry_hash'])
    .orderBy('communities.code');
  if (communityId) q = q.where('audit_heads.community_id', '=', communityId);
  const rows = await q.execute();
  return rows.map((r) => ({
    communityId: r.community_id,
    code: r.code,
    seq: Number(r.seq),
    entryHash: r.entry_hash,
    at,
  }));
}

export interface AnchorRun {
  /** Heads newly written (to the file, when there is one, and to subscribers). */
  anchored: Anchor[];
  /** Subscribers the anchors were offered to (one that has a head already does not get it twice). */
  webhooks: number;
  /**
   * Heads anchored now that are behind an earlier anchor (a lower seq, or another hash at the
   * same seq): the chain was restored from an older backup, or cut. Verification will say so.
   */
  wentBack: Anchor[];
}

/**
 * Anchors the heads that moved since the file's last anchor of their community. With no file,
 * `sent` (kept by the caller from one run to the next) says what was anchored before. `force`
 * writes every head to the file even when it has not moved (an operator's `linli audit anchor`).
 */
export async function anchorHeads(
  db: Kysely<DB>,
  opts: {
    file: string | null;
    at: string;
    communityId?: string;
    force?: boolean;
    sent?: Map<string, Anchor>;
    /** The node's checkpoint signing key: each anchor written and sent is signed with it. */
    signer?: SigningKey | null;
  },
): Promise<AnchorRun> {
  const heads = await currentHeads(db, opts.at, opts.communityId);
  const written = opts.file ? readAnchorFile(opts.file) : [];
  // Compared with the last line written, not the highest seq: a head that went back is written
  // once, not at every run until the chain passes the old seq again.
  const last = opts.file ? lastWritten(written) : (opts.sent ?? new Map<string, Anchor>());
  const moved = heads.filter((h) => {
    const seen = last.get(h.communityId);
    return opts.force || !seen || seen.seq !== h.seq || seen.entryHash !== h.entryHash;
  });
  const highest = latestAnchors(written);
  const wentBack = moved.filter((h) => {
    const top = highest.get(h.communityId);
    if (!top) return false;
    if (top.seq > h.seq) return true;
    return written.some(
      (a) => a.communityId === h.communityId && a.seq === h.seq && a.entryHash !== h.entryHash,
    );
  });
  if (opts.signer) {
    const key = opts.signer;
    for (const h of moved) {
      const s = signCheckpoint(h, key);
      h.keyId = s.keyId;
      h.sig = s.signature;
    }
  }
  if (opts.file) appendAnchors(opts.file, moved);
  for (const h of moved) opts.sent?.set(h.communityId, h);
  let webhooks = 0;
  for (const h of moved) {
    webhooks += await db.transaction().execute((trx) =>
      emitWebhookEvent(
        trx,
        h.communityId,
        'audit.anchor',
        {
          seq: h.seq,
          entryHash: h.entryHash,
          ...(h.keyId && h.sig ? { keyId: h.keyId, signature: h.sig } : {}),
        },
        `audit.anchor:${h.seq}:${h.entryHash}`,
        opts.at,
      ),
    );
  }
  return { anchored: moved, webhooks, wentBack };
}

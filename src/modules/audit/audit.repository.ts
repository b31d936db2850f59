import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Dialect } from '../../platform/db/database.ts';
import { insertRows } from '../../platform/db/bulk-insert.ts';
import type { DB } from '../../platform/db/schema.ts';
import { GENESIS_HASH, buildEntry, chainStart, checkEntry } from './audit.chain.ts';
import type { AuditEntry } from './audit.chain.ts';
import { anchorIndex } from './audit.anchors.ts';
import type { Anchor } from './audit.anchors.ts';
import { CHECKPOINT_ALGORITHM } from './audit.checkpoint.ts';

export interface AuditInput {
  communityId: string;
  createdAt: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  payload: unknown;
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  firstBadSeq: number | null;
  /**
   * What is wrong: an entry that does not verify (`entry`, at firstBadSeq), a head that does not
   * match the chain's end (`head`: a truncated tail, or an edited head), a chain missing
   * although the community has work orders (`missing`: it was emptied), or an anchor the chain
   * no longer holds (`anchor`: the entry at firstBadSeq is not the one anchored, or the chain
   * ends before it: history was rewritten and hashed again, or cut with its head rewritten);
   * null when ok.
   */
  problem: 'entry' | 'head' | 'missing' | 'anchor' | null;
  /** Anchors of this community checked against the chain (each vouches for its entry and all before it). */
  anchors: number;
  /**
   * With `anchor`: the anchored seq the chain no longer holds. Past the chain's end (a cut tail)
   * it is the first anchored seq after the end, where `firstBadSeq` is the first missing one.
   */
  anchoredSeq?: number;
}

/**
 * Appends to a community's chain. Must run inside the transaction of the change it records:
 * the head row is locked (PostgreSQL) or the write lock is held (SQLite), so seq stays gapless
 * with several app nodes.
 */
/** An entry as its table row. */
export function auditRow(e: AuditEntry) {
  return {
    community_id: e.communityId,
    seq: e.seq,
    created_at: e.createdAt,
    actor: e.actor,
    action: e.action,
    entity_type: e.entityType,
    entity_id: e.entityId,
    payload_json: e.payloadJson,
    payload_digest: e.payloadDigest,
    prev_hash: e.prevHash,
    entry_hash: e.entryHash,
  };
}

export async function appendAudit(trx: Kysely<DB>, dialect: Dialect, input: AuditInput): Promise<AuditEntry> {
  const { communityId, ...rest } = input;
  const [entry] = await appendAuditBatch(trx, dialect, communityId, [rest]);
  return entry as AuditEntry;
}

/**
 * Appends several entries to one community's chain with one head read and one multi-row insert
 * (intake's group commit). Same guarantees as `appendAudit`.
 */
export async function appendAuditBatch(
  trx: Kysely<DB>,
  dialect: Dialect,
  communityId: string,
  inputs: Omit<AuditInput, 'communityId'>[],
): Promise<AuditEntry[]> {
  if (inputs.length === 0) return [];
  let q = trx.selectFrom('audit_heads').select(['seq', 'entry_hash']).where('community_id', '=', communityId);
  if (dialect === 'postgres') q = q.forUpdate();
  const head = await q.executeTakeFirst();
  let seq = head?.seq ?? 0;
  let prev = head?.entry_hash ?? GENESIS_HASH;
  const entries = inputs.map((input) => {
    seq += 1;
    const e = buildEntry(
      {
        communityId,
        seq,
        createdAt: input.createdAt,
        actor: input.actor,
        action: input.action,
        entityType: input.entityType,
        entityId: input.entityId,
      },
      input.payload,
      prev,
    );
    prev = e.entryHash;
    return e;
  });
  await insertRows(trx, 'audit_entries', entries.map(auditRow));
  if (head) {
    await trx
      .updateTable('audit_heads')
      .set({ seq, entry_hash: prev })
      .where('community_id', '=', communityId)
      .execute();
  } else {
    await trx
      .insertInto('audit_heads')
      .values({ community_id: communityId, seq, entry_hash: prev })
      .execute();
  }
  return entries;
}

/**
 * Walks a community's chain in seq order and names the first entry that does not verify:
 * an edited field or payload, a deleted, inserted or reordered row, or a truncated tail
 * (the head remembers the last seq and hash). With anchors (heads recorded outside the
 * database), it also finds a chain rewritten and hashed again, or cut with its head rewritten
 * to match, before any anchored entry.
 */
export async function verifyChain(
  db: Kysely<DB>,
  communityId: string,
  options: {
    pageSize?: number;
    anchors?: readonly Pick<Anchor, 'seq' | 'entryHash'>[];
    /** After each page: entries verified so far, of the chain up to the head read at the start. */
    onProgress?: (verified: number, head: number) => void;
  } = {},
): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 2000;
  const anchored = anchorIndex(options.anchors ?? []);
  const anchors = options.anchors?.length ?? 0;
  // The head first, and the chain up to it: entries and head are written in one transaction, so
  // every entry up to the head read here is committed, while appends that commit during the walk
  // (other requests, other nodes) are left for the next verification instead of being taken for
  // a head that does not match.
  const head = await headOf(db, communityId);
  const headSeq = head ? Number(head.seq) : 0;
  let cursor = chainStart();
  let entries = 0;
  let afterSeq = 0;
  while (afterSeq < headSeq) {
    const rows = await db
      .selectFrom('audit_entries')
      .selectAll()
      .where('community_id', '=', communityId)
      .where('seq', '>', afterSeq)
      .where('seq', '<=', headSeq)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const r of rows) {
      const next = checkEntry(cursor, {
        communityId: r.community_id,
        seq: Number(r.seq),
        createdAt: r.created_at,
        actor: r.actor,
        action: r.action,
        entityType: r.entity_type,
        entityId: r.entity_id,
        payloadJson: r.payload_json,
        payloadDigest: r.payload_digest,
        prevHash: r.prev_hash,
        entryHash: r.entry_hash,
      });
      if (!next) return { ok: false, entries, firstBadSeq: cursor.expectedSeq, problem: 'entry', anchors };
      // An entry that verifies in itself but is not the one published: everything up to here
      // was written again. Two anchors that disagree on one seq cannot both hold.
      const pinned = anchored.get(next.expectedSeq - 1);
      if (pinned && (pinned.size > 1 || !pinned.has(next.prevHash)))
        return {
          ok: false,
          entries,
          firstBadSeq: next.expectedSeq - 1,
          problem: 'anchor',
          anchors,
          anchoredSeq: next.expectedSeq - 1,
        };
      cursor = next;
      entries += 1;
    }
    options.onProgress?.(entries, headSeq);
    if (rows.length < pageSize) break;
    afterSeq = Number(rows[rows.length - 1]?.seq ?? afterSeq);
    // SQLite answers synchronously: without a turn of the event loop between pages the walk of a
    // large chain (56,000 entries: 1.2 s) held every other request of the node until it ended.
    await nextTurn();
  }
  if (entries !== headSeq || (head && head.entry_hash !== cursor.prevHash)) {
    return { ok: false, entries, firstBadSeq: cursor.expectedSeq, problem: 'head', anchors };
  }
  // Entries past the head: appends that committed during the walk (the head moved with them), or
  // rows written without the head (it stayed).
  const beyond = await db
    .selectFrom('audit_entries')
    .select('seq')
    .where('community_id', '=', communityId)
    .where('seq', '>', headSeq)
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  const now = beyond || anchored.size > 0 ? await headOf(db, communityId) : head;
  const nowSeq = now ? Number(now.seq) : 0;
  if (beyond && nowSeq <= headSeq)
    return { ok: false, entries, firstBadSeq: headSeq + 1, problem: 'head', anchors };
  // An anchor past the end: the chain was longer when it was published. (One past the head read
  // at the start, but not past the head now, was published during the walk: it waits its turn.)
  // The first anchored seq past the end is the one named: it proves the cut.
  let past = Infinity;
  for (const seq of anchored.keys()) if (seq > headSeq && seq > nowSeq && seq < past) past = seq;
  if (past !== Infinity)
    return {
      ok: false,
      entries,
      firstBadSeq: entries + 1,
      problem: 'anchor',
      anchors,
      anchoredSeq: past,
    };
  if (entries === 0) {
    // Every order's creation is recorded: a community with orders and no chain has lost it.
    const order = await db
      .selectFrom('work_orders')
      .select('id')
      .where('community_id', '=', communityId)
      .limit(1)
      .executeTakeFirst();
    if (order) return { ok: false, entries, firstBadSeq: 1, problem: 'missing', anchors };
  }
  return { ok: true, entries, firstBadSeq: null, problem: null, anchors };
}

function headOf(db: Kysely<DB>, communityId: string) {
  return db
    .selectFrom('audit_heads')
    .select(['seq', 'entry_hash'])
    .where('community_id', '=', communityId)
    .executeTakeFirst();
}

/** Records a node's checkpoint signing key (its public half); a key already recorded is kept as it was. */
export async function registerSigningKey(
  db: Kysely<DB>,
  key: { keyId: string; publicKeyPem: string },
  at: string,
): Promise<void> {
  await db
    .insertInto('audit_signing_keys')
    .values({
      key_id: key.keyId,
      algorithm: CHECKPOINT_ALGORITHM,
      public_key: key.publicKeyPem,
      created_at: at,
    })
    .onConflict((oc) => oc.column('key_id').doNothing())
    .execute();
}

/** Every node's checkpoint signing key, oldest first. */
export async function listSigningKeys(
  db: Kysely<DB>,
): Promise<{ keyId: string; algorithm: string; publicKey: string; createdAt: string }[]> {
  const rows = await db
    .selectFrom('audit_signing_keys')
    .selectAll()
    .orderBy('created_at')
    .orderBy('key_id')
    .execute();
  return rows.map((r) => ({
    keyId: r.key_id,
    algorithm: r.algorithm,
    publicKey: r.public_key,
    createdAt: r.created_at,
  }));
}

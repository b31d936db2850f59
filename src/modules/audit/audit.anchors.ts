/**
 * Audit anchors: a chain's head (seq and entry hash) recorded outside the database.
 *
 * Each entry's hash covers every entry before it, so a chain can verify and still have been cut
 * at its tail with the head row rewritten to match, or rewritten from some entry on and hashed
 * again: whoever can write the tables can do either. An anchor kept where they cannot write (a
 * file on the app node, a webhook subscriber, an auditor's report) pins the chain: the entry at
 * the anchor's seq must still be there with the anchor's hash, which vouches for that entry and
 * every one before it.
 *
 * An anchor file holds one JSON object a line (`formatAnchor`). Pure functions here; reading and
 * appending the file is `audit.anchor-file.ts`.
 */

import { checkpointSignatureValid, ed25519PublicKey, signatureFieldsProblem } from './audit.checkpoint.ts';

export const ANCHOR_VERSION = 1;

export interface Anchor {
  communityId: string;
  /** The community's code, for people reading the file; not checked. */
  code?: string;
  seq: number;
  entryHash: string;
  /** When the head was read. */
  at: string;
  /** The node's signature of this head (`audit.checkpoint.ts`), when it signs: the key's id and the signature. */
  keyId?: string;
  sig?: string;
}

/** One line of an anchor file (no newline). */
export function formatAnchor(a: Anchor): string {
  return JSON.stringify({
    v: ANCHOR_VERSION,
    communityId: a.communityId,
    ...(a.code ? { code: a.code } : {}),
    seq: a.seq,
    entryHash: a.entryHash,
    at: a.at,
    ...(a.keyId && a.sig ? { keyId: a.keyId, sig: a.sig } : {}),
  });
}

/** A line that is not an anchor: the message says which line and why. */
export class AnchorFormatError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'AnchorFormatError';
  }
}

const HASH = /^[0-9a-f]{64}$/;

/** Checks one anchor's fields (from a file line or a request); returns what is wrong, or null. */
export function anchorProblem(a: { seq: unknown; entryHash: unknown }): string | null {
  if (typeof a.seq !== 'number' || !Number.isSafeInteger(a.seq) || a.seq < 1)
    return 'seq must be a whole number ≥ 1';
  if (typeof a.entryHash !== 'string' || !HASH.test(a.entryHash))
    return 'entryHash must be 64 lowercase hexadecimal characters';
  return null;
}

/**
 * Reads an anchor file's text. Blank lines are skipped, and so is a line cut short (an object
 * begun but never closed: a node that died while appending it; the next append starts on a
 * line of its own). Any other line that is not an anchor of this version is refused with its
 * number: a damaged anchor file must be looked at, not half-used.
 */
export function parseAnchors(text: string): Anchor[] {
  const lines = text.split('\n');
  const out: Anchor[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      if (line.startsWith('{') && !line.endsWith('}')) return;
      throw new AnchorFormatError(i + 1, 'not JSON');
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new AnchorFormatError(i + 1, 'not an object');
    const o = v as Record<string, unknown>;
    if (o.v !== ANCHOR_VERSION) throw new AnchorFormatError(i + 1, `unknown anchor version ${String(o.v)}`);
    if (typeof o.communityId !== 'string' || o.communityId === '')
      throw new AnchorFormatError(i + 1, 'communityId missing');
    const problem = anchorProblem({ seq: o.seq, entryHash: o.entryHash });
    if (problem) throw new AnchorFormatError(i + 1, problem);
    if (typeof o.at !== 'string') throw new AnchorFormatError(i + 1, 'at missing');
    // Lines written before nodes signed their anchors have no signature; one that has is whole.
    const signed = o.keyId !== undefined || o.sig !== undefined;
    const sigProblem = signed ? signatureFieldsProblem({ keyId: o.keyId, signature: o.sig }) : null;
    if (sigProblem) throw new AnchorFormatError(i + 1, sigProblem);
    out.push({
      communityId: o.communityId,
      ...(typeof o.code === 'string' ? { code: o.code } : {}),
      seq: o.seq as number,
      entryHash: o.entryHash as string,
      at: o.at,
      ...(signed ? { keyId: o.keyId as string, sig: o.sig as string } : {}),
    });
  });
  return out;
}

/** The hashes a community's chain must hold, by seq. Two anchors that disagree on one seq are both kept. */
export function anchorIndex(anchors: readonly Pick<Anchor, 'seq' | 'entryHash'>[]): Map<number, Set<string>> {
  const bySeq = new Map<number, Set<string>>();
  for (const a of anchors) {
    const set = bySeq.get(a.seq) ?? new Set<string>();
    set.add(a.entryHash);
    bySeq.set(a.seq, set);
  }
  return bySeq;
}

/** The anchors kept for a community: by its id, and by its code (a community given a new id keeps its code). */
export function anchorsOf(anchors: readonly Anchor[], community: { id: string; code: string }): Anchor[] {
  return anchors.filter((a) => a.communityId === community.id || a.code === community.code);
}

/** The last anchor written for each community, in file order (what this node last published). */
export function lastWritten(anchors: readonly Anchor[]): Map<string, Anchor> {
  const last = new Map<string, Anchor>();
  for (const a of anchors) last.set(a.communityId, a);
  return last;
}

/** The anchor of highest seq of each community. */
export function latestAnchors(anchors: readonly Anchor[]): Map<string, Anchor> {
  const latest = new Map<string, Anchor>();
  for (const a of anchors) {
    const seen = latest.get(a.communityId);
    if (!seen || a.seq >= seen.seq) latest.set(a.communityId, a);
  }
  return latest;
}

/**
 * The signed anchors whose signature does not hold: made with a key no node has recorded, or
 * not this checkpoint's signature under its key (a line edited after it was signed). Unsigned
 * anchors are not judged here.
 */
export function badlySigned(
  anchors: readonly Anchor[],
  keys: readonly { keyId: string; publicKey: string }[],
): { anchor: Anchor; reason: 'unknown_key' | 'bad_signature' }[] {
  const byId = new Map(keys.map((k) => [k.keyId, ed25519PublicKey(k.publicKey)]));
  const bad: { anchor: Anchor; reason: 'unknown_key' | 'bad_signature' }[] = [];
  for (const a of anchors) {
    if (!a.keyId || !a.sig) continue;
    const key = byId.get(a.keyId);
    if (!key) bad.push({ anchor: a, reason: 'unknown_key' });
    else if (!checkpointSignatureValid(a, a.sig, key)) bad.push({ anchor: a, reason: 'bad_signature' });
  }
  return bad;
}

import { canonicalJson, sha256Hex } from './canonical-json.ts';

/** prev_hash of the first entry of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditFields {
  communityId: string;
  seq: number;
  createdAt: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
}

export interface AuditEntry extends AuditFields {
  payloadJson: string;
  payloadDigest: string;
  prevHash: string;
  entryHash: string;
}

// The members of the linked object, in canonical (sorted) order.
const LINK_KEYS = [
  'action',
  'actor',
  'communityId',
  'createdAt',
  'entityId',
  'entityType',
  'payloadDigest',
  'prevHash',
  'seq',
] as const;
const FIELD_KEYS = new Set<string>(LINK_KEYS.filter((k) => k !== 'payloadDigest' && k !== 'prevHash'));

/**
 * The canonical JSON that an entry's hash covers: every field plus the payload digest and the
 * previous hash. Written member by member in sorted order, which is what `canonicalJson` of
 * that object gives (a test holds the two equal); an object with other members goes the
 * general way.
 */
export function linkJson(fields: AuditFields, payloadDigest: string, prevHash: string): string {
  for (const k in fields)
    if (!FIELD_KEYS.has(k)) return canonicalJson({ ...fields, payloadDigest, prevHash });
  const all = fields as unknown as Record<string, unknown>;
  let out = '{';
  for (const k of LINK_KEYS) {
    const v = k === 'payloadDigest' ? payloadDigest : k === 'prevHash' ? prevHash : all[k];
    if (v === undefined) continue;
    out += (out.length > 1 ? ',"' : '"') + k + '":' + canonicalJson(v);
  }
  return out + '}';
}

/** The hash that links an entry to its predecessor: SHA-256 over the canonical JSON of every field. */
export function entryHash(fields: AuditFields, payloadDigest: string, prevHash: string): string {
  return sha256Hex(linkJson(fields, payloadDigest, prevHash));
}

/** Builds the next entry of a chain from its head (pure). */
export function buildEntry(fields: AuditFields, payload: unknown, prevHash: string): AuditEntry {
  const payloadJson = canonicalJson(payload);
  const payloadDigest = sha256Hex(payloadJson);
  return {
    ...fields,
    payloadJson,
    payloadDigest,
    prevHash,
    entryHash: entryHash(fields, payloadDigest, prevHash),
  };
}

export interface ChainCursor {
  expectedSeq: number;
  prevHash: string;
}

export const chainStart = (): ChainCursor => ({ expectedSeq: 1, prevHash: GENESIS_HASH });

/**
 * Checks one entry against the running cursor. Returns the advanced cursor, or null when the
 * entry is out of sequence, its payload does not match its digest, or its links are broken.
 */
export function checkEntry(cursor: ChainCursor, e: AuditEntry): ChainCursor | null {
  if (e.seq !== cursor.expectedSeq) return null;
  if (e.prevHash !== cursor.prevHash) return null;
  let canonical: string;
  try {
    canonical = canonicalJson(JSON.parse(e.payloadJson));
  } catch {
    return null;
  }
  // The stored text is the canonical form itself: reordered keys, spaces or a duplicate key (which
  // JSON.parse would quietly resolve) make text that a search of the table reads differently.
  if (canonical !== e.payloadJson) return null;
  if (sha256Hex(canonical) !== e.payloadDigest) return null;
  const { payloadJson: _p, payloadDigest, prevHash, entryHash: stored, ...fields } = e;
  if (entryHash(fields, payloadDigest, prevHash) !== stored) return null;
  return { expectedSeq: e.seq + 1, prevHash: stored };
}

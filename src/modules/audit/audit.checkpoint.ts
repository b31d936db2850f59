/**
 * Signed checkpoints: a chain head (community, seq, entry hash, time) signed with the node's
 * Ed25519 key.
 *
 * An anchor kept by a witness proves what the chain held only as far as the witness is trusted:
 * Linli could say the witness made it up. A signed one cannot be denied: whoever holds the node's
 * public key can check, without Linli, that this node vouched for that head at that time. A chain
 * that later no longer holds it was changed behind the record it signed.
 *
 * What is signed is a short text of fixed lines (`checkpointText`), so that anyone can check a
 * signature with common tools, e.g. `openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in
 * checkpoint.txt -sigfile sig.bin`. Pure functions over `node:crypto` keys; loading and keeping
 * the node's key is `audit.signing-key.ts`.
 */
import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export const CHECKPOINT_FORMAT = 'linli-audit-checkpoint/1';
export const CHECKPOINT_ALGORITHM = 'ed25519';

export interface CheckpointFields {
  communityId: string;
  seq: number;
  entryHash: string;
  /** When the head was read (ISO 8601). */
  at: string;
}

export interface CheckpointSignature {
  /** The signing key's id (`keyIdOf`). */
  keyId: string;
  /** The Ed25519 signature of `checkpointText`, base64. */
  signature: string;
}

/** The node's signing key: the private half stays in the process. */
export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as SPKI PEM, to hand to witnesses. */
  publicKeyPem: string;
}

const KEY_ID = /^[0-9a-f]{16}$/;
const SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;

/** The exact bytes signed: one field a line, each line ended by a newline. */
export function checkpointText(c: CheckpointFields): string {
  return [
    CHECKPOINT_FORMAT,
    `community ${c.communityId}`,
    `seq ${c.seq}`,
    `hash ${c.entryHash}`,
    `at ${c.at}`,
    '',
  ].join('\n');
}

/** A key's id: the first 16 hexadecimal characters of the SHA-256 of its public key (SPKI DER). */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/** The signing key of an Ed25519 private key, with its public half and id. */
export function signingKeyOf(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  return {
    keyId: keyIdOf(publicKey),
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function signCheckpoint(c: CheckpointFields, key: SigningKey): CheckpointSignature {
  return {
    keyId: key.keyId,
    signature: sign(null, Buffer.from(checkpointText(c), 'utf8'), key.privateKey).toString('base64'),
  };
}

/** Whether `signature` is `publicKey`'s signature of this checkpoint. A malformed signature is not. */
export function checkpointSignatureValid(
  c: CheckpointFields,
  signature: string,
  publicKey: KeyObject,
): boolean {
  if (!SIGNATURE.test(signature)) return false;
  try {
    return verify(null, Buffer.from(checkpointText(c), 'utf8'), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** What is wrong with a signature's fields as received (a file line, a request), or null. */
export function signatureFieldsProblem(s: { keyId: unknown; signature: unknown }): string | null {
  if (typeof s.keyId !== 'string' || !KEY_ID.test(s.keyId))
    return 'keyId must be 16 lowercase hexadecimal characters';
  if (typeof s.signature !== 'string' || !SIGNATURE.test(s.signature))
    return 'signature must be 64 bytes in base64';
  return null;
}

/** An Ed25519 public key from PEM (SPKI), or null when the text is not one. */
export function ed25519PublicKey(pem: string): KeyObject | null {
  try {
    const k = createPublicKey(pem);
    return k.asymmetricKeyType === 'ed25519' ? k : null;
  } catch {
    return null;
  }
}

const HASH = /^[0-9a-f]{64}$/;

/**
 * A signed checkpoint as a witness keeps it: the JSON of `GET /api/v1/audit/head`, of an
 * `audit.anchor` webhook's data, or a line of an anchor file (`sig` for `signature`). Returns the
 * fields, or what is wrong with the text.
 */
export function parseCheckpoint(
  text: string,
): { ok: true; checkpoint: CheckpointFields & CheckpointSignature } | { ok: false; problem: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'not JSON' };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { ok: false, problem: 'not a JSON object' };
  const o = v as Record<string, unknown>;
  // A webhook delivery's body holds the checkpoint in `data`.
  const c =
    o.data && typeof o.data === 'object' && !Array.isArray(o.data) ? (o.data as Record<string, unknown>) : o;
  const signature = c.signature ?? c.sig;
  if (typeof c.communityId !== 'string' || c.communityId === '')
    return { ok: false, problem: 'communityId missing' };
  if (typeof c.seq !== 'number' || !Number.isSafeInteger(c.seq) || c.seq < 1)
    return { ok: false, problem: 'seq must be a whole number ≥ 1' };
  if (typeof c.entryHash !== 'string' || !HASH.test(c.entryHash))
    return { ok: false, problem: 'entryHash must be 64 lowercase hexadecimal characters' };
  if (typeof c.at !== 'string' || c.at === '') return { ok: false, problem: 'at missing' };
  if (signature === undefined || signature === null)
    return { ok: false, problem: 'not signed (no signature)' };
  const problem = signatureFieldsProblem({ keyId: c.keyId, signature });
  if (problem) return { ok: false, problem };
  return {
    ok: true,
    checkpoint: {
      communityId: c.communityId,
      seq: c.seq,
      entryHash: c.entryHash,
      at: c.at,
      keyId: c.keyId as string,
      signature: signature as string,
    },
  };
}

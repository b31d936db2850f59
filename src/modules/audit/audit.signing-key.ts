/**
 * The node's checkpoint signing key: an Ed25519 private key in a PEM file (PKCS #8), made on the
 * first start when the file does not exist and readable by its owner only. Nodes that should
 * sign as one (several app nodes of one deployment) are given the same file; otherwise each node
 * signs with its own, and every key is listed in `audit_signing_keys` so any node can show it.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { signingKeyOf } from './audit.checkpoint.ts';
import type { SigningKey } from './audit.checkpoint.ts';

/** The key file cannot be used: `message` says which file and why. */
export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

function fromPem(file: string, pem: string): SigningKey {
  let privateKey;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new SigningKeyError(`the audit signing key ${file} is not a PEM private key`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new SigningKeyError(
      `the audit signing key ${file} is a ${privateKey.asymmetricKeyType ?? 'unknown'} key; it must be Ed25519`,
    );
  return signingKeyOf(privateKey);
}

/**
 * Reads the key in `file`, or makes one there when the file does not exist. Two processes
 * starting at once both end with the one key written first: the new key is written beside the
 * file and linked into place, which fails when the file exists, and is never seen half-written.
 */
export function loadOrCreateSigningKey(file: string): SigningKey {
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(tmp, pem, { mode: 0o600, flag: 'wx' });
      try {
        linkSync(tmp, file);
      } catch (e) {
        if ((e as { code?: string }).code !== 'EEXIST') throw e;
      }
    } catch (e) {
      throw new SigningKeyError(
        `cannot write the audit signing key ${file} (${String((e as { code?: unknown }).code ?? (e as Error).message)})`,
      );
    } finally {
      try {
        unlinkSync(tmp);
      } catch {
        /* not written */
      }
    }
  }
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SigningKeyError(
      `cannot read the audit signing key ${file} (${String((e as { code?: unknown }).code ?? (e as Error).message)})`,
    );
  }
  return fromPem(file, pem);
}

/**
 * `linli audit check-checkpoint`: a witness checks a signed checkpoint it kept against the public
 * key it kept, with the two files alone (no database, no server).
 */
import { readFileSync } from 'node:fs';
import {
  checkpointSignatureValid,
  ed25519PublicKey,
  keyIdOf,
  parseCheckpoint,
} from '../modules/audit/audit.checkpoint.ts';

function readText(file: string, what: string): { text: string } | { problem: string } {
  try {
    return { text: readFileSync(file, 'utf8') };
  } catch (e) {
    return {
      problem: `cannot read the ${what} ${file} (${String((e as { code?: unknown }).code ?? (e as Error).message)})`,
    };
  }
}

/** Exit 0 when the checkpoint's signature holds under the key; 1 (saying why) when it does not or a file cannot be used. */
export function checkCheckpointFiles(
  checkpointFile: string,
  publicKeyFile: string,
  out: (line: string) => void,
  err: (line: string) => void,
): number {
  const cp = readText(checkpointFile, 'checkpoint');
  if ('problem' in cp) return (err(cp.problem), 1);
  const pem = readText(publicKeyFile, 'public key');
  if ('problem' in pem) return (err(pem.problem), 1);
  const key = ed25519PublicKey(pem.text);
  if (!key) return (err(`${publicKeyFile} is not an Ed25519 public key in PEM`), 1);
  const parsed = parseCheckpoint(cp.text.trim());
  if (!parsed.ok) return (err(`${checkpointFile}: ${parsed.problem}`), 1);
  const c = parsed.checkpoint;
  const keyId = keyIdOf(key);
  if (c.keyId !== keyId) {
    err(`the checkpoint was signed by key ${c.keyId}, not by this one (${keyId})`);
    return 1;
  }
  if (!checkpointSignatureValid(c, c.signature, key)) {
    err(
      'BAD: the signature does not hold: the checkpoint was changed after it was signed, or never signed by this key',
    );
    return 1;
  }
  out(`ok\tcommunity ${c.communityId}, seq ${c.seq}, hash ${c.entryHash}, at ${c.at}, signed by ${keyId}`);
  return 0;
}

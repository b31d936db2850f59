import { randomBytes, randomFillSync } from 'node:crypto';

// Random bytes are drawn from the CSPRNG in blocks: one system call per 256 ids, not per id.
const POOL = Buffer.alloc(16 * 256);
let poolOffset = POOL.length;
function random16(): Buffer {
  if (poolOffset >= POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const b = Buffer.from(POOL.subarray(poolOffset, poolOffset + 16));
  poolOffset += 16;
  return b;
}

/**
 * Time-ordered unique ids (UUIDv7 layout, 48-bit ms timestamp + random), so ids sort by
 * creation and serve as stable pagination tie-breakers on both databases.
 */
export function newId(now: number = Date.now()): string {
  const b = random16();
  b.writeUIntBE(now, 0, 6);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x70;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface IdGenerator {
  next(): string;
}

export const uuidV7: IdGenerator = { next: () => newId() };

/** A URL-safe random secret (tokens, API keys, codes' salt). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

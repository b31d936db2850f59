import { randomBytes, randomFillSync } from 'node:crypto';

// Random bytes are drawn from the CSPRNG in blocks: one system call per 256 ids, not per id.
const POOL = Buffer.alloc(16 * 256);
let poolOffset = POOL.length;

/**
 * Time-ordered unique ids (UUIDv7 layout, 48-bit ms timestamp + random), so ids sort by
 * creation and serve as stable pagination tie-breakers on both databases. The id's 16 bytes
 * are stamped in place in the random pool and read out as hex from there: no buffer per id.
 */
export function newId(now: number = Date.now()): string {
  if (poolOffset >= POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const o = poolOffset;
  poolOffset += 16;
  POOL.writeUIntBE(now, o, 6);
  POOL[o + 6] = ((POOL[o + 6] as number) & 0x0f) | 0x70;
  POOL[o + 8] = ((POOL[o + 8] as number) & 0x3f) | 0x80;
  const h = POOL.toString('hex', o, o + 16);
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

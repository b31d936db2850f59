import { randomBytes, randomFillSync } from 'node:crypto';

// Random bytes are drawn from the CSPRNG in blocks: one system call per 256 ids, not per id.
const POOL = Buffer.alloc(16 * 256);
let poolOffset = POOL.length;
/** The millisecond of the last id, and its counter (-1: the millisecond's 4,096 are used up). */
let lastMs = -1;
let counter = 0;

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
  // Ids of one millisecond in one process count up in the 12 bits after the time (RFC 9562's
  // counter method), from a random start in the lower half: a transaction's timeline events,
  // stamped with one instant and listed by (time, id), keep the order they were written in (an
  // escalation used to be listed before the breach that caused it).
  if (now === lastMs && counter < 0xfff) counter++;
  else if (now !== lastMs) {
    lastMs = now;
    counter = (((POOL[o + 6] as number) & 0x07) << 8) | (POOL[o + 7] as number);
  } else counter = -1;
  if (counter >= 0) {
    POOL[o + 6] = 0x70 | (counter >> 8);
    POOL[o + 7] = counter & 0xff;
  } else POOL[o + 6] = ((POOL[o + 6] as number) & 0x0f) | 0x70;
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

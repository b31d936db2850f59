import { newKey } from '../lib/api.ts';
import { sendOrder } from '../lib/outbox.ts';
import type { SendResult } from '../lib/outbox.ts';
import type { NewOrder } from '../lib/types.ts';

/** Sends a new resident order under a fresh idempotency key (kept with it in the outbox). */
export function sendReport(body: NewOrder, key: string = newKey()): Promise<SendResult> {
  return sendOrder(key, body);
}

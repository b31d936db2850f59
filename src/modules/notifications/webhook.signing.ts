/**
 * HMAC-SHA256 signatures of webhook deliveries. The receiver recomputes the MAC over
 * `<timestamp>.<raw body>` with the shared secret and rejects old timestamps (replays).
 * Header: `X-Linli-Signature: t=<unix seconds>,v1=<hex>`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-linli-signature';

export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The header value for a body sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signatureOf(secret, timestamp, body)}`;
}

/** Checks a signature header against the raw body; `now` in unix seconds. */
export function verifyWebhook(
  secret: string,
  header: string | undefined,
  body: string,
  now: number,
  toleranceSeconds = 300,
): boolean {
  if (!header) return false;
  const parts = new Map(
    header.split(',').map((kv) => {
      const i = kv.indexOf('=');
      return [kv.slice(0, i).trim(), kv.slice(i + 1).trim()] as const;
    }),
  );
  const ts = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!Number.isInteger(ts) || Math.abs(now - ts) > toleranceSeconds) return false;
  const expected = signatureOf(secret, ts, body);
  if (given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

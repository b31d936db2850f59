import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/context.ts';
import { cancelMessages, holdMessages, preferencesOf, recipientFacts } from './notifications.repository.ts';
import { NotSentError, deliveryOf } from './outbox.recipients.ts';
import { claimOutbox, markAttemptFailed, markDelivered } from './outbox.repository.ts';
import type { OutboxRow } from './outbox.repository.ts';
import { PermanentDeliveryError } from './webhook.guard.ts';
import { loggableRecipient, redactedPayload } from './secrets.ts';

/** One message handed to a channel adapter. `id` is the idempotency key: providers de-duplicate on it. */
export interface OutgoingMessage {
  id: string;
  channel: string;
  recipientType?: string;
  recipientId: string | null;
  address: string | null;
  template: string;
  locale: string;
  payload: unknown;
}

/** A delivery channel. Real SMS/WeChat/webhook providers implement this; development adapters record. */
export interface ChannelAdapter {
  deliver(msg: OutgoingMessage): Promise<void>;
}

/** Records deliveries in memory and the log: the simplest development adapter. */
export class RecordingAdapter implements ChannelAdapter {
  readonly sent: { channel: string; template: string; recipientId: string | null; payload: unknown }[] = [];
  constructor(private readonly logger: Logger) {}
  async deliver(msg: OutgoingMessage): Promise<void> {
    this.sent.push({
      channel: msg.channel,
      template: msg.template,
      recipientId: msg.recipientId,
      payload: msg.payload,
    });
    if (this.sent.length > 1000) this.sent.splice(0, 500);
    this.logger.info(
      { channel: msg.channel, template: msg.template, to: msg.recipientId ?? loggableRecipient(msg.address) },
      'notification delivered (development adapter)',
    );
  }
}

const BACKOFF_SECONDS = [10, 30, 120, 600, 3600];
export const MAX_ATTEMPTS = 8;

export interface DeliverOptions {
  limit?: number;
  /** Only these channels (e.g. a separate loop for webhooks). */
  channels?: readonly string[];
  excludeChannels?: readonly string[];
  /** Deliveries in flight at once. */
  concurrency?: number;
  /** A delivery that takes longer counts as failed and is retried later. */
  timeoutMs?: number;
  /** Hold messages of staff in digest mode instead of sending them (default true). */
  digest?: boolean;
}

/** The next attempt after `attempts` failures. */
export function backoffSeconds(attempts: number): number {
  return BACKOFF_SECONDS[Math.min(Math.max(attempts, 1) - 1, BACKOFF_SECONDS.length - 1)] ?? 3600;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`delivery timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Delivers due outbox messages. Each message is claimed by moving its next attempt into the
 * future inside a transaction (row-locked with SKIP LOCKED on PostgreSQL; on SQLite the claim
 * is an UPDATE that takes the write lock first), so several nodes never send the same message
 * at once; the idempotency key travels with it to the provider. Deliveries run concurrently and
 * each is bounded by a timeout, so a hanging endpoint delays only its own message.
 */
export async function deliverDue(
  database: Database,
  clock: Clock,
  adapters: Record<string, ChannelAdapter>,
  options: number | DeliverOptions = {},
): Promise<{ delivered: number; failed: number; held: number; cancelled: number }> {
  const opts: DeliverOptions = typeof options === 'number' ? { limit: options } : options;
  const limit = opts.limit ?? 50;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const now = clock.now();
  const nowIso = now.toISOString();
  const concurrency = Math.max(1, opts.concurrency ?? 8);
  // The claim must outlast the whole run: the last of `limit` messages, `concurrency` at a time,
  // starts only after the waves before it, each up to the timeout. A claim that lapsed sooner let
  // another node claim the messages still waiting their turn here, and both sent them.
  const runMs = timeoutMs * (Math.ceil(limit / concurrency) + 1);
  const leaseUntil = new Date(now.getTime() + Math.max(60_000, runMs)).toISOString();
  const claimedAll = await claimOutbox(database.db, database.dialect, {
    now: nowIso,
    leaseUntil,
    limit,
    channels: opts.channels,
    excludeChannels: opts.excludeChannels,
  });

  // Who a message goes to is decided now, not when it was written: a resident's new phone gets
  // it, a webhook event its subscription's URL as stored now; an erased resident, a deactivated
  // account, someone who left the order's community or a removed subscription gets nothing
  // (cancelled, with the reason).
  const { sendable: claimed, addressOf, unsendable } = await resolveRecipients(database.db, claimedAll);
  let toSend = claimed;
  let held = 0;
  if (opts.digest !== false) {
    const userIds = [
      ...new Set(
        claimed.filter((m) => m.recipient_type === 'user' && m.recipient_id).map((m) => m.recipient_id ?? ''),
      ),
    ];
    const digestUsers = new Set(
      (await preferencesOf(database.db, userIds)).filter((p) => p.mode === 'digest').map((p) => p.user_id),
    );
    const hold = claimed.filter(
      (m) =>
        m.recipient_type === 'user' &&
        m.template !== 'digest' &&
        digestUsers.has(m.recipient_id ?? '') &&
        !(JSON.parse(m.payload_json) as { urgent?: boolean }).urgent,
    );
    await holdMessages(
      database.db,
      hold.map((m) => m.id),
    );
    held = hold.length;
    const heldIds = new Set(hold.map((m) => m.id));
    toSend = claimed.filter((m) => !heldIds.has(m.id));
  }

  let delivered = 0;
  let failed = 0;
  let cancelled = unsendable;
  const queue = [...toSend];
  const work = async () => {
    for (let m = queue.shift(); m; m = queue.shift()) {
      const adapter = adapters[m.channel];
      try {
        if (!adapter) throw new Error(`no adapter for channel ${m.channel}`);
        await withTimeout(
          adapter.deliver({
            id: m.idempotency_key,
            channel: m.channel,
            recipientType: m.recipient_type,
            recipientId: m.recipient_id,
            address: addressOf.get(m.id) ?? null,
            template: m.template,
            locale: m.locale,
            payload: JSON.parse(m.payload_json) as unknown,
          }),
          timeoutMs,
        );
        // A one-time code is not kept at rest once its message is out.
        await markDelivered(database.db, m.id, m.attempts + 1, clock.now().toISOString(), {
          payloadJson: redactedPayload(m.template, m.payload_json),
        });
        delivered += 1;
      } catch (err) {
        if (err instanceof NotSentError) {
          // Nobody received it, and nobody will: cancelled with the reason, never "delivered".
          await cancelMessages(database.db, [m.id], err.message);
          cancelled += 1;
          continue;
        }
        const attempts = m.attempts + 1;
        // A refused target stays refused: no retries.
        const final = attempts >= MAX_ATTEMPTS || err instanceof PermanentDeliveryError;
        await markAttemptFailed(database.db, m.id, {
          attempts,
          error: err instanceof Error ? err.message : String(err),
          nextAttemptAt: new Date(clock.now().getTime() + backoffSeconds(attempts) * 1000).toISOString(),
          final,
          // Nor is it kept once its message has failed for good.
          payloadJson: final ? redactedPayload(m.template, m.payload_json) : null,
        });
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, work));
  return { delivered, failed, held, cancelled };
}

/**
 * The claimed (or held) messages that may still be sent, each with the address it goes to now;
 * the others are cancelled with their reason (`deliveryOf`).
 */
export async function resolveRecipients(
  db: Kysely<DB>,
  claimed: readonly OutboxRow[],
): Promise<{ sendable: OutboxRow[]; addressOf: Map<string, string | null>; unsendable: number }> {
  const orderIdOf = (m: OutboxRow): string | null => {
    if (m.recipient_type !== 'user') return null;
    const payload = JSON.parse(m.payload_json) as { orderId?: unknown };
    return typeof payload.orderId === 'string' ? payload.orderId : null;
  };
  const idsOf = (...types: string[]) =>
    claimed
      .filter((m) => types.includes(m.recipient_type) && m.recipient_id)
      .map((m) => m.recipient_id ?? '');
  const facts = await recipientFacts(db, {
    residents: idsOf('resident', 'emergency_contact'),
    users: idsOf('user'),
    orders: claimed.map(orderIdOf).filter((id): id is string => id !== null),
    webhooks: claimed
      .filter((m) => m.channel === 'webhook' && m.recipient_id)
      .map((m) => m.recipient_id ?? ''),
  });
  const sendable: OutboxRow[] = [];
  const addressOf = new Map<string, string | null>();
  const refused = new Map<string, string[]>();
  for (const m of claimed) {
    const orderId = orderIdOf(m);
    const d = deliveryOf(
      {
        channel: m.channel,
        recipientType: m.recipient_type,
        recipientId: m.recipient_id,
        address: m.address,
        template: m.template,
        orderCommunityId: orderId ? (facts.orderCommunity.get(orderId) ?? null) : null,
      },
      facts,
    );
    if (d.send) {
      sendable.push(m);
      addressOf.set(m.id, d.address);
    } else refused.set(d.reason, [...(refused.get(d.reason) ?? []), m.id]);
  }
  for (const [reason, ids] of refused) await cancelMessages(db, ids, reason);
  return { sendable, addressOf, unsendable: claimed.length - sendable.length };
}

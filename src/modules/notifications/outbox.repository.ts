import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from '../../platform/db/database.ts';
import type { DB, OutboxTable } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { insertRows } from '../../platform/db/bulk-insert.ts';
import { preferencesOf } from './notifications.repository.ts';

export interface OutboxMessage {
  /** One message per key, ever: a retried change never sends twice. */
  idempotencyKey: string;
  channel: 'sms' | 'wechat' | 'inapp' | 'webhook';
  /**
   * `resident` and `user`: the person (an SMS goes to their phone as it is when sent);
   * `emergency_contact`: the emergency contact of the resident `recipientId`; `address`: exactly
   * `address`, except a webhook event, which names its subscription in `recipientId` and goes to
   * the subscription's URL as it is when sent.
   */
  recipientType: 'resident' | 'user' | 'emergency_contact' | 'address';
  recipientId: string | null;
  /**
   * The address as it was when written: a record, and where an `address` message goes. A webhook
   * event keeps only its URL redacted (`redactedWebhookUrl`): the query may hold the endpoint's
   * token, and the outbox is kept and read far longer than the subscription needs it.
   */
  address: string | null;
  template: string;
  locale: 'zh-CN' | 'en';
  payload: Record<string, unknown>;
}

/**
 * Writes a message to the transactional outbox. Call it with the transaction of the change
 * that causes it, so the message exists exactly when the change does.
 */
export async function enqueue(trx: Kysely<DB>, msg: OutboxMessage, at: string): Promise<void> {
  await enqueueMany(trx, [msg], at);
}

/**
 * The in-app "new order" message to the person an order was just dispatched to, one per dispatch
 * (keyed by the order's version after it).
 */
export async function enqueueAssignment(
  trx: Kysely<DB>,
  order: { id: string; number: string; urgency: string; version: number; assignee_id: string },
  at: string,
): Promise<void> {
  // In the language the assignee chose, as every other message to staff.
  const [pref] = await preferencesOf(trx, [order.assignee_id]);
  await enqueue(
    trx,
    {
      idempotencyKey: `dispatch:${order.id}:${order.version}`,
      channel: 'inapp',
      recipientType: 'user',
      recipientId: order.assignee_id,
      address: null,
      template: 'order_assigned',
      locale: pref?.locale === 'en' ? 'en' : 'zh-CN',
      payload: { orderId: order.id, number: order.number, urgency: order.urgency },
    },
    at,
  );
}

/** Several messages in one statement (intake's group commit). */
export async function enqueueMany(trx: Kysely<DB>, msgs: OutboxMessage[], at: string): Promise<void> {
  if (msgs.length === 0) return;
  await insertRows(
    trx,
    'outbox',
    msgs.map((msg) => ({
      id: newId(),
      idempotency_key: msg.idempotencyKey,
      channel: msg.channel,
      recipient_type: msg.recipientType,
      recipient_id: msg.recipientId,
      address: msg.address,
      template: msg.template,
      locale: msg.locale,
      payload_json: JSON.stringify(msg.payload),
      status: 'pending',
      attempts: 0,
      next_attempt_at: at,
      last_error: null,
      created_at: at,
      delivered_at: null,
    })),
    { onConflictDoNothing: 'idempotency_key' },
  );
}

export type OutboxRow = Selectable<OutboxTable>;

/**
 * Claims due messages by moving their next attempt to `leaseUntil`. PostgreSQL locks the rows
 * (`FOR UPDATE SKIP LOCKED`) so nodes take disjoint sets; on SQLite the claim is one UPDATE, the
 * first statement of its transaction, so it holds the single write lock from the start.
 */
export async function claimOutbox(
  db: Kysely<DB>,
  dialect: Dialect,
  f: {
    now: string;
    leaseUntil: string;
    limit: number;
    channels?: readonly string[] | undefined;
    excludeChannels?: readonly string[] | undefined;
  },
): Promise<OutboxRow[]> {
  return db.transaction().execute(async (trx) => {
    let due = trx
      .selectFrom('outbox')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', f.now)
      .orderBy('next_attempt_at')
      .limit(f.limit);
    if (f.channels) due = due.where('channel', 'in', [...f.channels]);
    if (f.excludeChannels?.length) due = due.where('channel', 'not in', [...f.excludeChannels]);
    if (dialect === 'postgres') {
      const rows = await due.selectAll().forUpdate().skipLocked().execute();
      if (rows.length) {
        await trx
          .updateTable('outbox')
          .set({ next_attempt_at: f.leaseUntil })
          .where(
            'id',
            'in',
            rows.map((r) => r.id),
          )
          .execute();
      }
      return rows;
    }
    return trx
      .updateTable('outbox')
      .set({ next_attempt_at: f.leaseUntil })
      .where('id', 'in', due.select('id'))
      .returningAll()
      .execute();
  });
}

/** `payloadJson`, when given, replaces the stored payload (its secrets blanked). */
export async function markDelivered(
  db: Kysely<DB>,
  id: string,
  attempts: number,
  at: string,
  opts: { payloadJson?: string | null } = {},
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      status: 'delivered',
      delivered_at: at,
      attempts,
      last_error: null,
      ...(opts.payloadJson ? { payload_json: opts.payloadJson } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function markAttemptFailed(
  db: Kysely<DB>,
  id: string,
  f: {
    attempts: number;
    error: string;
    nextAttemptAt: string;
    final: boolean;
    /** Replaces the stored payload (its secrets blanked). */
    payloadJson?: string | null;
  },
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      status: f.final ? 'failed' : 'pending',
      attempts: f.attempts,
      last_error: f.error.slice(0, 500),
      next_attempt_at: f.nextAttemptAt,
      ...(f.payloadJson ? { payload_json: f.payloadJson } : {}),
    })
    .where('id', '=', id)
    .execute();
}

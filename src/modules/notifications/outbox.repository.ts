import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';

export interface OutboxMessage {
  /** One message per key, ever: a retried change never sends twice. */
  idempotencyKey: string;
  channel: 'sms' | 'wechat' | 'inapp' | 'webhook';
  recipientType: 'resident' | 'user' | 'address';
  recipientId: string | null;
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
  await trx
    .insertInto('outbox')
    .values({
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
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
}

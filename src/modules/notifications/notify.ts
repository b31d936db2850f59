/**
 * Writing notifications inside the transaction of the change that causes them: to staff (in
 * their language, held for a digest when they chose one), to the resident on the channel they
 * used, and to the community's webhook subscribers.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { enqueue } from './outbox.repository.ts';
import type { OutboxMessage } from './outbox.repository.ts';
import { activeWebhooks, preferencesOf, residentContact } from './notifications.repository.ts';
import { redactedWebhookUrl } from './webhook.url.ts';

export interface StaffMessage {
  template: string;
  payload: Record<string, unknown>;
  /** Unique per cause; the recipient's id is appended. */
  key: string;
  /** Delivered at once even to staff in digest mode. */
  urgent?: boolean;
}

export async function notifyUsers(
  trx: Kysely<DB>,
  userIds: readonly string[],
  msg: StaffMessage,
  at: string,
) {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return;
  const locales = new Map((await preferencesOf(trx, ids)).map((p) => [p.user_id, p.locale]));
  for (const id of ids) {
    await enqueue(
      trx,
      {
        idempotencyKey: `${msg.key}:${id}`,
        channel: 'inapp',
        recipientType: 'user',
        recipientId: id,
        address: null,
        template: msg.template,
        locale: locales.get(id) === 'en' ? 'en' : 'zh-CN',
        payload: msg.urgent ? { ...msg.payload, urgent: true } : msg.payload,
      },
      at,
    );
  }
}

/** What the notifier needs of an order. */
export interface OrderRef {
  id: string;
  number: string;
  channel: string;
  community_id: string;
  reporter_type: string;
  reporter_id: string | null;
  beneficiary_id: string | null;
}

/** The resident an order answers to: the reporting resident, else the beneficiary. */
export function residentOf(order: OrderRef): string | null {
  if (order.reporter_type === 'resident' && order.reporter_id) return order.reporter_id;
  return order.beneficiary_id;
}

const PERSONAL_CHANNELS = new Set(['inapp', 'sms', 'wechat']);

/**
 * A resident hears back on the channel they used: the app inbox for web and mini-program,
 * SMS for the hotline, the window and kiosks; for devices and partner systems their stated
 * preference, else SMS.
 */
export function residentChannel(orderChannel: string, preferred: string | null): OutboxMessage['channel'] {
  if (orderChannel === 'web' || orderChannel === 'miniapp') return 'inapp';
  if (orderChannel === 'hotline' || orderChannel === 'window' || orderChannel === 'kiosk') return 'sms';
  if (preferred && PERSONAL_CHANNELS.has(preferred)) return preferred as OutboxMessage['channel'];
  return 'sms';
}

/** Enqueues a message to the order's resident; returns the channel used, or null when there is no resident. */
export async function notifyResident(
  trx: Kysely<DB>,
  order: OrderRef,
  template: string,
  payload: Record<string, unknown>,
  key: string,
  at: string,
): Promise<string | null> {
  const residentId = residentOf(order);
  if (!residentId) return null;
  const contact = await residentContact(trx, residentId);
  const channel = residentChannel(order.channel, contact?.preferred_channel ?? null);
  await enqueue(
    trx,
    {
      idempotencyKey: key,
      channel,
      recipientType: 'resident',
      recipientId: residentId,
      address: channel === 'sms' ? (contact?.phone ?? null) : null,
      template,
      locale: 'zh-CN',
      payload: { orderId: order.id, number: order.number, ...payload },
    },
    at,
  );
  return channel;
}

/**
 * Enqueues an event for every active webhook subscription of the community that wants it. The
 * message names its subscription; its `address` is the subscription's URL redacted (a record, never
 * where it is sent).
 */
export async function emitWebhookEvent(
  trx: Kysely<DB>,
  communityId: string,
  event: string,
  data: Record<string, unknown>,
  key: string,
  at: string,
  /** The community's active subscriptions, when the caller already has them. */
  known?: Awaited<ReturnType<typeof activeWebhooks>>,
): Promise<number> {
  const subs = (known ?? (await activeWebhooks(trx, communityId))).filter((s) => {
    const events = JSON.parse(s.events_json) as string[];
    return events.includes('*') || events.includes(event);
  });
  for (const s of subs) {
    await enqueue(
      trx,
      {
        idempotencyKey: `webhook:${s.id}:${key}`,
        channel: 'webhook',
        recipientType: 'address',
        recipientId: s.id,
        // Where it goes as people are shown it: the query, where endpoints carry their tokens,
        // stays in the subscription, from which the worker reads the URL when it sends.
        address: redactedWebhookUrl(s.url),
        template: event,
        locale: 'en',
        payload: { ...data, communityId, at },
      },
      at,
    );
  }
  return subs.length;
}

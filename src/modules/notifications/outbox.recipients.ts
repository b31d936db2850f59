/**
 * Whom a queued message goes to, decided when it is sent (pure): a message keeps who it is for,
 * and the address it goes to is read then, so a resident's new phone gets it and an erased one
 * gets nothing, and a webhook event goes to its subscription's URL unless it was removed. What
 * cannot be sent any more is cancelled with its reason, never marked delivered.
 */

/** A message that will not be sent, and why: the outbox marks it `cancelled` with the reason. */
export class NotSentError extends Error {}

export const NOT_SENT = {
  erased: 'the recipient’s personal data was erased',
  noPhone: 'the recipient has no phone number on record now',
  noContact: 'the resident has no emergency contact phone on record now',
  deactivated: 'the recipient’s account is deactivated',
  otherCommunity: 'the recipient no longer serves the community of the order',
  webhookRemoved: 'the webhook subscription was removed before delivery',
} as const;

/** What the outbox knows of a queued message. */
export interface QueuedMessage {
  channel: string;
  recipientType: string;
  recipientId: string | null;
  address: string | null;
  template: string;
  /** The community of the order the message is about, if it is about one. */
  orderCommunityId: string | null;
}

/** What is true of the recipients now, read at send time. */
export interface RecipientFacts {
  residents: ReadonlyMap<
    string,
    { phone: string | null; erased: boolean; emergencyContactPhone: string | null }
  >;
  users: ReadonlyMap<string, { phone: string | null; active: boolean; communityIds: readonly string[] }>;
  /** Webhook subscriptions: the URL as stored (query and all) and whether still subscribed. */
  webhooks: ReadonlyMap<string, { url: string; active: boolean }>;
}

export type Delivery = { send: true; address: string | null } | { send: false; reason: string };

/**
 * Templates whose message belongs to the number it was written for: a one-time code proves that
 * whoever holds that number is signing in, so it goes there (sent to a resident's new number it
 * would prove nothing, as the code signs in only with the number it was asked for), unless the
 * resident was erased.
 */
const ADDRESS_BOUND = new Set(['otp']);

/** The address a queued message goes to now, or why it is not sent. */
export function deliveryOf(m: QueuedMessage, facts: RecipientFacts): Delivery {
  if (m.channel === 'webhook') {
    // The subscription's URL now, query included, not the address the event was written with.
    const sub = m.recipientId ? facts.webhooks.get(m.recipientId) : undefined;
    return sub?.active ? { send: true, address: sub.url } : { send: false, reason: NOT_SENT.webhookRemoved };
  }
  const sms = m.channel === 'sms';
  if (m.recipientType === 'resident' && m.recipientId) {
    const r = facts.residents.get(m.recipientId);
    if (!r || r.erased) return { send: false, reason: NOT_SENT.erased };
    if (!sms || ADDRESS_BOUND.has(m.template)) return { send: true, address: m.address };
    return r.phone ? { send: true, address: r.phone } : { send: false, reason: NOT_SENT.noPhone };
  }
  if (m.recipientType === 'emergency_contact' && m.recipientId) {
    const r = facts.residents.get(m.recipientId);
    if (!r || r.erased) return { send: false, reason: NOT_SENT.erased };
    return r.emergencyContactPhone
      ? { send: true, address: r.emergencyContactPhone }
      : { send: false, reason: NOT_SENT.noContact };
  }
  if (m.recipientType === 'user' && m.recipientId) {
    const u = facts.users.get(m.recipientId);
    if (!u || !u.active) return { send: false, reason: NOT_SENT.deactivated };
    if (m.orderCommunityId !== null && !u.communityIds.includes(m.orderCommunityId))
      return { send: false, reason: NOT_SENT.otherCommunity };
    if (!sms) return { send: true, address: m.address };
    return u.phone ? { send: true, address: u.phone } : { send: false, reason: NOT_SENT.noPhone };
  }
  return { send: true, address: m.address };
}

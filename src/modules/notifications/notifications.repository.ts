import { selectInChunks } from '../../platform/db/in-chunks.ts';
import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from '../../platform/db/database.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { RecipientFacts } from './outbox.recipients.ts';
import type {
  InboxItemTable,
  NotificationPreferenceTable,
  NotificationTables,
  WebhookSubscriptionTable,
} from './notifications.tables.ts';

type Db = Kysely<DB & NotificationTables>;
const t = (db: Kysely<DB>): Db => db.withTables<NotificationTables>();

export type InboxRow = Selectable<InboxItemTable>;
export type PreferenceRow = Selectable<NotificationPreferenceTable>;
export type WebhookRow = Selectable<WebhookSubscriptionTable>;

// ── inbox ───────────────────────────────────────────────────────────────────
/** Stores an in-app message once per outbox key (a redelivery leaves one item). */
export async function insertInboxItem(db: Kysely<DB>, row: InboxItemTable): Promise<void> {
  await t(db)
    .insertInto('inbox_items')
    .values(row)
    .onConflict((oc) => oc.column('message_key').doNothing())
    .execute();
}

/**
 * Marks read a user's unread "new order" items for an order that is no longer theirs; returns how
 * many it marked.
 */
export async function settleAssignmentItems(
  db: Kysely<DB>,
  orderId: string,
  userId: string,
  at: string,
): Promise<number> {
  const r = await t(db)
    .updateTable('inbox_items')
    .set({ read_at: at })
    .where('order_id', '=', orderId)
    .where('recipient_type', '=', 'user')
    .where('recipient_id', '=', userId)
    .where('template', '=', 'order_assigned')
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Statuses that end an order with no work left for its assignee. */
export const CLOSED_WITHOUT_WORK: readonly string[] = [
  'cancelled',
  'duplicate',
  'referred',
  'not_actionable',
];

/** Whether an order is assigned to a user now, with work left for them. */
export async function isAssignedTo(db: Kysely<DB>, orderId: string, userId: string): Promise<boolean> {
  const r = await t(db)
    .selectFrom('work_orders')
    .select('id')
    .where('id', '=', orderId)
    .where('assignee_id', '=', userId)
    .where('status', 'not in', CLOSED_WITHOUT_WORK)
    .executeTakeFirst();
  return r !== undefined;
}

export async function listInbox(
  db: Kysely<DB>,
  who: { type: string; id: string },
  opts: { unreadOnly: boolean; before?: { createdAt: string; id: string } | undefined; limit: number },
): Promise<InboxRow[]> {
  let q = t(db)
    .selectFrom('inbox_items')
    .selectAll()
    .where('recipient_type', '=', who.type)
    .where('recipient_id', '=', who.id);
  if (opts.unreadOnly) q = q.where('read_at', 'is', null);
  const b = opts.before;
  if (b)
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', b.createdAt),
        eb.and([eb('created_at', '=', b.createdAt), eb('id', '<', b.id)]),
      ]),
    );
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
}

export async function countUnread(db: Kysely<DB>, who: { type: string; id: string }): Promise<number> {
  const r = await t(db)
    .selectFrom('inbox_items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('recipient_type', '=', who.type)
    .where('recipient_id', '=', who.id)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function markRead(
  db: Kysely<DB>,
  who: { type: string; id: string },
  ids: string[] | 'all',
  at: string,
): Promise<number> {
  let q = t(db)
    .updateTable('inbox_items')
    .set({ read_at: at })
    .where('recipient_type', '=', who.type)
    .where('recipient_id', '=', who.id)
    .where('read_at', 'is', null);
  if (ids !== 'all') {
    if (ids.length === 0) return 0;
    q = q.where('id', 'in', ids);
  }
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function findInboxItem(db: Kysely<DB>, id: string): Promise<InboxRow | undefined> {
  return t(db).selectFrom('inbox_items').selectAll().where('id', '=', id).executeTakeFirst();
}

// ── preferences ─────────────────────────────────────────────────────────────
export async function preferencesOf(db: Kysely<DB>, userIds: string[]): Promise<PreferenceRow[]> {
  if (userIds.length === 0) return [];
  return t(db).selectFrom('notification_preferences').selectAll().where('user_id', 'in', userIds).execute();
}

export async function upsertPreference(db: Kysely<DB>, row: NotificationPreferenceTable): Promise<void> {
  const { user_id: _u, ...rest } = row;
  await t(db)
    .insertInto('notification_preferences')
    .values(row)
    .onConflict((oc) => oc.column('user_id').doUpdateSet(rest))
    .execute();
}

export async function setLastDigest(db: Kysely<DB>, userId: string, at: string): Promise<void> {
  await t(db)
    .updateTable('notification_preferences')
    .set({ last_digest_at: at })
    .where('user_id', '=', userId)
    .execute();
}

/** Digest users whose interval has passed and who have held messages. */
export async function digestsDue(db: Kysely<DB>, now: string): Promise<PreferenceRow[]> {
  const rows = await t(db)
    .selectFrom('notification_preferences')
    .selectAll()
    .where('mode', '=', 'digest')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('outbox')
          .select('outbox.id')
          .where('outbox.status', '=', 'held')
          .whereRef('outbox.recipient_id', '=', 'notification_preferences.user_id'),
      ),
    )
    .execute();
  const nowMs = Date.parse(now);
  return rows.filter((r) => digestDue(r, nowMs));
}

/** Whether a user in digest mode is due a digest at `nowMs` (their interval has passed). */
export function digestDue(
  r: Pick<PreferenceRow, 'mode' | 'last_digest_at' | 'digest_minutes'>,
  nowMs: number,
): boolean {
  if (r.mode !== 'digest') return false;
  return (
    r.last_digest_at === null || Date.parse(r.last_digest_at) + Number(r.digest_minutes) * 60_000 <= nowMs
  );
}

/**
 * A user's preference read inside the transaction that gathers their digest, locked on
 * PostgreSQL (`FOR UPDATE`): two nodes gathering the same user's digest at once take turns, and
 * the second reads the `last_digest_at` the first wrote. SQLite's single writer already makes
 * them take turns.
 */
export async function lockPreference(
  db: Kysely<DB>,
  dialect: Dialect,
  userId: string,
): Promise<PreferenceRow | undefined> {
  let q = t(db).selectFrom('notification_preferences').selectAll().where('user_id', '=', userId);
  if (dialect === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

// ── outbox helpers for digests ──────────────────────────────────────────────
export async function holdMessages(db: Kysely<DB>, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await t(db).updateTable('outbox').set({ status: 'held' }).where('id', 'in', ids).execute();
}

/**
 * Sends again, one by one, the messages held for a digest of staff no longer in digest mode (all
 * of them, or one user's): no digest gathers those, so held they would never be delivered.
 * Returns how many it released.
 */
export async function releaseHeld(db: Kysely<DB>, at: string, userId?: string): Promise<number> {
  let q = t(db)
    .updateTable('outbox')
    .set({ status: 'pending', next_attempt_at: at })
    .where('status', '=', 'held')
    .where('recipient_type', '=', 'user')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('notification_preferences')
            .select('notification_preferences.user_id')
            .whereRef('notification_preferences.user_id', '=', 'outbox.recipient_id')
            .where('notification_preferences.mode', '=', 'digest'),
        ),
      ),
    );
  if (userId) q = q.where('recipient_id', '=', userId);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function heldFor(db: Kysely<DB>, userId: string) {
  return t(db)
    .selectFrom('outbox')
    .selectAll()
    .where('status', '=', 'held')
    .where('recipient_type', '=', 'user')
    .where('recipient_id', '=', userId)
    .orderBy('created_at')
    .execute();
}

export async function markDigested(db: Kysely<DB>, ids: string[], at: string): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await t(db)
    .updateTable('outbox')
    .set({ status: 'digested', delivered_at: at })
    .where('id', 'in', ids)
    .where('status', '=', 'held')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function outboxById(db: Kysely<DB>, ids: string[]) {
  if (ids.length === 0) return [];
  return t(db).selectFrom('outbox').selectAll().where('id', 'in', ids).execute();
}

// ── webhooks ────────────────────────────────────────────────────────────────
export async function insertWebhook(db: Kysely<DB>, row: WebhookSubscriptionTable): Promise<void> {
  await t(db).insertInto('webhook_subscriptions').values(row).execute();
}

export async function listWebhooks(db: Kysely<DB>, communityIds: string[]): Promise<WebhookRow[]> {
  if (communityIds.length === 0) return [];
  return t(db)
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('community_id', 'in', communityIds)
    .orderBy('created_at')
    .execute();
}

export async function findWebhook(db: Kysely<DB>, id: string): Promise<WebhookRow | undefined> {
  return t(db).selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function deactivateWebhook(db: Kysely<DB>, id: string): Promise<boolean> {
  const r = await t(db)
    .updateTable('webhook_subscriptions')
    .set({ active: 0 })
    .where('id', '=', id)
    .where('active', '=', 1)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function activeWebhooks(db: Kysely<DB>, communityId: string): Promise<WebhookRow[]> {
  return t(db)
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('active', '=', 1)
    .execute();
}

export async function residentContact(db: Kysely<DB>, residentId: string) {
  return t(db)
    .selectFrom('residents')
    .select(['id', 'phone', 'preferred_channel'])
    .where('id', '=', residentId)
    .executeTakeFirst();
}

/** The phone number of a message's recipient, for SMS messages enqueued without an address. */
export async function phoneOf(db: Kysely<DB>, recipientType: string, id: string): Promise<string | null> {
  if (recipientType === 'resident') {
    const r = await t(db).selectFrom('residents').select('phone').where('id', '=', id).executeTakeFirst();
    return r?.phone ?? null;
  }
  if (recipientType === 'user') {
    const u = await t(db).selectFrom('users').select('phone').where('id', '=', id).executeTakeFirst();
    return u?.phone ?? null;
  }
  return null;
}

/**
 * What the outbox needs to know of messages' recipients when it sends them (`deliveryOf`): each
 * resident's phone, emergency contact phone and whether they were erased; each staff member's
 * phone, whether active and the communities they serve now; the community of each order named;
 * each webhook subscription's URL and whether it is still active.
 */
export async function recipientFacts(
  db: Kysely<DB>,
  ids: {
    residents: readonly string[];
    users: readonly string[];
    orders: readonly string[];
    webhooks: readonly string[];
  },
): Promise<RecipientFacts & { orderCommunity: ReadonlyMap<string, string> }> {
  const residents = await selectInChunks([...new Set(ids.residents)], (chunk) =>
    t(db)
      .selectFrom('residents')
      .select(['id', 'phone', 'erased_at', 'emergency_contact_phone'])
      .where('id', 'in', chunk)
      .execute(),
  );
  const userIds = [...new Set(ids.users)];
  const users = await selectInChunks(userIds, (chunk) =>
    t(db).selectFrom('users').select(['id', 'phone', 'active']).where('id', 'in', chunk).execute(),
  );
  const memberships = await selectInChunks(userIds, (chunk) =>
    t(db)
      .selectFrom('user_communities')
      .select(['user_id', 'community_id'])
      .where('user_id', 'in', chunk)
      .execute(),
  );
  const orders = await selectInChunks([...new Set(ids.orders)], (chunk) =>
    t(db).selectFrom('work_orders').select(['id', 'community_id']).where('id', 'in', chunk).execute(),
  );
  const webhooks = await selectInChunks([...new Set(ids.webhooks)], (chunk) =>
    t(db)
      .selectFrom('webhook_subscriptions')
      .select(['id', 'url', 'active'])
      .where('id', 'in', chunk)
      .execute(),
  );
  return {
    residents: new Map(
      residents.map((r) => [
        r.id,
        { phone: r.phone, erased: r.erased_at !== null, emergencyContactPhone: r.emergency_contact_phone },
      ]),
    ),
    users: new Map(
      users.map((u) => [
        u.id,
        {
          phone: u.phone,
          active: u.active === 1,
          communityIds: memberships.filter((m) => m.user_id === u.id).map((m) => m.community_id),
        },
      ]),
    ),
    orderCommunity: new Map(orders.map((o) => [o.id, o.community_id])),
    webhooks: new Map(webhooks.map((w) => [w.id, { url: w.url, active: w.active === 1 }])),
  };
}

/** Of these residents, the ones whose personal data was erased: messages to them are not sent. */
export async function erasedResidents(db: Kysely<DB>, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await selectInChunks([...new Set(ids)], (chunk) =>
    t(db)
      .selectFrom('residents')
      .select('id')
      .where('id', 'in', chunk)
      .where('erased_at', 'is not', null)
      .execute(),
  );
  return new Set(rows.map((r) => r.id));
}

/** Messages that will not be sent, and why; they keep no address. */
export async function cancelMessages(db: Kysely<DB>, ids: readonly string[], why: string): Promise<void> {
  if (ids.length === 0) return;
  await t(db)
    .updateTable('outbox')
    .set({ status: 'cancelled', address: null, last_error: why })
    .where('id', 'in', [...ids])
    .execute();
}

/**
 * The events of a webhook subscription still waiting to go out, cancelled with the reason when
 * the subscription is removed (never marked delivered: nobody received them). Returns how many.
 */
export async function cancelWebhookEvents(
  db: Kysely<DB>,
  subscriptionId: string,
  why: string,
): Promise<number> {
  const r = await t(db)
    .updateTable('outbox')
    .set({ status: 'cancelled', last_error: why })
    .where('channel', '=', 'webhook')
    .where('recipient_id', '=', subscriptionId)
    .where('status', 'in', ['pending', 'held'])
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

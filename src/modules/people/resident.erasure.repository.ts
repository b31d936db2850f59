/**
 * The SQL of erasing a resident's personal data. Erasure reaches into the tables of other modules
 * (orders and their timelines, classifier labels, surveys and return visits, messages, sessions,
 * one-time codes) because a person's data lives there too; each read goes by an index.
 */
import type { Kysely, Selectable } from 'kysely';
import type { DB, WorkOrderTable } from '../../platform/db/schema.ts';
import type { FeedbackTables } from '../feedback/feedback.tables.ts';
import type { NotificationTables } from '../notifications/notifications.tables.ts';
import { selectInChunks } from '../../platform/db/in-chunks.ts';

type Db = Kysely<DB & FeedbackTables & NotificationTables>;
const t = (db: Kysely<DB>): Db => db.withTables<FeedbackTables & NotificationTables>();

/** Every status an outbox message can have: the recipient index leads with it. */
const OUTBOX_STATUSES = ['pending', 'held', 'delivered', 'failed', 'cancelled'];

/**
 * Ids of the orders that are the resident's: filed by them or for them (indexed), or, in their
 * community, with their phone as the reporter's (an agent typed it on a call).
 */
export async function orderIdsOf(
  db: Kysely<DB>,
  r: { id: string; community_id: string; phone: string | null },
): Promise<string[]> {
  const ids = new Set<string>();
  for (const row of await db
    .selectFrom('work_orders')
    .select('id')
    .where('beneficiary_id', '=', r.id)
    .execute())
    ids.add(row.id);
  for (const row of await db.selectFrom('work_orders').select('id').where('reporter_id', '=', r.id).execute())
    ids.add(row.id);
  if (r.phone)
    for (const row of await db
      .selectFrom('work_orders')
      .select('id')
      .where('community_id', '=', r.community_id)
      .where('reporter_phone', '=', r.phone)
      .execute())
      ids.add(row.id);
  return [...ids].sort();
}

/** Ids of the orders of a household (its members act on them too). */
export async function householdOrderIds(db: Kysely<DB>, householdId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('work_orders')
    .select('id')
    .where('household_id', '=', householdId)
    .execute();
  return rows.map((r) => r.id);
}

export type ErasableOrder = Pick<
  Selectable<WorkOrderTable>,
  | 'id'
  | 'community_id'
  | 'version'
  | 'description'
  | 'reporter_type'
  | 'reporter_id'
  | 'reporter_name'
  | 'reporter_phone'
  | 'resolution_note'
  | 'rating_comment'
  | 'closure_reason'
  | 'referred_to'
  | 'attributes_json'
>;

export async function ordersByIds(db: Kysely<DB>, ids: readonly string[]): Promise<ErasableOrder[]> {
  return selectInChunks(ids, (chunk) =>
    db
      .selectFrom('work_orders')
      .select([
        'id',
        'community_id',
        'version',
        'description',
        'reporter_type',
        'reporter_id',
        'reporter_name',
        'reporter_phone',
        'resolution_note',
        'rating_comment',
        'closure_reason',
        'referred_to',
        'attributes_json',
      ])
      .where('id', 'in', chunk)
      .orderBy('id')
      .execute(),
  );
}

export async function updateOrder(
  db: Kysely<DB>,
  id: string,
  version: number,
  set: Partial<Selectable<WorkOrderTable>>,
): Promise<boolean> {
  const r = await db
    .updateTable('work_orders')
    .set({ ...set, version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Timeline events of these orders: all of them for the resident's own, theirs for the others. */
export async function eventsOf(db: Kysely<DB>, orderIds: readonly string[]) {
  return selectInChunks(orderIds, (chunk) =>
    db
      .selectFrom('work_order_events')
      .select(['id', 'work_order_id', 'actor_type', 'actor_id', 'actor_name', 'note'])
      .where('work_order_id', 'in', chunk)
      .execute(),
  );
}

export async function updateEvent(
  db: Kysely<DB>,
  id: string,
  set: { actor_name?: string | null; note?: string | null },
) {
  await db.updateTable('work_order_events').set(set).where('id', '=', id).execute();
}

/** Classifier labels keep an order's text to train on. */
export async function labelsOf(db: Kysely<DB>, orderIds: readonly string[]) {
  return selectInChunks(orderIds, (chunk) =>
    db
      .selectFrom('classification_labels')
      .select(['id', 'text'])
      .where('work_order_id', 'in', chunk)
      .execute(),
  );
}

export async function setLabelText(db: Kysely<DB>, id: string, text: string) {
  await db.updateTable('classification_labels').set({ text }).where('id', '=', id).execute();
}

/** Surveys the resident answered (by their id) and return visits of their orders, with their words. */
export async function feedbackOf(db: Kysely<DB>, residentId: string, orderIds: readonly string[]) {
  const surveys = await t(db)
    .selectFrom('satisfaction_surveys')
    .select(['id', 'comment'])
    .where('resident_id', '=', residentId)
    .execute();
  const visits = await selectInChunks(orderIds, (chunk) =>
    t(db)
      .selectFrom('return_visits')
      .select(['id', 'note', 'outcome'])
      .where('work_order_id', 'in', chunk)
      .execute(),
  );
  return { surveys, visits };
}

export async function setSurveyComment(db: Kysely<DB>, id: string, comment: string | null) {
  await t(db).updateTable('satisfaction_surveys').set({ comment }).where('id', '=', id).execute();
}

export async function setVisitText(
  db: Kysely<DB>,
  id: string,
  set: { note: string | null; outcome: string | null },
) {
  await t(db).updateTable('return_visits').set(set).where('id', '=', id).execute();
}

/**
 * The resident's messages: those not yet sent are cancelled, and no message keeps the address it
 * was (or would have been) sent to; their in-app inbox goes. Returns how many were cancelled and
 * how many inbox items went.
 */
export async function dropMessages(
  db: Kysely<DB>,
  residentId: string,
): Promise<{ cancelled: number; inbox: number }> {
  const cancelled = await t(db)
    .updateTable('outbox')
    .set({ status: 'cancelled', address: null, last_error: 'the recipient’s personal data was erased' })
    .where('status', 'in', ['pending', 'held'])
    .where('recipient_id', '=', residentId)
    .where('recipient_type', '=', 'resident')
    .executeTakeFirst();
  await t(db)
    .updateTable('outbox')
    .set({ address: null })
    .where('status', 'in', OUTBOX_STATUSES)
    .where('recipient_id', '=', residentId)
    .where('recipient_type', '=', 'resident')
    .where('address', 'is not', null)
    .execute();
  const inbox = await t(db)
    .deleteFrom('inbox_items')
    .where('recipient_type', '=', 'resident')
    .where('recipient_id', '=', residentId)
    .executeTakeFirst();
  return { cancelled: Number(cancelled.numUpdatedRows), inbox: Number(inbox.numDeletedRows) };
}

/** Signs the resident out everywhere and drops one-time codes sent to their phone. */
export async function endSessions(db: Kysely<DB>, residentId: string, phone: string | null): Promise<number> {
  const r = await db
    .deleteFrom('sessions')
    .where('subject_type', '=', 'resident')
    .where('subject_id', '=', residentId)
    .executeTakeFirst();
  if (phone) await db.deleteFrom('otp_codes').where('phone', '=', phone).execute();
  return Number(r.numDeletedRows);
}

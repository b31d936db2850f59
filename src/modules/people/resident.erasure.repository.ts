/**
 * The SQL of erasing a resident's personal data. Erasure reaches into the tables of other modules
 * (orders and their timelines, classifier labels, surveys and return visits, messages, sessions,
 * one-time codes, the time bank's records and memos) because a person's data lives there too; each read goes by an index.
 */
import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { DB, WorkOrderTable } from '../../platform/db/schema.ts';
import type { FeedbackTables } from '../feedback/feedback.tables.ts';
import type { NotificationTables } from '../notifications/notifications.tables.ts';
import type { TimeBankTables } from '../time-bank/time-bank.tables.ts';
import { selectInChunks } from '../../platform/db/in-chunks.ts';

type Db = Kysely<DB & FeedbackTables & NotificationTables>;
/** The columns of other modules' tables that staff write about an order. */
type StaffTextTables = {
  dispatch_assignments: {
    id: string;
    work_order_id: string;
    reason: string | null;
    response_note: string | null;
  };
  sla_supervisions: { id: string; work_order_id: string; reason: string; response: string | null };
};
const t = (db: Kysely<DB>): Db => db.withTables<FeedbackTables & NotificationTables>();

/** Every status an outbox message can have: the recipient index leads with it. */
export const OUTBOX_STATUSES = ['pending', 'held', 'delivered', 'failed', 'cancelled'];

/** Ids of the orders filed by or for the resident (both indexed). */
export async function ownOrderIds(db: Kysely<DB>, residentId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('work_orders')
    .select('id')
    .where((eb) => eb.or([eb('beneficiary_id', '=', residentId), eb('reporter_id', '=', residentId)]))
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Ids of the community's orders whose reporter's phone is this one however it was typed
 * (138-0000-0001, +86 138 0000 0001): a call an agent took from the resident. A scan of the
 * community's orders, read before the erasure's transaction.
 */
export async function orderIdsByReporterPhone(
  db: Kysely<DB>,
  communityId: string,
  phone: string,
): Promise<string[]> {
  const digits = phone.replace(/\D/g, '').replace(/^86(?=1\d{10}$)/, '');
  if (digits.length < 7) return [];
  const rows = await db
    .selectFrom('work_orders')
    .select('id')
    .where('community_id', '=', communityId)
    .where('reporter_phone', 'is not', null)
    .where(
      sql<string>`replace(replace(replace(replace(reporter_phone, '-', ''), ' ', ''), '+86', ''), '.', '')`,
      '=',
      digits,
    )
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Messages about these orders (their payload names one) or sent to one of these addresses: ids
 * only, read before the erasure's transaction (the outbox has no order column: a scan).
 */
export async function messageIdsAbout(
  db: Kysely<DB>,
  orderIds: readonly string[],
  addresses: readonly string[],
): Promise<string[]> {
  const ids = new Set<string>();
  for (let i = 0; i < orderIds.length; i += 50) {
    const chunk = orderIds.slice(i, i + 50);
    const rows = await t(db)
      .selectFrom('outbox')
      .select('id')
      .where((eb) => eb.or(chunk.map((id) => eb('payload_json', 'like', `%${id}%`))))
      .execute();
    for (const r of rows) ids.add(r.id);
  }
  if (addresses.length)
    for (const r of await t(db)
      .selectFrom('outbox')
      .select('id')
      .where('address', 'in', [...addresses])
      .execute())
      ids.add(r.id);
  return [...ids];
}

export async function messagesByIds(db: Kysely<DB>, ids: readonly string[]) {
  return selectInChunks(ids, (chunk) =>
    t(db)
      .selectFrom('outbox')
      .select(['id', 'status', 'recipient_type', 'recipient_id', 'address', 'payload_json'])
      .where('id', 'in', chunk)
      .execute(),
  );
}

export async function updateMessage(
  db: Kysely<DB>,
  id: string,
  set: { status?: string; address?: null; payload_json?: string; last_error?: string },
) {
  await t(db).updateTable('outbox').set(set).where('id', '=', id).execute();
}

/** Inbox items (staff's too) about these orders: ids, read before the transaction (a scan). */
export async function inboxIdsAbout(db: Kysely<DB>, orderIds: readonly string[]): Promise<string[]> {
  const rows = await selectInChunks(orderIds, (chunk) =>
    t(db).selectFrom('inbox_items').select('id').where('order_id', 'in', chunk).execute(),
  );
  return rows.map((r) => r.id);
}

export async function inboxByIds(db: Kysely<DB>, ids: readonly string[]) {
  return selectInChunks(ids, (chunk) =>
    t(db)
      .selectFrom('inbox_items')
      .select(['id', 'title', 'body', 'payload_json'])
      .where('id', 'in', chunk)
      .execute(),
  );
}

export async function updateInboxItem(
  db: Kysely<DB>,
  id: string,
  set: { title: string; body: string; payload_json: string },
) {
  await t(db).updateTable('inbox_items').set(set).where('id', '=', id).execute();
}

/** Dispatch answers (a rejection's reason) and supervision (督办) texts of these orders. */
export async function staffTextsOf(db: Kysely<DB>, orderIds: readonly string[]) {
  const x = db.withTables<StaffTextTables>();
  const assignments = await selectInChunks(orderIds, (chunk) =>
    x
      .selectFrom('dispatch_assignments')
      .select(['id', 'response_note', 'reason'])
      .where('work_order_id', 'in', chunk)
      .execute(),
  );
  const supervisions = await selectInChunks(orderIds, (chunk) =>
    x
      .selectFrom('sla_supervisions')
      .select(['id', 'reason', 'response'])
      .where('work_order_id', 'in', chunk)
      .execute(),
  );
  return { assignments, supervisions };
}

export async function setAssignmentText(
  db: Kysely<DB>,
  id: string,
  set: { response_note: string | null; reason: string | null },
) {
  await db
    .withTables<StaffTextTables>()
    .updateTable('dispatch_assignments')
    .set(set)
    .where('id', '=', id)
    .execute();
}

export async function setSupervisionText(
  db: Kysely<DB>,
  id: string,
  set: { reason: string; response: string | null },
) {
  await db
    .withTables<StaffTextTables>()
    .updateTable('sla_supervisions')
    .set(set)
    .where('id', '=', id)
    .execute();
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
  // What the search index reads, to index the anonymised text.
  | 'number'
  | 'address'
  | 'address_folded'
  | 'search_text'
  | 'description_folded'
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
        'number',
        'address',
        'address_folded',
        'search_text',
        'description_folded',
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
      .select(['id', 'work_order_id', 'actor_type', 'actor_id', 'actor_name', 'note', 'data_json'])
      .where('work_order_id', 'in', chunk)
      .execute(),
  );
}

export async function updateEvent(
  db: Kysely<DB>,
  id: string,
  set: { actor_name?: string | null; note?: string | null; data_json?: string },
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

/** The names the resident had before a rename: blanked from their text, they go too. */
export async function dropFormerNames(db: Kysely<DB>, residentId: string): Promise<void> {
  await db.deleteFrom('resident_former_names').where('resident_id', '=', residentId).execute();
}

const tb = (db: Kysely<DB>) => db.withTables<TimeBankTables>();

/**
 * The time bank's words about the resident: the service records they gave or received (the
 * description, a rejection's reason) and the memos of the transactions of their account and of
 * those records.
 */
export async function timeBankTextsOf(db: Kysely<DB>, residentId: string) {
  const records = await tb(db)
    .selectFrom('time_service_records')
    .select(['id', 'description', 'reject_reason'])
    .where((eb) => eb.or([eb('volunteer_id', '=', residentId), eb('beneficiary_id', '=', residentId)]))
    .execute();
  const transactions = await tb(db)
    .selectFrom('time_transactions as x')
    .innerJoin('time_postings as p', 'p.transaction_id', 'x.id')
    .innerJoin('time_accounts as a', 'a.id', 'p.account_id')
    .select(['x.id', 'x.memo'])
    .where('a.resident_id', '=', residentId)
    .execute();
  // An earn's memo is its record's description, whoever's account it credited.
  const earned = await selectInChunks(
    records.map((r) => r.id),
    (chunk) =>
      tb(db).selectFrom('time_transactions').select(['id', 'memo']).where('record_id', 'in', chunk).execute(),
  );
  const seen = new Set(transactions.map((x) => x.id));
  return { records, transactions: [...transactions, ...earned.filter((x) => !seen.has(x.id))] };
}

export async function setServiceRecordText(
  db: Kysely<DB>,
  id: string,
  set: { description: string; reject_reason: string | null },
) {
  await tb(db).updateTable('time_service_records').set(set).where('id', '=', id).execute();
}

export async function setTransactionMemo(db: Kysely<DB>, id: string, memo: string) {
  await tb(db).updateTable('time_transactions').set({ memo }).where('id', '=', id).execute();
}

/**
 * The kept answers of transfers and redemptions of these transactions (a retry's copy, with the
 * memo and the other resident's masked name) go: their retries are long over or answered afresh.
 */
export async function dropTimeBankAnswers(db: Kysely<DB>, transactionIds: readonly string[]): Promise<void> {
  for (const id of transactionIds)
    await tb(db).deleteFrom('time_request_keys').where('response_json', 'like', `%${id}%`).execute();
}

/**
 * The SQL of a resident's copy of their personal data (个人信息副本). Like erasure, it reads the
 * tables of other modules (orders and their timelines, surveys, messages, the in-app inbox,
 * sessions, the time bank, proposals and votes) because a person's data lives there too; each read goes by an index.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { FeedbackTables } from '../feedback/feedback.tables.ts';
import type { NotificationTables } from '../notifications/notifications.tables.ts';
import type { ProposalTables } from '../proposals/proposal.tables.ts';
import type { TimeBankTables } from '../time-bank/time-bank.tables.ts';
import { selectInChunks } from '../../platform/db/in-chunks.ts';
import { OUTBOX_STATUSES } from './resident.erasure.repository.ts';

const t = (db: Kysely<DB>) => db.withTables<FeedbackTables & NotificationTables>();

/** The orders filed by or for the resident, oldest first (both columns indexed). */
export async function ownOrders(db: Kysely<DB>, residentId: string) {
  return db
    .selectFrom('work_orders')
    .selectAll()
    .where((eb) => eb.or([eb('beneficiary_id', '=', residentId), eb('reporter_id', '=', residentId)]))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The timeline events of these orders, in the order each timeline is read. */
export async function eventsOfOrders(db: Kysely<DB>, orderIds: readonly string[]) {
  return selectInChunks(orderIds, (chunk) =>
    db
      .selectFrom('work_order_events')
      .selectAll()
      .where('work_order_id', 'in', chunk)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
  );
}

/** The satisfaction surveys sent to the resident, and their answers. */
export async function surveysOf(db: Kysely<DB>, residentId: string) {
  return t(db)
    .selectFrom('satisfaction_surveys')
    .select(['work_order_id', 'channel', 'sent_at', 'answered_at', 'score', 'comment'])
    .where('resident_id', '=', residentId)
    .orderBy('sent_at')
    .execute();
}

/** The messages addressed to the resident (SMS, WeChat, in-app), whatever became of them. */
export async function messagesTo(db: Kysely<DB>, residentId: string) {
  return t(db)
    .selectFrom('outbox')
    .select(['channel', 'address', 'template', 'payload_json', 'status', 'created_at', 'delivered_at'])
    .where('status', 'in', OUTBOX_STATUSES)
    .where('recipient_id', '=', residentId)
    .where('recipient_type', '=', 'resident')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The resident's in-app inbox. */
export async function inboxOf(db: Kysely<DB>, residentId: string) {
  return t(db)
    .selectFrom('inbox_items')
    .select(['title', 'body', 'order_id', 'created_at', 'read_at'])
    .where('recipient_type', '=', 'resident')
    .where('recipient_id', '=', residentId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** When the resident's sessions began and end (never their tokens). */
export async function sessionsOf(db: Kysely<DB>, residentId: string) {
  return db
    .selectFrom('sessions')
    .select(['created_at', 'expires_at'])
    .where('subject_type', '=', 'resident')
    .where('subject_id', '=', residentId)
    .orderBy('created_at')
    .execute();
}

/** The address of a household, and nothing else of it. */
export async function householdAddress(db: Kysely<DB>, householdId: string): Promise<string | null> {
  const row = await db
    .selectFrom('households')
    .select('address')
    .where('id', '=', householdId)
    .executeTakeFirst();
  return row?.address ?? null;
}

const tb = (db: Kysely<DB>) => db.withTables<TimeBankTables & ProposalTables>();

/** The service records the resident gave or received in the time bank, oldest first. */
export async function timeRecordsOf(db: Kysely<DB>, residentId: string) {
  return tb(db)
    .selectFrom('time_service_records')
    .selectAll()
    .where((eb) => eb.or([eb('volunteer_id', '=', residentId), eb('beneficiary_id', '=', residentId)]))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The proposals the resident filed (or an agent filed for them), oldest first. */
export async function proposalsBy(db: Kysely<DB>, residentId: string) {
  return tb(db)
    .selectFrom('proposals')
    .selectAll()
    .where('author_id', '=', residentId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The votes the resident holds (a withdrawn vote is gone), with the proposal's title, oldest first. */
export async function votesBy(db: Kysely<DB>, residentId: string) {
  return tb(db)
    .selectFrom('proposal_votes as v')
    .innerJoin('proposals as p', 'p.id', 'v.proposal_id')
    .select(['v.proposal_id', 'p.title', 'p.status', 'v.created_at'])
    .where('v.resident_id', '=', residentId)
    .orderBy('v.created_at')
    .orderBy('v.proposal_id')
    .execute();
}

import type { Kysely, Selectable } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { FeedbackTables, ReturnVisitTable, SatisfactionSurveyTable } from './feedback.tables.ts';

type Db = Kysely<DB & FeedbackTables>;
const t = (db: Kysely<DB>): Db => db.withTables<FeedbackTables>();

export type ReturnVisitRow = Selectable<ReturnVisitTable>;
export type SurveyRow = Selectable<SatisfactionSurveyTable>;

export async function insertReturnVisit(db: Kysely<DB>, row: ReturnVisitTable): Promise<void> {
  await t(db).insertInto('return_visits').values(row).execute();
}

export async function findReturnVisit(db: Kysely<DB>, id: string): Promise<ReturnVisitRow | undefined> {
  return t(db).selectFrom('return_visits').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listReturnVisits(
  db: Kysely<DB>,
  f: { communityIds: string[]; status?: string | undefined; orderId?: string | undefined; limit: number },
): Promise<ReturnVisitRow[]> {
  let q = t(db).selectFrom('return_visits').selectAll().where('community_id', 'in', f.communityIds);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.orderId) q = q.where('work_order_id', '=', f.orderId);
  return q.orderBy('due_at').orderBy('id').limit(f.limit).execute();
}

export async function completeReturnVisit(
  db: Kysely<DB>,
  id: string,
  patch: Pick<ReturnVisitTable, 'outcome' | 'satisfaction' | 'note' | 'completed_at' | 'completed_by'>,
): Promise<boolean> {
  const r = await t(db)
    .updateTable('return_visits')
    .set({ ...patch, status: 'done' })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Inserts a survey once per order; false when the order already has one. */
export async function insertSurvey(db: Kysely<DB>, row: SatisfactionSurveyTable): Promise<boolean> {
  const r = await t(db)
    .insertInto('satisfaction_surveys')
    .values(row)
    .onConflict((oc) => oc.column('work_order_id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function findSurvey(db: Kysely<DB>, id: string): Promise<SurveyRow | undefined> {
  return t(db).selectFrom('satisfaction_surveys').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function surveysOf(
  db: Kysely<DB>,
  residentId: string,
  pendingOnly: boolean,
): Promise<SurveyRow[]> {
  let q = t(db).selectFrom('satisfaction_surveys').selectAll().where('resident_id', '=', residentId);
  if (pendingOnly) q = q.where('answered_at', 'is', null);
  return q.orderBy('sent_at', 'desc').limit(100).execute();
}

export async function answerSurvey(
  db: Kysely<DB>,
  id: string,
  a: { score: number; comment: string | null; at: string },
): Promise<boolean> {
  const r = await t(db)
    .updateTable('satisfaction_surveys')
    .set({ score: a.score, comment: a.comment, answered_at: a.at })
    .where('id', '=', id)
    .where('answered_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Satisfaction per community over answered surveys. */
export async function surveyStats(db: Kysely<DB>, communityIds: string[]) {
  return t(db)
    .selectFrom('satisfaction_surveys')
    .select((eb) => [
      'community_id',
      eb.fn.countAll<number>().as('sent'),
      eb.fn.count<number>('answered_at').as('answered'),
      eb.fn.avg<number>('score').as('avg_score'),
    ])
    .where('community_id', 'in', communityIds)
    .groupBy('community_id')
    .execute();
}

export async function setSurveyChannel(db: Kysely<DB>, id: string, channel: string): Promise<void> {
  await t(db).updateTable('satisfaction_surveys').set({ channel }).where('id', '=', id).execute();
}

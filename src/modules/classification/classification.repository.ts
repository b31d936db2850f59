import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from '../../platform/db/database.ts';
import type { DB, ClassifierModelTable, ClassificationLabelTable } from '../../platform/db/schema.ts';

export type ModelRow = Selectable<ClassifierModelTable>;
export type LabelRow = Selectable<ClassificationLabelTable>;

/**
 * The version of the row that stands for the shipped default model in a community's models. It
 * holds no model of its own; returning to the default activates it like any other, so that the
 * switch is kept (its `activated_at`) and a rollback can undo it. Made on first use.
 */
export const DEFAULT_VERSION = 0;

/**
 * The community's active model of its own; none when the shipped default is in force. A unique
 * index allows one active row; the order only matters for a database not yet migrated, where it
 * takes the one activated last, as the migration keeps.
 */
export async function activeModel(db: Kysely<DB>, communityId: string): Promise<ModelRow | undefined> {
  return db
    .selectFrom('classifier_models')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('status', '=', 'active')
    .where('version', '!=', DEFAULT_VERSION)
    .orderBy('activated_at', 'desc')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Makes the caller's transaction the only one changing the community's models until it ends, so
 * that what it reads (the active model, the next version) is still true when it writes.
 * PostgreSQL: a transaction-scoped advisory lock per community; under READ COMMITTED two switches
 * at once each retired the model they had seen and activated their own. SQLite: a first write
 * takes the database's one write lock now, rather than after the reads (another process, the
 * CLI, may be writing too).
 */
export async function lockModels(trx: Kysely<DB>, dialect: Dialect, communityId: string): Promise<void> {
  if (dialect === 'postgres') {
    await sql`select pg_advisory_xact_lock(hashtext(${`classifier_models:${communityId}`}))`.execute(trx);
    return;
  }
  await trx
    .updateTable('classifier_models')
    .set({ status: 'active' })
    .where('community_id', '=', communityId)
    .where('status', '=', 'active')
    .execute();
}

export async function listModels(db: Kysely<DB>, communityId: string) {
  return db
    .selectFrom('classifier_models')
    .select([
      'id',
      'community_id',
      'version',
      'taxonomy_id',
      'status',
      'metrics_json',
      'created_at',
      'activated_at',
    ])
    .where('community_id', '=', communityId)
    .orderBy('version', 'desc')
    .execute();
}

export async function findModel(db: Kysely<DB>, id: string): Promise<ModelRow | undefined> {
  return db.selectFrom('classifier_models').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function nextModelVersion(db: Kysely<DB>, communityId: string): Promise<number> {
  const row = await db
    .selectFrom('classifier_models')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('community_id', '=', communityId)
    .executeTakeFirst();
  return Number(row?.v ?? 0) + 1;
}

export async function insertModel(db: Kysely<DB>, row: ModelRow): Promise<void> {
  await db.insertInto('classifier_models').values(row).execute();
}

export async function retireActive(db: Kysely<DB>, communityId: string): Promise<void> {
  await db
    .updateTable('classifier_models')
    .set({ status: 'retired' })
    .where('community_id', '=', communityId)
    .where('status', '=', 'active')
    .execute();
}

/**
 * Makes one model the community's active one; the one it replaces is kept, retired, for rollback.
 * Call it holding `lockModels`. Its activation time is later than every earlier activation of the
 * community, even within one millisecond or with another node's clock ahead, so that the order of
 * `activated_at` is the order of activations (rollback goes by it). Returns that time.
 */
export async function setActive(
  db: Kysely<DB>,
  communityId: string,
  id: string,
  now: string,
): Promise<string> {
  const at = laterThan(now, await lastActivation(db, communityId));
  await retireActive(db, communityId);
  await db
    .updateTable('classifier_models')
    .set({ status: 'active', activated_at: at })
    .where('id', '=', id)
    .execute();
  return at;
}

/**
 * Makes the shipped default the community's active model, through its row (`DEFAULT_VERSION`),
 * inserted as `newRowId` if the community has none yet. Call it holding `lockModels`.
 */
export async function activateDefault(
  db: Kysely<DB>,
  communityId: string,
  newRowId: string,
  now: string,
): Promise<string> {
  return setActive(db, communityId, await defaultRowId(db, communityId, newRowId, now), now);
}

/**
 * Before releases that keep a row for the default, a return to it retired the active model and
 * left no trace: a community with no active row whose models were once active has been on the
 * default since then. This records that return, just after the last activation (the earliest it
 * can have been), so that the next switch can be rolled back to the default. Call it holding
 * `lockModels`, before reading what is in force.
 */
export async function recordUntracedDefault(db: Kysely<DB>, communityId: string, newRowId: string) {
  const active = await db
    .selectFrom('classifier_models')
    .select('id')
    .where('community_id', '=', communityId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (active) return;
  const last = await lastActivation(db, communityId);
  if (last === null) return;
  const at = laterThan(last, last);
  await db
    .updateTable('classifier_models')
    .set({ status: 'active', activated_at: at })
    .where('id', '=', await defaultRowId(db, communityId, newRowId, at))
    .execute();
}

async function defaultRowId(
  db: Kysely<DB>,
  communityId: string,
  newRowId: string,
  now: string,
): Promise<string> {
  const row = await db
    .selectFrom('classifier_models')
    .select('id')
    .where('community_id', '=', communityId)
    .where('version', '=', DEFAULT_VERSION)
    .executeTakeFirst();
  if (row) return row.id;
  await insertModel(db, {
    id: newRowId,
    community_id: communityId,
    version: DEFAULT_VERSION,
    taxonomy_id: 'default',
    status: 'retired',
    metrics_json: '{}',
    model_json: '',
    created_at: now,
    activated_at: null,
  });
  return newRowId;
}

async function lastActivation(db: Kysely<DB>, communityId: string): Promise<string | null> {
  const row = await db
    .selectFrom('classifier_models')
    .select((eb) => eb.fn.max('activated_at').as('at'))
    .where('community_id', '=', communityId)
    .executeTakeFirst();
  return row?.at ?? null;
}

const laterThan = (now: string, last: string | null): string =>
  last === null || now > last ? now : new Date(Date.parse(last) + 1).toISOString();

export async function insertLabel(db: Kysely<DB>, row: LabelRow): Promise<void> {
  await db.insertInto('classification_labels').values(row).execute();
}

/**
 * A community's labelled history: every order's final category and urgency, where a person's
 * correction, when there is one, is the label (the latest correction wins).
 */
export async function trainingRows(db: Kysely<DB>, communityId: string, limit: number) {
  const orders = await db
    .selectFrom('work_orders')
    .select(['id', 'description', 'category', 'subcategory', 'urgency', 'needs_triage'])
    .where('community_id', '=', communityId)
    .where('status', 'not in', ['cancelled', 'duplicate'])
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  const labels = await db
    .selectFrom('classification_labels')
    .select(['work_order_id', 'category', 'subcategory', 'urgency', 'created_at'])
    .where('community_id', '=', communityId)
    .orderBy('created_at')
    .execute();
  const corrected = new Map(labels.map((l) => [l.work_order_id, l]));
  return orders
    .filter((o) => o.needs_triage === 0 || corrected.has(o.id))
    .map((o) => {
      const l = corrected.get(o.id);
      return {
        id: o.id,
        text: o.description,
        category: l?.category ?? o.category,
        subcategory: l ? l.subcategory : o.subcategory,
        urgency: l?.urgency ?? o.urgency,
        corrected: !!l,
      };
    });
}

export async function triageOrders(db: Kysely<DB>, communityIds: string[], limit: number) {
  if (communityIds.length === 0) return [];
  return db
    .selectFrom('work_orders')
    .selectAll()
    .where('community_id', 'in', communityIds)
    .where('needs_triage', '=', 1)
    .where('status', 'in', ['submitted', 'accepted'])
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

export async function openOrdersNear(db: Kysely<DB>, communityId: string, since: string, excludeId: string) {
  return db
    .selectFrom('work_orders')
    .select([
      'id',
      'number',
      'description',
      'lat',
      'lng',
      'created_at',
      'status',
      'category',
      // What the read policy needs: suggestions name only orders the viewer may read.
      'community_id',
      'grid_id',
      'resume_status',
      'assignee_id',
      'reporter_type',
      'reporter_id',
      'beneficiary_id',
      'household_id',
    ])
    .where('community_id', '=', communityId)
    .where('status', 'in', ['submitted', 'accepted', 'dispatched', 'in_progress', 'waiting_on_resident'])
    .where('created_at', '>=', since)
    .where('id', '!=', excludeId)
    .orderBy('created_at', 'desc')
    .limit(500)
    .execute();
}

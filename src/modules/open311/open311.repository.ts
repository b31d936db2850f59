import { SqliteAdapter, sql } from 'kysely';
import type { Generated, Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { DEFAULT_QUESTIONS } from './open311.defaults.ts';
import { CLOSED_STATUSES } from './open311.query.ts';

/** Tables this module adds (migration 2026112110_open311). */
export interface Open311ServiceTable {
  category_code: string;
  exposed: Generated<number>;
  service_type: Generated<string>;
  address_precision: Generated<string>;
  keywords_zh: Generated<string>;
  keywords_en: Generated<string>;
  description_zh: string | null;
  description_en: string | null;
}

export interface Open311ServicePatch {
  exposed?: number;
  service_type?: 'realtime' | 'batch';
  address_precision?: string;
  keywords_zh?: string;
  keywords_en?: string;
  description_zh?: string | null;
  description_en?: string | null;
}

export interface Open311TokenTable {
  token: string;
  community_id: string;
  work_order_id: string | null;
  api_key_id: string;
  created_at: string;
}

/** The one column of the SLA module's per-order metrics this module reads. */
interface SlaDueTable {
  work_order_id: string;
  resolution_due_at: string | null;
}

// A type alias, not an interface: Kysely's `withTables` needs an indexable record type.
type Open311Tables = {
  open311_services: Open311ServiceTable;
  open311_tokens: Open311TokenTable;
  sla_order_metrics: SlaDueTable;
};

type Db = Kysely<DB & Open311Tables>;
const withOpen311 = (db: Kysely<DB>): Db => db.withTables<Open311Tables>();

/** The columns a public listing reads: never the reporter's phone, never the classification internals. */
const REQUEST_COLUMNS = [
  'id',
  'number',
  'community_id',
  'channel',
  'status',
  'category',
  'subcategory',
  'urgency',
  'description',
  'address',
  'lat',
  'lng',
  'reporter_name',
  'reporter_phone',
  'beneficiary_id',
  'assignee_id',
  'resolution_note',
  'closure_reason',
  'referred_to',
  'attributes_json',
  'created_at',
  'updated_at',
  'resolved_at',
  'closed_at',
] as const;

export interface RequestRow {
  id: string;
  number: string;
  community_id: string;
  channel: string;
  status: string;
  category: string;
  subcategory: string | null;
  urgency: string;
  description: string;
  address: string | null;
  lat: number | null;
  lng: number | null;
  reporter_name: string | null;
  reporter_phone: string | null;
  beneficiary_id: string | null;
  assignee_id: string | null;
  resolution_note: string | null;
  closure_reason: string | null;
  referred_to: string | null;
  attributes_json: string | null;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  closed_at: string | null;
}

/**
 * The instant GeoReport's `updated_datetime` shows: when the request was last modified, and for
 * a closed one (every status the standard calls closed) when it was closed. Staff may still write
 * a closed order (a classification confirmed, a merge's bookkeeping), which moves `updated_at` but
 * nothing the public sees. `publicUpdatedSql` is the same rule in SQL, so the
 * `updated_after`/`updated_before` filters find a request exactly where its answer shows it.
 */
export function publicUpdatedAt(o: Pick<RequestRow, 'status' | 'updated_at' | 'resolved_at' | 'closed_at'>) {
  if (!CLOSED_STATUSES.includes(o.status)) return o.updated_at;
  return o.closed_at ?? o.resolved_at ?? o.updated_at;
}

function publicUpdatedSql() {
  const closed = sql.join(CLOSED_STATUSES.map((st) => sql`${st}`));
  return sql<string>`(case when ${sql.ref('status')} in (${closed}) then coalesce(${sql.ref('closed_at')}, ${sql.ref('resolved_at')}, ${sql.ref('updated_at')}) else ${sql.ref('updated_at')} end)`;
}

export interface RequestQuery {
  communityId: string;
  /** Order numbers; when set, every other filter but community and privacy is ignored. */
  numbers?: string[] | undefined;
  /** Category or sub-category codes. */
  codes?: string[] | undefined;
  statuses?: string[] | undefined;
  createdFrom?: string | undefined;
  createdTo?: string | undefined;
  updatedFrom?: string | undefined;
  updatedTo?: string | undefined;
  /** Category and sub-category codes withheld from this caller. */
  hidden: string[];
  limit: number;
  offset: number;
}

export async function listServiceRows(db: Kysely<DB>) {
  return withOpen311(db)
    .selectFrom('categories')
    .leftJoin('open311_services', 'open311_services.category_code', 'categories.code')
    .select([
      'categories.code',
      'categories.parent_code',
      'categories.name_zh',
      'categories.name_en',
      'categories.is_private',
      'categories.sort_order',
      'categories.questions_json',
      'open311_services.exposed',
      'open311_services.service_type',
      'open311_services.address_precision',
      'open311_services.keywords_zh',
      'open311_services.keywords_en',
      'open311_services.description_zh',
      'open311_services.description_en',
    ])
    .where('categories.active', '=', 1)
    .orderBy('categories.sort_order')
    .orderBy('categories.code')
    .execute();
}

/**
 * The first `n` communities created: a request without `jurisdiction_id` is answered for the
 * community only when there is one (no default configured).
 */
export async function someCommunities(db: Kysely<DB>, n: number) {
  return db.selectFrom('communities').selectAll().orderBy('created_at').orderBy('id').limit(n).execute();
}

/**
 * One JSON array per row instead of 21 columns: the database builds it and the driver hands
 * over a single string, which halves the cost of reading 1,000 rows on SQLite.
 */
function packedRow(db: Kysely<DB>) {
  const cols = sql.join(REQUEST_COLUMNS.map((c) => sql.ref(c)));
  return db.getExecutor().adapter instanceof SqliteAdapter
    ? sql<string>`json_array(${cols})`
    : sql<string>`json_build_array(${cols})::text`;
}

/** Reads back a row packed by `packedRow`: the array holds REQUEST_COLUMNS in order. */
function unpack(json: string): RequestRow {
  const values = JSON.parse(json) as unknown[];
  const row: Record<string, unknown> = {};
  REQUEST_COLUMNS.forEach((column, i) => (row[column] = values[i]));
  return row as unknown as RequestRow;
}

export async function listRequests(db: Kysely<DB>, q: RequestQuery): Promise<RequestRow[]> {
  let s = db
    .selectFrom('work_orders')
    .select(packedRow(db).as('j'))
    .where('community_id', '=', q.communityId);
  if (q.hidden.length) {
    const hidden = q.hidden;
    s = s
      .where('category', 'not in', hidden)
      .where((eb) => eb.or([eb('subcategory', 'is', null), eb('subcategory', 'not in', hidden)]));
  }
  if (q.numbers) {
    if (q.numbers.length === 0) return [];
    s = s.where('number', 'in', q.numbers);
  } else {
    if (q.codes?.length) {
      const tops = q.codes.filter((c) => !c.includes('.'));
      const subs = q.codes.filter((c) => c.includes('.'));
      s = s.where((eb) =>
        eb.or([
          ...(tops.length ? [eb('category', 'in', tops)] : []),
          ...(subs.length ? [eb('subcategory', 'in', subs)] : []),
        ]),
      );
    }
    // Listings walk the time index and stop at the page size. Matching on `status || ''` keeps the
    // planner off the status index, which (after ANALYZE, on SQLite) sorts every match first: 20x slower.
    if (q.statuses?.length) s = s.where(sql<string>`(${sql.ref('status')} || '')`, 'in', q.statuses);
    if (q.createdFrom) s = s.where('created_at', '>=', q.createdFrom);
    if (q.createdTo) s = s.where('created_at', '<=', q.createdTo);
    // The instant shown is never later than `updated_at`, so `updated_at >= from` keeps the
    // (community, updated_at) index in use; the shown instant decides.
    if (q.updatedFrom)
      s = s.where('updated_at', '>=', q.updatedFrom).where(publicUpdatedSql(), '>=', q.updatedFrom);
    if (q.updatedTo) s = s.where(publicUpdatedSql(), '<=', q.updatedTo);
  }
  // An update window alone reads (community, updated_at) in order: most recently written first
  // (for a closed request that may be later than the `updated_datetime` it shows).
  const byUpdate = !q.numbers && !q.createdFrom && !q.createdTo && (q.updatedFrom || q.updatedTo);
  const rows = await s
    .orderBy(byUpdate ? 'updated_at' : 'created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  return rows.map((r) => unpack(r.j));
}

export async function findRequestByNumber(
  db: Kysely<DB>,
  communityId: string,
  number: string,
): Promise<RequestRow | undefined> {
  return db
    .selectFrom('work_orders')
    .select(REQUEST_COLUMNS)
    .where('community_id', '=', communityId)
    .where('number', '=', number)
    .executeTakeFirst();
}

export async function findRequestById(db: Kysely<DB>, id: string): Promise<RequestRow | undefined> {
  return db.selectFrom('work_orders').select(REQUEST_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export async function assigneeRoles(db: Kysely<DB>, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'role']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.role]));
}

export async function residentNames(db: Kysely<DB>, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('residents').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Resolution deadlines the SLA module computed for these orders (absent where it has none yet). */
export async function resolutionDue(db: Kysely<DB>, orderIds: string[]): Promise<Map<string, string | null>> {
  if (orderIds.length === 0) return new Map();
  const rows = await withOpen311(db)
    .selectFrom('sla_order_metrics')
    .select(['work_order_id', 'resolution_due_at'])
    .where('work_order_id', 'in', orderIds)
    .execute();
  return new Map(rows.map((r) => [r.work_order_id, r.resolution_due_at]));
}

export async function photosOf(db: Kysely<DB>, orderIds: string[]) {
  if (orderIds.length === 0) return [];
  return db
    .selectFrom('work_order_photos')
    .select(['id', 'work_order_id', 'content_type', 'file_key', 'created_at'])
    .where('work_order_id', 'in', orderIds)
    .orderBy('created_at')
    .execute();
}

export async function findPhoto(db: Kysely<DB>, photoId: string) {
  return db
    .selectFrom('work_order_photos')
    .select(['id', 'work_order_id', 'content_type', 'file_key'])
    .where('id', '=', photoId)
    .executeTakeFirst();
}

export interface UpdateQuery {
  communityId: string;
  from: string;
  to: string;
  hidden: string[];
  numbers?: string[] | undefined;
  limit: number;
  offset: number;
}

/** Public status changes and replies of a community's orders, oldest first (mySociety's updates feed). */
export async function listUpdates(db: Kysely<DB>, q: UpdateQuery) {
  let s = db
    .selectFrom('work_order_events as e')
    .innerJoin('work_orders as o', 'o.id', 'e.work_order_id')
    // The person the order is for: a public reply that names them is blanked there too.
    .leftJoin('residents as r', 'r.id', 'o.beneficiary_id')
    .select([
      'e.id',
      'e.type',
      'e.to_status',
      'e.note',
      'e.created_at',
      'o.number',
      'o.status',
      'o.reporter_name',
      'o.reporter_phone',
      'o.referred_to',
      'r.name as beneficiary_name',
    ])
    .where('e.community_id', '=', q.communityId)
    .where('e.visibility', '=', 'public')
    .where('e.type', '!=', 'created')
    .where('e.created_at', '>=', q.from)
    .where('e.created_at', '<=', q.to);
  if (q.hidden.length) {
    const hidden = q.hidden;
    s = s
      .where('o.category', 'not in', hidden)
      .where((eb) => eb.or([eb('o.subcategory', 'is', null), eb('o.subcategory', 'not in', hidden)]));
  }
  if (q.numbers?.length) s = s.where('o.number', 'in', q.numbers);
  return s.orderBy('e.created_at').orderBy('e.id').limit(q.limit).offset(q.offset).execute();
}

export async function insertToken(db: Kysely<DB>, row: Open311TokenTable): Promise<void> {
  await withOpen311(db).insertInto('open311_tokens').values(row).execute();
}

/** The token a key was given for an order (a batch request's first attempt), if any. */
export async function tokenOfOrder(db: Kysely<DB>, workOrderId: string, apiKeyId: string) {
  const row = await withOpen311(db)
    .selectFrom('open311_tokens')
    .select('token')
    .where('work_order_id', '=', workOrderId)
    .where('api_key_id', '=', apiKeyId)
    .orderBy('created_at')
    .executeTakeFirst();
  return row?.token;
}

export async function findToken(db: Kysely<DB>, token: string) {
  return withOpen311(db)
    .selectFrom('open311_tokens')
    .leftJoin('work_orders', 'work_orders.id', 'open311_tokens.work_order_id')
    .select([
      'open311_tokens.token',
      'open311_tokens.community_id',
      'open311_tokens.work_order_id',
      'work_orders.number',
    ])
    .where('open311_tokens.token', '=', token)
    .executeTakeFirst();
}

/** Sets a category's publication settings (administration and tests). */
export async function upsertServiceSettings(
  db: Kysely<DB>,
  code: string,
  patch: Open311ServicePatch,
): Promise<void> {
  const d = withOpen311(db);
  const existing = await d
    .selectFrom('open311_services')
    .select('category_code')
    .where('category_code', '=', code)
    .executeTakeFirst();
  if (existing)
    await d.updateTable('open311_services').set(patch).where('category_code', '=', code).execute();
  else
    await d
      .insertInto('open311_services')
      .values({ category_code: code, ...patch })
      .execute();
}

/**
 * Gives the categories that still have no extra questions the default ones. Idempotent; the demo
 * seed calls it after creating the categories (the migration does the same for older databases).
 */
export async function applyDefaultQuestions(db: Kysely<DB>): Promise<number> {
  let changed = 0;
  for (const [code, questions] of Object.entries(DEFAULT_QUESTIONS)) {
    const res = await db
      .updateTable('categories')
      .set({ questions_json: JSON.stringify(questions) })
      .where('code', '=', code)
      .where('questions_json', '=', '[]')
      .executeTakeFirst();
    changed += Number(res.numUpdatedRows);
  }
  return changed;
}

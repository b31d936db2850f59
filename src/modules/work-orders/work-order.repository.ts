import { sql } from 'kysely';
import type { Kysely, Selectable } from 'kysely';
import type { DB, WorkOrderTable, WorkOrderEventTable } from '../../platform/db/schema.ts';
import type { Dialect } from '../../platform/db/database.ts';
import { insertRows } from '../../platform/db/bulk-insert.ts';
import { selectInChunks } from '../../platform/db/in-chunks.ts';
import { isPostgres } from '../../platform/db/dialect.ts';
import { searchTextOf } from '../../platform/auth/text-privacy.ts';
import { foldWidth, foldedOrNull, searchPatterns } from './work-order.filters.ts';
import { indexOrders, searchCandidates } from './work-order.search-index.ts';
import { queryTokens } from './work-order.search-tokens.ts';

export type WorkOrderRow = Selectable<WorkOrderTable>;

/** The columns of a new order that only its lifecycle fills in later (assignment, resolution, rating, closure, step times). */
type LifecycleColumns =
  | 'resume_status'
  | 'assignee_id'
  | 'resolution_note'
  | 'rating'
  | 'rating_comment'
  | 'closure_reason'
  | 'referred_to'
  | 'merged_into'
  | 'reopen_count'
  | 'accepted_at'
  | 'first_response_at'
  | 'dispatched_at'
  | 'resolved_at'
  | 'closed_at';
/** A new order's fields: all but the lifecycle's and the searched texts, which description and address give. */
export type NewOrderFields = Omit<
  WorkOrderRow,
  LifecycleColumns | 'search_text' | 'description_folded' | 'address_folded'
>;

/**
 * The row of a new order, the same for every way an order is created (intake, demo seed,
 * benches): the caller's fields plus empty lifecycle columns. Written as one literal in column
 * order rather than spread from a defaults object: on the intake path the spread built the row
 * property by property and cost several per cent of a request's CPU.
 */
export function newOrderRow(f: NewOrderFields): WorkOrderRow {
  return {
    id: f.id,
    number: f.number,
    community_id: f.community_id,
    grid_id: f.grid_id,
    channel: f.channel,
    status: f.status,
    resume_status: null,
    category: f.category,
    subcategory: f.subcategory,
    urgency: f.urgency,
    priority: f.priority,
    priority_score: f.priority_score,
    description: f.description,
    search_text: searchTextFor(f.description),
    description_folded: foldedOrNull(f.description),
    address_folded: foldedOrNull(f.address),
    address: f.address,
    lat: f.lat,
    lng: f.lng,
    reporter_type: f.reporter_type,
    reporter_id: f.reporter_id,
    reporter_name: f.reporter_name,
    reporter_phone: f.reporter_phone,
    beneficiary_id: f.beneficiary_id,
    household_id: f.household_id,
    is_proxy: f.is_proxy,
    assignee_id: null,
    resolution_note: null,
    rating: null,
    rating_comment: null,
    closure_reason: null,
    referred_to: null,
    merged_into: null,
    reopen_count: 0,
    classification_json: f.classification_json,
    needs_triage: f.needs_triage,
    attributes_json: f.attributes_json,
    version: f.version,
    created_at: f.created_at,
    created_day: f.created_day,
    updated_at: f.updated_at,
    accepted_at: null,
    first_response_at: null,
    dispatched_at: null,
    resolved_at: null,
    closed_at: null,
  };
}
export type WorkOrderEventRow = Selectable<WorkOrderEventTable>;

export interface ListFilter {
  communityIds: string[];
  /** Field staff: only these grids, or orders assigned to `assigneeOrGridsUser`. */
  gridIds?: string[] | undefined;
  assigneeOrGridsUser?: string | undefined;
  /** Residents: orders they reported or that benefit them or their household. */
  /** A resident's orders: theirs, and those filed for their household since `householdSince`. */
  residentScope?:
    { residentId: string; householdId: string | null; householdSince: string | null } | undefined;
  /** An integration: only orders it reported itself. */
  apiKeyScope?: string | undefined;
  statuses?: string[] | undefined;
  categories?: string[] | undefined;
  grid?: string | undefined;
  channels?: string[] | undefined;
  urgencies?: string[] | undefined;
  assignee?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  updatedAfter?: string | undefined;
  updatedBefore?: string | undefined;
  text?: string | undefined;
  /** Match `text` against the description with contact data blanked (viewers for whom it is blanked). */
  textMasked?: boolean | undefined;
  ids?: string[] | undefined;
  /**
   * For a `text` search, the orders of each community the search index names as candidates (a
   * superset of the matches; `withTextCandidates` fills it). A community not in the map has
   * too many candidates, and its orders are read for the `LIKE` itself.
   */
  textCandidates?: ReadonlyMap<string, readonly string[]> | undefined;
  cursor?: { createdAt: string; id: string } | undefined;
  limit: number;
}

/**
 * Multi-row insert, in chunks that stay under both databases' bound-parameter limits, with the
 * orders' search tokens (in the caller's transaction: an order written is an order found).
 */
export async function insertOrders(db: Kysely<DB>, rows: WorkOrderRow[]): Promise<void> {
  await insertRows(db, 'work_orders', rows);
  await indexOrders(db, rows);
}

export async function insertEvents(db: Kysely<DB>, rows: WorkOrderEventRow[]): Promise<void> {
  await insertRows(db, 'work_order_events', rows);
}

export async function insertEvent(db: Kysely<DB>, row: WorkOrderEventRow): Promise<void> {
  await db.insertInto('work_order_events').values(row).execute();
}

export async function findOrder(db: Kysely<DB>, id: string): Promise<WorkOrderRow | undefined> {
  return db.selectFrom('work_orders').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findOrderByNumber(db: Kysely<DB>, number: string): Promise<WorkOrderRow | undefined> {
  return db.selectFrom('work_orders').selectAll().where('number', '=', number).executeTakeFirst();
}

export async function eventsOf(db: Kysely<DB>, orderId: string): Promise<WorkOrderEventRow[]> {
  return db
    .selectFrom('work_order_events')
    .selectAll()
    .where('work_order_id', '=', orderId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Optimistic update: changes the row only if its version is still `expectedVersion`. */
export async function updateOrderIfVersion(
  db: Kysely<DB>,
  id: string,
  expectedVersion: number,
  patch: Partial<WorkOrderRow>,
  reopenIncrement: boolean,
): Promise<boolean> {
  const res = await db
    .updateTable('work_orders')
    .set({
      ...patch,
      version: expectedVersion + 1,
      ...(reopenIncrement ? { reopen_count: sql<number>`reopen_count + 1` } : {}),
    })
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Advances a named counter by `by`, atomically, inside the caller's transaction; returns the new value. */
export async function nextSequence(db: Kysely<DB>, name: string, by = 1): Promise<number> {
  const row = await db
    .insertInto('sequences')
    .values({ name, value: by })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: sql<number>`sequences.value + ${by}` }))
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

export async function countMergedInto(db: Kysely<DB>, id: string): Promise<number> {
  const row = await db
    .selectFrom('work_orders')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('merged_into', '=', id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The orders merged into this one that are still its duplicates, in id order (the order to lock them in). */
export async function duplicatesOf(db: Kysely<DB>, id: string): Promise<WorkOrderRow[]> {
  return db
    .selectFrom('work_orders')
    .selectAll()
    .where('merged_into', '=', id)
    .where('status', '=', 'duplicate')
    .orderBy('id')
    .execute();
}

export async function findIdempotent(db: Kysely<DB>, scope: string, key: string) {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('scope', '=', scope)
    .where('key', '=', key)
    .executeTakeFirst();
}

export async function insertIdempotentMany(
  db: Kysely<DB>,
  rows: { scope: string; key: string; request_hash: string; work_order_id: string; created_at: string }[],
): Promise<void> {
  await insertRows(db, 'idempotency_keys', rows);
}

/**
 * Candidates a community's search may name before reading its orders newest first is the faster
 * way (a word this common fills a page from the newest orders), and all communities' together
 * (one statement binds them all).
 */
const TEXT_CANDIDATES_PER_COMMUNITY = 2_000;
const TEXT_CANDIDATES_TOTAL = 10_000;

/**
 * The filter with its search's candidates from the index (`textCandidates`), where the index
 * can narrow it: a query with a pair of letters or digits, and a community with few enough
 * orders holding its tokens.
 */
export async function withTextCandidates<F extends Omit<ListFilter, 'limit' | 'cursor'>>(
  db: Kysely<DB>,
  f: F,
): Promise<F> {
  if (!f.text || f.textCandidates) return f;
  const alternatives = queryTokens(searchPatterns(f.text));
  if (!alternatives) return f;
  const byCommunity = new Map<string, string[]>();
  let budget = TEXT_CANDIDATES_TOTAL;
  for (const c of f.communityIds) {
    const bound = Math.min(TEXT_CANDIDATES_PER_COMMUNITY, budget);
    if (bound <= 0) break;
    const ids = await searchCandidates(db, c, alternatives, bound);
    if (ids === null) continue;
    byCommunity.set(c, ids);
    budget -= ids.length;
  }
  return { ...f, textCandidates: byCommunity };
}

function applyFilter(db: Kysely<DB>, f: Omit<ListFilter, 'limit' | 'cursor'>) {
  let q = db.selectFrom('work_orders').where('community_id', 'in', f.communityIds);
  if (f.residentScope) {
    const { residentId, householdId, householdSince } = f.residentScope;
    q = q.where((eb) =>
      eb.or([
        eb.and([eb('reporter_type', '=', 'resident'), eb('reporter_id', '=', residentId)]),
        eb('beneficiary_id', '=', residentId),
        ...(householdId && householdSince
          ? [eb.and([eb('household_id', '=', householdId), eb('created_at', '>=', householdSince)])]
          : []),
      ]),
    );
  }
  if (f.apiKeyScope !== undefined)
    q = q.where('reporter_type', '=', 'api_key').where('reporter_id', '=', f.apiKeyScope);
  if (f.assigneeOrGridsUser !== undefined) {
    const me = f.assigneeOrGridsUser;
    const grids = f.gridIds ?? [];
    q = q.where((eb) =>
      grids.length
        ? eb.or([eb('assignee_id', '=', me), eb('grid_id', 'in', grids)])
        : eb('assignee_id', '=', me),
    );
  }
  if (f.ids?.length) q = q.where('id', 'in', f.ids);
  if (f.statuses?.length) q = q.where('status', 'in', f.statuses);
  if (f.categories?.length) {
    const cats = f.categories;
    q = q.where((eb) => eb.or([eb('category', 'in', cats), eb('subcategory', 'in', cats)]));
  }
  if (f.grid) q = q.where('grid_id', '=', f.grid);
  if (f.channels?.length) q = q.where('channel', 'in', f.channels);
  if (f.urgencies?.length) q = q.where('urgency', 'in', f.urgencies);
  if (f.assignee) q = q.where('assignee_id', '=', f.assignee);
  if (f.from) q = q.where('created_at', '>=', f.from);
  if (f.to) q = q.where('created_at', '<', f.to);
  if (f.updatedAfter) q = q.where('updated_at', '>=', f.updatedAfter);
  if (f.updatedBefore) q = q.where('updated_at', '<', f.updatedBefore);
  if (f.text) {
    // Every text as searched: with full-width digits and letters folded (`foldWidth`).
    const text = f.textMasked
      ? sql`coalesce(search_text, description)`
      : sql`coalesce(description_folded, description)`;
    const columns = [text, sql.ref('number'), sql`coalesce(address_folded, address)`];
    // Both sides with ASCII letters in lower case, and nothing else folded, on both databases:
    // SQLite's LIKE ignores the case of ASCII letters only; PostgreSQL's heeds case, and its
    // lower() under the "C" collation folds ASCII letters only (under the database's own
    // collation it would fold É, Ω and full-width letters too, which SQLite does not).
    const folded = isPostgres(db) ? columns.map((c) => sql`lower(${c} collate "C")`) : columns;
    const patterns = searchPatterns(f.text).map((t) => `%${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    q = q.where((eb) =>
      eb.or(patterns.flatMap((like) => folded.map((c) => eb(c, 'like', sql<string>`${like} escape '\\'`)))),
    );
    // The index's candidates first: the LIKE above then reads only them.
    const candidates = f.textCandidates;
    if (candidates && candidates.size) {
      const read = f.communityIds.filter((c) => !candidates.has(c));
      const ids = f.communityIds.flatMap((c) => candidates.get(c) ?? []);
      if (read.length === 0) q = ids.length ? q.where('id', 'in', ids) : q.where(sql<boolean>`1 = 0`);
      else if (ids.length) q = q.where((eb) => eb.or([eb('community_id', 'in', read), eb('id', 'in', ids)]));
      else q = q.where('community_id', 'in', read);
    }
  }
  return q;
}

/** Orders in a scope changed after an instant, oldest change first (the live queue). */
export async function changedSince(
  db: Kysely<DB>,
  f: Omit<ListFilter, 'limit' | 'cursor'>,
  since: string,
  limit: number,
  afterId: string | null = null,
) {
  let q = applyFilter(db, await withTextCandidates(db, f));
  // At the instant `since` itself, only rows after `afterId` (the live feed pages by stamp and id).
  if (afterId !== null) q = q.where((eb) => eb.or([eb('updated_at', '>', since), eb('id', '>', afterId)]));
  return q
    .select([
      'id',
      'number',
      'status',
      'category',
      'urgency',
      'priority',
      'assignee_id',
      'updated_at',
      'version',
    ])
    .where('updated_at', '>=', since)
    .orderBy('updated_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/**
 * Communities whose pages are read each on its own and merged (see `listOrders`). SQLite allows
 * 500 terms in one compound select; past this many the list reads them together.
 */
const MERGED_COMMUNITIES_MAX = 100;

/** One page, newest first, keyed by (created_at, id) so pages never skip or repeat under inserts. */
export async function listOrders(db: Kysely<DB>, f: ListFilter): Promise<WorkOrderRow[]> {
  if (f.text && !f.textCandidates && f.communityIds.length === 1) {
    const page = await pageAmongNewest(db, f);
    if (page) return page;
  }
  return listQuery(db, await withTextCandidates(db, f)).execute();
}

/** The newest orders a search of one community reads before it asks the index. */
const NEWEST_FIRST = 2_000;

/**
 * A search's page read from the community's newest orders (after the cursor) alone, when they
 * hold a full page: a common word finds its page there, sooner than the index names its
 * thousands of candidates (on PostgreSQL 20–50 ms for a word in one order of 23 over a million,
 * where reading the newest takes a few). Null when they hold less than a page: the index then
 * narrows the search. Whatever other filters say, every order newer than the edge is read, so
 * a full page here is the page.
 */
async function pageAmongNewest(db: Kysely<DB>, f: ListFilter): Promise<WorkOrderRow[] | null> {
  let edgeQuery = db
    .selectFrom('work_orders')
    .select('created_at')
    .where('community_id', '=', f.communityIds[0]!);
  if (f.cursor) edgeQuery = edgeQuery.where('created_at', '<=', f.cursor.createdAt);
  const edge = await edgeQuery
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .offset(NEWEST_FIRST - 1)
    .executeTakeFirst();
  const read = { ...f, textCandidates: new Map<string, string[]>() };
  // Fewer orders than that: reading them all is the search.
  if (!edge) return pageOf(db, read).execute();
  const from = f.from && f.from > edge.created_at ? f.from : edge.created_at;
  const rows = await pageOf(db, { ...read, from }).execute();
  return rows.length >= f.limit ? rows : null;
}

/** The query of `listOrders` (exported for the test that reads its plan). */
export function listQuery(db: Kysely<DB>, f: ListFilter) {
  const ids = f.communityIds;
  if (ids.length < 2 || ids.length > MERGED_COMMUNITIES_MAX) return pageOf(db, f);
  // Several communities: each one's page from its own index range, newest first, merged. A
  // `community_id IN (…)` of two or more ids yields no single (created_at, id) order from the
  // index, so both databases read every order of the communities and sorted them: a page of 20
  // over 1,000,000 orders took 0.2–0.7 s on SQLite and 0.1–0.9 s on PostgreSQL, now 1–3 ms.
  const pages = ids.map((id, i) =>
    db.selectFrom(pageOf(db, { ...f, communityIds: [id] }).as(`c${i}`)).selectAll(),
  );
  const merged = pages.slice(1).reduce((all, page) => all.unionAll(page), pages[0]!);
  return db
    .selectFrom(merged.as('pages'))
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(f.limit);
}

/** One page of the filter's orders, newest first, read from one index range where the filter has one community. */
function pageOf(db: Kysely<DB>, f: ListFilter) {
  let q = applyFilter(db, f).selectAll();
  if (f.cursor) {
    const c = f.cursor;
    // Rows after (created_at, id). The bound `created_at <= c` alone can start an index range
    // scan at the cursor; without it both databases read the index from the newest row on and
    // threw away every row of the pages before, so an export's hundredth page read 100,000 rows.
    q = q
      .where('created_at', '<=', c.createdAt)
      .where((eb) => eb.or([eb('created_at', '<', c.createdAt), eb('id', '<', c.id)]));
  }
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit);
}

export async function countOrders(db: Kysely<DB>, f: Omit<ListFilter, 'limit' | 'cursor'>): Promise<number> {
  const row = await applyFilter(db, await withTextCandidates(db, f))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The staff of these ids (in slices: an export names tens of thousands). */
export async function usersByIds(db: Kysely<DB>, ids: readonly string[]) {
  return selectInChunks(ids, (chunk) =>
    db
      .selectFrom('users')
      .select(['id', 'username', 'display_name', 'role', 'phone'])
      .where('id', 'in', chunk)
      .execute(),
  );
}

export async function userServesCommunity(db: Kysely<DB>, userId: string, communityId: string) {
  return db
    .selectFrom('users')
    .innerJoin('user_communities', 'user_communities.user_id', 'users.id')
    .select(['users.id', 'users.role', 'users.display_name', 'users.active'])
    .where('users.id', '=', userId)
    .where('user_communities.community_id', '=', communityId)
    .executeTakeFirst();
}

/** The residents of these ids (in slices: an export names tens of thousands). */
export async function residentsByIds(db: Kysely<DB>, ids: readonly string[]) {
  return selectInChunks(ids, (chunk) =>
    db.selectFrom('residents').selectAll().where('id', 'in', chunk).execute(),
  );
}

/** The household each of these residents lives in now (residents not found are left out). */
/**
 * The households of these residents, and whether their data was erased, inside an order's commit.
 * On PostgreSQL the rows are read FOR SHARE: an erasure (which updates the row first) either
 * commits before, and the order sees the tombstone, or waits for the order and then finds it.
 */
export async function householdsOfResidents(db: Kysely<DB>, ids: readonly string[], dialect: Dialect) {
  return selectInChunks(ids, (chunk) => {
    const q = db.selectFrom('residents').select(['id', 'household_id', 'erased_at']).where('id', 'in', chunk);
    return (dialect === 'postgres' ? q.forShare() : q).execute();
  });
}

export async function insertPhoto(
  db: Kysely<DB>,
  row: {
    id: string;
    work_order_id: string;
    file_key: string;
    content_type: string;
    size_bytes: number;
    created_at: string;
  },
) {
  await db.insertInto('work_order_photos').values(row).execute();
}

export async function photosOf(db: Kysely<DB>, orderId: string) {
  return db
    .selectFrom('work_order_photos')
    .selectAll()
    .where('work_order_id', '=', orderId)
    .orderBy('created_at')
    .execute();
}

export async function dueForAutoClose(db: Kysely<DB>, resolvedBefore: string, limit: number) {
  return db
    .selectFrom('work_orders')
    .select(['id', 'version'])
    .where('status', '=', 'resolved')
    .where('resolved_at', '<', resolvedBefore)
    .limit(limit)
    .execute();
}

export type { Dialect };

/**
 * Locks these orders' rows for the rest of the transaction, always in id order, so two
 * transactions that touch the same orders (a merge and an action on its target, or two merges
 * into each other) queue instead of deadlocking. PostgreSQL only: SQLite has one writer.
 */
export async function lockOrders(
  db: Kysely<DB>,
  dialect: 'sqlite' | 'postgres',
  ids: string[],
): Promise<void> {
  if (dialect !== 'postgres' || ids.length === 0) return;
  // In id order across slices too, so every locker takes any two orders in the same order; a
  // person with tens of thousands of orders would otherwise exceed the bound parameters.
  await selectInChunks([...new Set(ids)].sort(), (chunk) =>
    db.selectFrom('work_orders').select('id').where('id', 'in', chunk).orderBy('id').forUpdate().execute(),
  );
}

/**
 * What `search_text` holds for a description: the text viewers for whom contact data is blanked
 * search (blanked, and width-folded as all searched text is), or null when that is the
 * description itself.
 */
export function searchTextFor(description: string): string | null {
  const searched = foldWidth(searchTextOf(description));
  return searched === description ? null : searched;
}

import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

export async function gridRows(db: Kysely<DB>, communityId: string) {
  return db.selectFrom('grids').selectAll().where('community_id', '=', communityId).orderBy('code').execute();
}

export async function insertGrid(
  db: Kysely<DB>,
  row: {
    id: string;
    community_id: string;
    code: string;
    name: string;
    polygon_json: string;
    created_at: string;
  },
): Promise<void> {
  await db.insertInto('grids').values(row).execute();
}

export async function updateGrid(
  db: Kysely<DB>,
  id: string,
  name: string,
  polygonJson: string,
): Promise<void> {
  await db.updateTable('grids').set({ name, polygon_json: polygonJson }).where('id', '=', id).execute();
}

/**
 * The workers of grids: every row (`all`, to tell their sessions a grid changed), or as staff are
 * shown them (`current`): active accounts who still serve the grid's community, as dispatch and
 * the directory name them.
 */
export async function workersOfGrids(db: Kysely<DB>, gridIds: string[], which: 'all' | 'current' = 'all') {
  if (gridIds.length === 0) return [];
  let q = db
    .selectFrom('grid_workers')
    .innerJoin('users', 'users.id', 'grid_workers.user_id')
    .innerJoin('grids', 'grids.id', 'grid_workers.grid_id')
    .select(['grid_workers.grid_id', 'users.id', 'users.username', 'users.display_name'])
    .where('grid_workers.grid_id', 'in', gridIds);
  if (which === 'current')
    q = q
      .where('users.active', '=', 1)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('user_communities')
            .select('user_communities.user_id')
            .whereRef('user_communities.user_id', '=', 'grid_workers.user_id')
            .whereRef('user_communities.community_id', '=', 'grids.community_id'),
        ),
      );
  return q.orderBy('users.username').execute();
}

export async function replaceGridWorkers(db: Kysely<DB>, gridId: string, userIds: string[]): Promise<void> {
  await db.deleteFrom('grid_workers').where('grid_id', '=', gridId).execute();
  if (userIds.length) {
    await db
      .insertInto('grid_workers')
      .values(userIds.map((user_id) => ({ grid_id: gridId, user_id })))
      .execute();
  }
}

/** Grid workers of a community by username (to resolve the workers named in an import). */
export async function communityGridWorkers(db: Kysely<DB>, communityId: string) {
  return db
    .selectFrom('users')
    .innerJoin('user_communities', 'user_communities.user_id', 'users.id')
    .select(['users.id', 'users.username', 'users.role', 'users.active'])
    .where('user_communities.community_id', '=', communityId)
    .execute();
}

/** Households with a position, and how many residents live in each. */
export async function placedHouseholds(db: Kysely<DB>, communityId: string) {
  return db
    .selectFrom('households')
    .leftJoin('residents', 'residents.household_id', 'households.id')
    .select((eb) => [
      'households.id',
      'households.address',
      'households.grid_id',
      'households.lat',
      'households.lng',
      eb.fn.count<number>('residents.id').as('residents'),
    ])
    .where('households.community_id', '=', communityId)
    .groupBy([
      'households.id',
      'households.address',
      'households.grid_id',
      'households.lat',
      'households.lng',
    ])
    .execute();
}

export async function setHouseholdGrid(db: Kysely<DB>, id: string, gridId: string | null): Promise<void> {
  await db.updateTable('households').set({ grid_id: gridId }).where('id', '=', id).execute();
}

/** Open orders with a position (they follow their grid: its worker sees them). */
export async function openPlacedOrders(db: Kysely<DB>, communityId: string, statuses: readonly string[]) {
  return db
    .selectFrom('work_orders')
    .select(['id', 'grid_id', 'lat', 'lng'])
    .where('community_id', '=', communityId)
    .where('status', 'in', [...statuses])
    .where('lat', 'is not', null)
    .where('lng', 'is not', null)
    .execute();
}

export async function setOrderGrid(db: Kysely<DB>, id: string, gridId: string | null): Promise<void> {
  await db.updateTable('work_orders').set({ grid_id: gridId }).where('id', '=', id).execute();
}

/**
 * Makes the caller's transaction the only grid import of the community until it ends, so the
 * grids it reads (which codes exist, where households fall) are still true when it writes:
 * PostgreSQL, a transaction-scoped advisory lock; SQLite, a first write that takes the database's
 * one write lock before the reads.
 */
export async function lockGrids(
  trx: Kysely<DB>,
  dialect: 'sqlite' | 'postgres',
  communityId: string,
): Promise<void> {
  if (dialect === 'postgres') {
    await sql`select pg_advisory_xact_lock(hashtext(${`grids:${communityId}`}))`.execute(trx);
    return;
  }
  await trx.updateTable('communities').set({ id: communityId }).where('id', '=', communityId).execute();
}

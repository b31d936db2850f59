import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { CatalogueTables } from '../matching/resource.repository.ts';

export async function findCommunity(db: Kysely<DB>, idOrCode: string) {
  return db
    .selectFrom('communities')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrCode), eb('code', '=', idOrCode)]))
    .executeTakeFirst();
}

/**
 * The id of the community whose code is `code`, if it is one of `ids` (the communities a caller
 * serves); undefined for any other community or none, so that asking for another community by
 * code reveals no more than asking for it by id.
 */
export async function servedCommunityIdByCode(
  db: Kysely<DB>,
  ids: readonly string[],
  code: string,
): Promise<string | undefined> {
  if (ids.length === 0) return undefined;
  const row = await db
    .selectFrom('communities')
    .select('id')
    .where('code', '=', code)
    .where('id', 'in', [...ids])
    .executeTakeFirst();
  return row?.id;
}

export async function listCommunities(db: Kysely<DB>, ids?: string[]) {
  let q = db.selectFrom('communities').selectAll().orderBy('code');
  if (ids) {
    if (ids.length === 0) return [];
    q = q.where('id', 'in', ids);
  }
  return q.execute();
}

export async function gridsOf(db: Kysely<DB>, communityId: string) {
  return db.selectFrom('grids').selectAll().where('community_id', '=', communityId).orderBy('code').execute();
}

/**
 * The grid workers of grids, as residents are offered them (their 网格员, to call): only active
 * accounts still in the grid worker role who still serve the grid's community, as dispatch picks
 * them; a worker deactivated, given another role or moved to another community keeps the rows of
 * their grids, but no longer answers for them.
 */
export async function gridWorkersOf(db: Kysely<DB>, gridIds: string[]) {
  if (gridIds.length === 0) return [];
  return db
    .selectFrom('grid_workers')
    .innerJoin('users', 'users.id', 'grid_workers.user_id')
    .innerJoin('grids', 'grids.id', 'grid_workers.grid_id')
    .innerJoin('user_communities', (j) =>
      j
        .onRef('user_communities.user_id', '=', 'grid_workers.user_id')
        .onRef('user_communities.community_id', '=', 'grids.community_id'),
    )
    .select(['grid_workers.grid_id', 'users.id', 'users.display_name', 'users.phone'])
    .where('grid_workers.grid_id', 'in', gridIds)
    .where('users.active', '=', 1)
    .where('users.role', '=', 'grid_worker')
    .execute();
}

export async function listCategories(db: Kysely<DB>) {
  return db.selectFrom('categories').selectAll().where('active', '=', 1).orderBy('sort_order').execute();
}

/** Active staff of a community with the grids they work. */
export async function staffOf(db: Kysely<DB>, communityId: string, opts: { includeInactive?: boolean } = {}) {
  let q = db
    .selectFrom('users')
    .innerJoin('user_communities', 'user_communities.user_id', 'users.id')
    .select(['users.id', 'users.username', 'users.display_name', 'users.role', 'users.phone', 'users.active'])
    .where('user_communities.community_id', '=', communityId);
  if (!opts.includeInactive) q = q.where('users.active', '=', 1);
  const users = await q.orderBy('users.role').orderBy('users.username').execute();
  const memberships = users.length
    ? await db
        .selectFrom('user_communities')
        .select(['user_id', 'community_id'])
        .where(
          'user_id',
          'in',
          users.map((u) => u.id),
        )
        .execute()
    : [];
  const grids = await db
    .selectFrom('grid_workers')
    .innerJoin('grids', 'grids.id', 'grid_workers.grid_id')
    .select(['grid_workers.user_id', 'grids.name'])
    .where('grids.community_id', '=', communityId)
    .execute();
  // The service teams (resources) each person works for: two 陈磊 are told apart by theirs.
  const teams = await db
    .withTables<Pick<CatalogueTables, 'resources' | 'resource_staff'>>()
    .selectFrom('resource_staff')
    .innerJoin('resources', 'resources.id', 'resource_staff.resource_id')
    .select(['resource_staff.user_id', 'resources.name'])
    .where('resources.community_id', '=', communityId)
    .where('resources.active', '=', 1)
    .orderBy('resources.name')
    .execute();
  return users.map((u) => ({
    ...u,
    communityIds: memberships.filter((m) => m.user_id === u.id).map((m) => m.community_id),
    grids: grids.filter((g) => g.user_id === u.id).map((g) => g.name),
    teams: teams.filter((t) => t.user_id === u.id).map((t) => t.name),
  }));
}

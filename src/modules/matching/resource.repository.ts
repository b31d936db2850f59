import type { Kysely, Selectable } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

/** Tables this module adds (migration 2026112130_matching). JSON is text; booleans are 0/1. */
export interface ResourceTable {
  id: string;
  community_id: string;
  code: string;
  name: string;
  type: string;
  categories_json: string;
  keywords_json: string;
  lat: number;
  lng: number;
  address: string | null;
  service_area_json: string;
  capacity_concurrent: number;
  capacity_daily: number;
  opening_hours_json: string;
  contacts_json: string;
  rating: number;
  on_duty: number;
  emergency_responder: number;
  skills_json: string;
  certificates_json: string;
  active: number;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ServicePackageTable {
  id: string;
  community_id: string;
  code: string;
  resource_id: string;
  name: string;
  category: string;
  description: string;
  duration_minutes: number;
  price_cny: number;
  eligibility_json: string;
  active: number;
  created_at: string;
  updated_at: string;
}

export interface ResourceStaffTable {
  resource_id: string;
  user_id: string;
}

export interface StaffCapabilityTable {
  user_id: string;
  skills_json: string;
  certificates_json: string;
  duty_hours_json: string | null;
  updated_at: string;
}

export type CatalogueTables = {
  resources: ResourceTable;
  service_packages: ServicePackageTable;
  resource_staff: ResourceStaffTable;
  staff_capabilities: StaffCapabilityTable;
};

export type ResourceRow = Selectable<ResourceTable>;
export type ServicePackageRow = Selectable<ServicePackageTable>;
export type StaffCapabilityRow = Selectable<StaffCapabilityTable>;

type Db = Kysely<DB & CatalogueTables>;
const cat = (db: Kysely<DB>): Db => db.withTables<CatalogueTables>();

export async function resourcesOf(
  db: Kysely<DB>,
  communityId: string,
  options: { includeInactive?: boolean } = {},
): Promise<ResourceRow[]> {
  let q = cat(db).selectFrom('resources').selectAll().where('community_id', '=', communityId);
  if (!options.includeInactive) q = q.where('active', '=', 1);
  return q.orderBy('code').execute();
}

export async function findResource(db: Kysely<DB>, id: string): Promise<ResourceRow | undefined> {
  return cat(db).selectFrom('resources').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findResourceByCode(
  db: Kysely<DB>,
  communityId: string,
  code: string,
): Promise<ResourceRow | undefined> {
  return cat(db)
    .selectFrom('resources')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('code', '=', code)
    .executeTakeFirst();
}

export async function insertResource(db: Kysely<DB>, row: ResourceRow): Promise<void> {
  await cat(db).insertInto('resources').values(row).execute();
}

/** Updates when the version matches; false when someone changed it first. */
export async function updateResourceIfVersion(
  db: Kysely<DB>,
  id: string,
  version: number,
  patch: Partial<Omit<ResourceRow, 'id' | 'community_id' | 'created_at' | 'version'>>,
): Promise<boolean> {
  const res = await cat(db)
    .updateTable('resources')
    .set({ ...patch, version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function packagesOf(db: Kysely<DB>, communityId: string): Promise<ServicePackageRow[]> {
  return cat(db)
    .selectFrom('service_packages')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('active', '=', 1)
    .orderBy('code')
    .execute();
}

export async function findPackage(db: Kysely<DB>, id: string): Promise<ServicePackageRow | undefined> {
  return cat(db).selectFrom('service_packages').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findPackageByCode(
  db: Kysely<DB>,
  communityId: string,
  code: string,
): Promise<ServicePackageRow | undefined> {
  return cat(db)
    .selectFrom('service_packages')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('code', '=', code)
    .executeTakeFirst();
}

export async function insertPackage(db: Kysely<DB>, row: ServicePackageRow): Promise<void> {
  await cat(db).insertInto('service_packages').values(row).execute();
}

export async function updatePackage(
  db: Kysely<DB>,
  id: string,
  patch: Partial<Omit<ServicePackageRow, 'id' | 'community_id' | 'created_at'>>,
): Promise<void> {
  await cat(db).updateTable('service_packages').set(patch).where('id', '=', id).execute();
}

export interface StaffLink {
  resource_id: string;
  user_id: string;
  username: string;
  display_name: string;
  phone: string | null;
  active: number;
}

/** Staff of the given resources with their user record. */
/**
 * The staff of resources as the catalogue shows them: active accounts who still serve the
 * resource's community. A link outlives a move to another community or a deactivation (the
 * resource is not edited then); shown, such a person could be picked for the old community's work.
 */
export async function staffOf(db: Kysely<DB>, resourceIds: string[]): Promise<StaffLink[]> {
  if (resourceIds.length === 0) return [];
  return cat(db)
    .selectFrom('resource_staff')
    .innerJoin('resources', 'resources.id', 'resource_staff.resource_id')
    .innerJoin('users', 'users.id', 'resource_staff.user_id')
    .innerJoin('user_communities', (j) =>
      j
        .onRef('user_communities.user_id', '=', 'resource_staff.user_id')
        .onRef('user_communities.community_id', '=', 'resources.community_id'),
    )
    .where('users.active', '=', 1)
    .select([
      'resource_staff.resource_id',
      'resource_staff.user_id',
      'users.username',
      'users.display_name',
      'users.phone',
      'users.active',
    ])
    .where('resource_staff.resource_id', 'in', resourceIds)
    .orderBy('users.username')
    .execute();
}

/**
 * Staff of every resource of a community who still serve it, with their role. A link outlives a
 * change of the person's communities or role (the resource is not edited then), so the link alone
 * would name someone who no longer serves the community, or who cannot work an order.
 */
export async function staffOfCommunity(
  db: Kysely<DB>,
  communityId: string,
): Promise<Array<StaffLink & { role: string }>> {
  return cat(db)
    .selectFrom('resource_staff')
    .innerJoin('resources', 'resources.id', 'resource_staff.resource_id')
    .innerJoin('users', 'users.id', 'resource_staff.user_id')
    .innerJoin('user_communities', (j) =>
      j
        .onRef('user_communities.user_id', '=', 'resource_staff.user_id')
        .on('user_communities.community_id', '=', communityId),
    )
    .select([
      'resource_staff.resource_id',
      'resource_staff.user_id',
      'users.username',
      'users.display_name',
      'users.phone',
      'users.active',
      'users.role',
    ])
    .where('resources.community_id', '=', communityId)
    .orderBy('users.username')
    .execute();
}

export async function replaceStaff(db: Kysely<DB>, resourceId: string, userIds: string[]): Promise<void> {
  await cat(db).deleteFrom('resource_staff').where('resource_id', '=', resourceId).execute();
  if (userIds.length) {
    await cat(db)
      .insertInto('resource_staff')
      .values(userIds.map((user_id) => ({ resource_id: resourceId, user_id })))
      .execute();
  }
}

export async function capabilitiesOf(db: Kysely<DB>, userIds: string[]): Promise<StaffCapabilityRow[]> {
  if (userIds.length === 0) return [];
  return cat(db).selectFrom('staff_capabilities').selectAll().where('user_id', 'in', userIds).execute();
}

export async function upsertCapability(db: Kysely<DB>, row: StaffCapabilityRow): Promise<void> {
  await cat(db)
    .insertInto('staff_capabilities')
    .values(row)
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({
        skills_json: row.skills_json,
        certificates_json: row.certificates_json,
        duty_hours_json: row.duty_hours_json,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

/** Users serving a community, by id (to check staff links and assignees). */
export async function communityUsers(db: Kysely<DB>, communityId: string, userIds: string[]) {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('users')
    .innerJoin('user_communities', 'user_communities.user_id', 'users.id')
    .select(['users.id', 'users.username', 'users.role', 'users.active', 'users.display_name'])
    .where('user_communities.community_id', '=', communityId)
    .where('users.id', 'in', userIds)
    .execute();
}

/** Every community a staff member serves. */
export async function communitiesOfUser(db: Kysely<DB>, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('user_communities')
    .select('community_id')
    .where('user_id', '=', userId)
    .orderBy('community_id')
    .execute();
  return rows.map((r) => r.community_id);
}

export async function usersByUsername(db: Kysely<DB>, usernames: string[]) {
  if (usernames.length === 0) return [];
  return db
    .selectFrom('users')
    .select(['id', 'username', 'role', 'active'])
    .where('username', 'in', usernames)
    .execute();
}

import type { Kysely, Selectable } from 'kysely';
import type { DB, ResidentTable, HouseholdTable } from '../../platform/db/schema.ts';

export type ResidentRow = Selectable<ResidentTable>;
export type HouseholdRow = Selectable<HouseholdTable>;

export async function residentsByPhone(db: Kysely<DB>, phone: string, communityIds: string[]) {
  if (communityIds.length === 0) return [];
  return db
    .selectFrom('residents')
    .selectAll()
    .where('phone', '=', phone)
    .where('community_id', 'in', communityIds)
    .execute();
}

export async function findResident(db: Kysely<DB>, id: string) {
  return db.selectFrom('residents').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findHousehold(db: Kysely<DB>, id: string) {
  return db.selectFrom('households').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function householdMembers(db: Kysely<DB>, householdId: string) {
  return db
    .selectFrom('residents')
    .selectAll()
    .where('household_id', '=', householdId)
    .orderBy('birth_year')
    .execute();
}

export async function findHouseholdByAddress(db: Kysely<DB>, communityId: string, address: string) {
  return db
    .selectFrom('households')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('address', '=', address)
    .executeTakeFirst();
}

export async function insertHousehold(db: Kysely<DB>, row: HouseholdRow) {
  await db.insertInto('households').values(row).execute();
}

export async function insertResident(db: Kysely<DB>, row: ResidentRow) {
  await db.insertInto('residents').values(row).execute();
}

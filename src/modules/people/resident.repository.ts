import type { Kysely, Selectable } from 'kysely';
import type { DB, ResidentTable, HouseholdTable } from '../../platform/db/schema.ts';
import { selectInChunks } from '../../platform/db/in-chunks.ts';

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

/** Phones or ID numbers, each with the communities whose residents hold it. */
export type Holders = Map<string, Set<string>>;

/** Which of these phones and ID numbers a resident of any community already has, and in which communities. */
export async function registeredIdentities(
  db: Kysely<DB>,
  phones: readonly string[],
  idNumbers: readonly string[],
): Promise<{ phones: Holders; idNumbers: Holders }> {
  const present = async (column: 'phone' | 'id_number', values: readonly string[]) => {
    const rows = await selectInChunks(values, (chunk) =>
      db.selectFrom('residents').select([column, 'community_id']).where(column, 'in', chunk).execute(),
    );
    const found: Holders = new Map();
    for (const r of rows) {
      const v = column === 'phone' ? r.phone : r.id_number;
      if (!v) continue;
      const held = found.get(v) ?? new Set<string>();
      held.add(r.community_id);
      found.set(v, held);
    }
    return found;
  };
  const taken = { phones: await present('phone', phones), idNumbers: await present('id_number', idNumbers) };
  return taken;
}

/** `name\u0000address` of the residents of a community living at these addresses. */
export async function namesAtAddresses(
  db: Kysely<DB>,
  communityId: string,
  addresses: readonly string[],
): Promise<Set<string>> {
  const rows = await selectInChunks([...new Set(addresses)], (chunk) =>
    db
      .selectFrom('residents')
      .innerJoin('households', 'households.id', 'residents.household_id')
      .select(['residents.name', 'households.address'])
      .where('households.community_id', '=', communityId)
      .where('households.address', 'in', chunk)
      .execute(),
  );
  return new Set(rows.map((r) => `${r.name}\u0000${r.address}`));
}

/** Which of these addresses of a community a household is already registered at. */
export async function householdAddresses(
  db: Kysely<DB>,
  communityId: string,
  addresses: readonly string[],
): Promise<Set<string>> {
  const rows = await selectInChunks([...new Set(addresses)], (chunk) =>
    db
      .selectFrom('households')
      .select('address')
      .where('community_id', '=', communityId)
      .where('address', 'in', chunk)
      .execute(),
  );
  return new Set(rows.map((r) => r.address));
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

/**
 * Records that `name` stopped being the resident's name at `endedAt` (a rename, in its
 * transaction), and that `current` is no former name of theirs (a rename back). One row per
 * resident and name: a name left again keeps its row, with the later end.
 */
export async function recordFormerName(
  db: Kysely<DB>,
  row: { resident_id: string; community_id: string; name: string; ended_at: string },
  current: string,
) {
  await db
    .insertInto('resident_former_names')
    .values(row)
    .onConflict((oc) => oc.columns(['resident_id', 'name']).doUpdateSet({ ended_at: row.ended_at }))
    .execute();
  await db
    .deleteFrom('resident_former_names')
    .where('resident_id', '=', row.resident_id)
    .where('name', '=', current)
    .execute();
}

/** The names the resident had before, each with when it stopped being theirs, oldest end first. */
export async function formerNamesOf(db: Kysely<DB>, residentId: string) {
  return db
    .selectFrom('resident_former_names')
    .select(['name', 'ended_at'])
    .where('resident_id', '=', residentId)
    .orderBy('ended_at')
    .orderBy('name')
    .execute();
}

import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

export async function findUserByUsername(db: Kysely<DB>, username: string) {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function findUserById(db: Kysely<DB>, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function communitiesOfUser(db: Kysely<DB>, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('user_communities')
    .select('community_id')
    .where('user_id', '=', userId)
    .execute();
  return rows.map((r) => r.community_id);
}

export async function gridsOfUser(db: Kysely<DB>, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('grid_workers').select('grid_id').where('user_id', '=', userId).execute();
  return rows.map((r) => r.grid_id);
}

/**
 * Counts one failed sign-in, in the database itself (concurrent failures, on one node or many,
 * each count); the `max`-th locks the account until `lockUntil` and starts the count again.
 */
export async function recordLoginFailure(db: Kysely<DB>, userId: string, max: number, lockUntil: string) {
  const reached = sql<boolean>`failed_logins + 1 >= ${max}`;
  await db
    .updateTable('users')
    .set({
      failed_logins: sql<number>`case when ${reached} then 0 else failed_logins + 1 end`,
      locked_until: sql<string | null>`case when ${reached} then ${lockUntil} else locked_until end`,
    })
    .where('id', '=', userId)
    .execute();
}

export async function resetLoginFailures(db: Kysely<DB>, userId: string) {
  await db
    .updateTable('users')
    .set({ failed_logins: 0, locked_until: null })
    .where('id', '=', userId)
    .execute();
}

export async function insertSession(
  db: Kysely<DB>,
  row: {
    token_hash: string;
    subject_type: string;
    subject_id: string;
    created_at: string;
    expires_at: string;
  },
) {
  await db.insertInto('sessions').values(row).execute();
}

export async function findSession(db: Kysely<DB>, tokenHash: string) {
  return db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function deleteSession(db: Kysely<DB>, tokenHash: string) {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

export async function findResidentByPhone(db: Kysely<DB>, phone: string) {
  return db
    .selectFrom('residents')
    .selectAll()
    .where('phone', '=', phone)
    .orderBy('created_at')
    .executeTakeFirst();
}

export async function findResidentById(db: Kysely<DB>, id: string) {
  return db.selectFrom('residents').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function latestOtp(db: Kysely<DB>, phone: string) {
  return db
    .selectFrom('otp_codes')
    .selectAll()
    .where('phone', '=', phone)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function insertOtp(
  db: Kysely<DB>,
  row: { id: string; phone: string; code_hash: string; created_at: string; expires_at: string },
) {
  await db
    .insertInto('otp_codes')
    .values({ ...row, attempts: 0, used_at: null })
    .execute();
}

/**
 * Takes one of a code's attempts, in the database itself: answers false when none is left or the
 * code was used. Guesses sent at once (to one node or several) each take one, so no more than
 * `max` are ever checked.
 */
export async function claimOtpAttempt(db: Kysely<DB>, id: string, max: number): Promise<boolean> {
  const r = await db
    .updateTable('otp_codes')
    .set({ attempts: sql<number>`attempts + 1` })
    .where('id', '=', id)
    .where('attempts', '<', max)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Marks a code used; false when another request used it first. */
export async function useOtp(db: Kysely<DB>, id: string, at: string): Promise<boolean> {
  const r = await db
    .updateTable('otp_codes')
    .set({ used_at: at })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** On PostgreSQL, holds a lock on a phone's codes until the transaction ends (SQLite has one writer). */
export async function lockPhoneCodes(db: Kysely<DB>, dialect: 'sqlite' | 'postgres', phone: string) {
  if (dialect === 'postgres')
    await sql`select pg_advisory_xact_lock(hashtext(${`otp:${phone}`}))`.execute(db);
}

export async function findApiKeyByHash(db: Kysely<DB>, keyHash: string) {
  return db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
}

export async function insertApiKey(
  db: Kysely<DB>,
  row: {
    id: string;
    community_id: string;
    name: string;
    prefix: string;
    key_hash: string;
    scopes_json: string;
    created_at: string;
  },
) {
  await db
    .insertInto('api_keys')
    .values({ ...row, revoked_at: null })
    .execute();
}

export async function listApiKeys(db: Kysely<DB>, communityIds: string[]) {
  if (communityIds.length === 0) return [];
  return db
    .selectFrom('api_keys')
    .select(['id', 'community_id', 'name', 'prefix', 'scopes_json', 'created_at', 'revoked_at'])
    .where('community_id', 'in', communityIds)
    .orderBy('created_at')
    .execute();
}

/** Revokes a live key; answers false when the key is already revoked (its revoked_at stays). */
export async function revokeApiKey(db: Kysely<DB>, id: string, at: string): Promise<boolean> {
  const r = await db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function findApiKeyById(db: Kysely<DB>, id: string) {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

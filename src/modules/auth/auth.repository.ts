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

/** The grids a person works, in the communities they serve now (a grid's rows outlive a move). */
export async function gridsOfUser(db: Kysely<DB>, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('grid_workers')
    .innerJoin('grids', 'grids.id', 'grid_workers.grid_id')
    .innerJoin('user_communities', (j) =>
      j
        .onRef('user_communities.user_id', '=', 'grid_workers.user_id')
        .onRef('user_communities.community_id', '=', 'grids.community_id'),
    )
    .select('grid_workers.grid_id')
    .where('grid_workers.user_id', '=', userId)
    .execute();
  return rows.map((r) => r.grid_id);
}

/**
 * Takes one sign-in attempt for a username before its password is checked, in one statement: it
 * counts as a failure until a success clears it (`clearLoginAttempts`), so guesses sent at once,
 * to one node or many, each take one. The `max`-th locks the name until `lockUntil` and starts
 * the count again; while it is locked no attempt is taken, and the answer is when it opens.
 */
export async function claimLoginAttempt(
  db: Kysely<DB>,
  username: string,
  max: number,
  now: string,
  lockUntil: string,
): Promise<{ ok: true } | { ok: false; lockedUntil: string }> {
  const reached = sql<boolean>`login_attempts.failures + 1 >= ${max}`;
  const first = max <= 1;
  const taken = await db
    .insertInto('login_attempts')
    .values({
      username,
      failures: first ? 0 : 1,
      locked_until: first ? lockUntil : null,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .column('username')
        .doUpdateSet({
          failures: sql<number>`case when ${reached} then 0 else login_attempts.failures + 1 end`,
          locked_until: sql<string | null>`case when ${reached} then ${lockUntil} else null end`,
          updated_at: now,
        })
        .where((eb) =>
          eb.or([
            eb('login_attempts.locked_until', 'is', null),
            eb('login_attempts.locked_until', '<=', now),
          ]),
        ),
    )
    .returning('username')
    .executeTakeFirst();
  if (taken) return { ok: true };
  const row = await db
    .selectFrom('login_attempts')
    .select('locked_until')
    .where('username', '=', username)
    .executeTakeFirst();
  return { ok: false, lockedUntil: row?.locked_until ?? lockUntil };
}

/**
 * The key of a username's attempts in `login_attempts.username`: `["name"]` for the name over all
 * addresses, `["name","address"]` for the name from one address. JSON keeps the two kinds apart
 * whatever is typed as a username (a name cannot pose as another's key), and escapes control
 * characters, which PostgreSQL's text does not hold (NUL).
 */
export const attemptKey = (username: string, address?: string) =>
  JSON.stringify(address === undefined ? [username] : [username, address]);

/** An admin's reset or unlock: the name's count and locks are cleared, from every address (how many rows went). */
export async function clearLoginAttempts(db: Kysely<DB>, username: string): Promise<number> {
  // Every `["name","address"]` key starts with `["name",` (matched as a LIKE prefix, not a range:
  // under PostgreSQL's collations punctuation does not sort by code point).
  const prefix = `${attemptKey(username).slice(0, -1)},`.replace(/[\\%_]/g, (c) => `\\${c}`);
  return db
    .deleteFrom('login_attempts')
    .where((eb) =>
      eb.or([
        eb('username', '=', attemptKey(username)),
        eb('username', 'like', sql<string>`${`${prefix}%`} escape '\\'`),
      ]),
    )
    .executeTakeFirst()
    .then((r) => Number(r.numDeletedRows));
}

/** A right password from this address: the name's count, and this address's, are cleared. */
export async function clearAttemptsFrom(db: Kysely<DB>, username: string, address: string): Promise<void> {
  await db
    .deleteFrom('login_attempts')
    .where('username', 'in', [attemptKey(username), attemptKey(username, address)])
    .execute();
}

/** Forgets names neither locked nor tried since `before` (unknown names would otherwise pile up). */
export async function purgeLoginAttempts(db: Kysely<DB>, before: string, now: string): Promise<void> {
  await db
    .deleteFrom('login_attempts')
    .where('updated_at', '<', before)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .execute();
}

/** When codes were sent to a phone since `since`, oldest first. */
export async function otpTimesSince(db: Kysely<DB>, phone: string, since: string): Promise<string[]> {
  const rows = await db
    .selectFrom('otp_codes')
    .select('created_at')
    .where('phone', '=', phone)
    .where('created_at', '>=', since)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => r.created_at);
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

/** The resident with this phone; `lock` reads the row FOR SHARE on PostgreSQL (an erasure waits, or is waited for). */
export async function findResidentByPhone(db: Kysely<DB>, phone: string, lock?: 'postgres' | 'sqlite') {
  const q = db.selectFrom('residents').selectAll().where('phone', '=', phone).orderBy('created_at');
  return (lock === 'postgres' ? q.forShare() : q).executeTakeFirst();
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

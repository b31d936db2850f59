import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * Failed sign-ins counted per username as typed, in `login_attempts`, in place of the account's
 * own `failed_logins` and `locked_until`:
 * - an unknown name now locks after as many failures as a real one, so the lockout no longer
 *   tells which usernames exist (a real one answered 423 after five wrong passwords, an unknown
 *   one 401 for ever);
 * - an attempt is taken before the password is checked, so guesses sent at once each count and
 *   none is checked once the name is locked (they were all checked, and a right one among them
 *   signed in and cleared the count).
 * Counts and locks in force are carried over.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('login_attempts')
    .addColumn('username', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_attempts_updated').on('login_attempts').column('updated_at').execute();
  const now = new Date().toISOString();
  await sql`insert into login_attempts (username, failures, locked_until, updated_at)
    select username, failed_logins, locked_until, ${now} from users
    where failed_logins > 0 or locked_until is not null`.execute(db);
  await db.schema.alterTable('users').dropColumn('failed_logins').execute();
  await db.schema.alterTable('users').dropColumn('locked_until').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('users').addColumn('locked_until', 'text').execute();
  await sql`update users set
    failed_logins = coalesce((select a.failures from login_attempts a where a.username = users.username), 0),
    locked_until = (select a.locked_until from login_attempts a where a.username = users.username)`.execute(
    db,
  );
  await db.schema.dropTable('login_attempts').execute();
}

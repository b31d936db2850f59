import type { Kysely } from 'kysely';

/**
 * `users.must_change_password`: set when someone other than the person chose their password (a
 * new account's or a reset's temporary password, an admin-given one); until the person sets their
 * own, the API answers them `password_change_required` except for who they are, the password
 * change and signing out.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('must_change_password').execute();
}

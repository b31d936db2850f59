import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * `login_attempts` counts a username over all addresses and from each address apart; its keys
 * become JSON (`["name"]`, `["name","address"]`, see `attemptKey`), which keeps the two kinds
 * apart whatever is typed as a username. The counts and locks in force, kept under the bare
 * name until now, are carried over to `["name"]`. The table holds a day of attempts at most.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const rows = await sql<{ username: string }>`select username from login_attempts`.execute(db);
  for (const r of rows.rows)
    await sql`update login_attempts set username = ${JSON.stringify([r.username])}
      where username = ${r.username}`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const rows = await sql<{ username: string }>`select username from login_attempts`.execute(db);
  for (const r of rows.rows) {
    const key = JSON.parse(r.username) as string[];
    // Counts from one address have no place in the older table.
    if (key.length !== 1) await sql`delete from login_attempts where username = ${r.username}`.execute(db);
    else await sql`update login_attempts set username = ${key[0]} where username = ${r.username}`.execute(db);
  }
}

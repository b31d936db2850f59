/**
 * Migration 2026120660: counts and locks in force under a bare username are carried over to the
 * JSON key (`["name"]`) sign-in now reads, on both databases, and back again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { freshDatabase } from '../helpers.ts';
import { migrateTo } from '../../src/platform/db/database.ts';

test('migration 2026120660 carries login attempts over to JSON keys', async () => {
  const fresh = await freshDatabase({ migrate: false });
  try {
    const db = fresh.database.db;

    await migrateTo(fresh.database, '2026120650_search_width');
    const until = '2026-12-06T10:30:00.000Z';
    for (const name of ['admin', 'O\'Brien "x"', 'a%_b\\c'])
      await sql`insert into login_attempts (username, failures, locked_until, updated_at)
        values (${name}, 3, ${until}, ${until})`.execute(db);
    await migrateTo(fresh.database, '2026120660_login_attempt_keys');
    const keys = async () =>
      (await db.selectFrom('login_attempts').select(['username', 'failures', 'locked_until']).execute())
        .map((r) => `${r.username} ${r.failures} ${r.locked_until}`)
        .sort();
    assert.deepEqual(await keys(), [
      `${JSON.stringify(['O\'Brien "x"'])} 3 ${until}`,
      `${JSON.stringify(['a%_b\\c'])} 3 ${until}`,
      `["admin"] 3 ${until}`,
    ]);
    await sql`insert into login_attempts (username, failures, locked_until, updated_at)
      values ('["admin","203.0.113.5"]', 1, null, ${until})`.execute(db);
    await migrateTo(fresh.database, '2026120650_search_width');
    assert.deepEqual(await keys(), [`O'Brien "x" 3 ${until}`, `a%_b\\c 3 ${until}`, `admin 3 ${until}`]);
  } finally {
    await fresh.dispose();
  }
});

/**
 * A process that holds a write transaction for a while, as a server committing a batch does:
 * opens the database, begins, writes a row of `sequences`, prints "holding", waits HOLD_MS and
 * commits. Env: SQLITE_FILE or DATABASE_URL + LINLI_DB_SCHEMA; HOLD_MS.
 */
import { openDatabase } from '../../src/platform/db/database.ts';

const env = process.env;
const database = await openDatabase(
  env.SQLITE_FILE ? { sqliteFile: env.SQLITE_FILE } : { url: env.DATABASE_URL, schema: env.LINLI_DB_SCHEMA },
);
try {
  await database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('sequences')
      .values({ name: `held:${process.pid}`, value: 1 })
      .execute();
    process.stdout.write('holding\n');
    await new Promise((r) => setTimeout(r, Number(env.HOLD_MS ?? 1000)));
  });
  process.stdout.write('committed\n');
} finally {
  await database.destroy();
}

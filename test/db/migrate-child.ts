/**
 * A process that migrates a database at an agreed moment, for the concurrent-migration test:
 * opens it (the open alone creates a new SQLite file), waits until START_AT (epoch ms), then
 * applies the pending migrations and prints how many it applied, or the error.
 * Env: SQLITE_FILE or DATABASE_URL + LINLI_DB_SCHEMA; START_AT.
 */
import { migrateToLatest, openDatabase } from '../../src/platform/db/database.ts';

const env = process.env;
const database = await openDatabase(
  env.SQLITE_FILE ? { sqliteFile: env.SQLITE_FILE } : { url: env.DATABASE_URL, schema: env.LINLI_DB_SCHEMA },
);
await new Promise((r) => setTimeout(r, Math.max(0, Number(env.START_AT) - Date.now())));
try {
  const applied = await migrateToLatest(database);
  process.stdout.write(JSON.stringify({ applied: applied.length }) + '\n');
} catch (e) {
  process.stdout.write(JSON.stringify({ error: (e as Error).message }) + '\n');
} finally {
  await database.destroy();
}

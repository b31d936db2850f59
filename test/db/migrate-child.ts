/**
 * A process that migrates a database at an agreed moment, for the concurrent-migration test:
 * opens it (the open alone creates a new SQLite file), waits until START_AT (epoch ms), then
 * applies the pending migrations and prints how many it applied, or the error.
 * Env: SQLITE_FILE or DATABASE_URL + LINLI_DB_SCHEMA; START_AT; PROGRESS=1 migrates with a progress
 * reporter, as `linli serve` does, and also prints the async id a promise continuation runs in
 * afterwards (0 unless something left Node's promise hooks on).
 */
import { executionAsyncId } from 'node:async_hooks';
import { migrateToLatest, openDatabase } from '../../src/platform/db/database.ts';

const env = process.env;
const database = await openDatabase(
  env.SQLITE_FILE ? { sqliteFile: env.SQLITE_FILE } : { url: env.DATABASE_URL, schema: env.LINLI_DB_SCHEMA },
);
await new Promise((r) => setTimeout(r, Math.max(0, Number(env.START_AT) - Date.now())));
try {
  const meters: string[] = [];
  const applied = await migrateToLatest(
    database,
    env.PROGRESS === '1' ? { progress: (label) => (meters.push(label), { update() {}, finish() {} }) } : {},
  );
  const asyncId = await Promise.resolve().then(() => executionAsyncId());
  process.stdout.write(JSON.stringify({ applied: applied.length, meters: meters.length, asyncId }) + '\n');
} catch (e) {
  process.stdout.write(JSON.stringify({ error: (e as Error).message }) + '\n');
} finally {
  await database.destroy();
}

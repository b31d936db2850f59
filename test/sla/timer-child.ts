/**
 * A worker node for the restart test: opens the test database, builds the app and fires SLA
 * timers batch after batch (pausing between batches) until it is killed.
 * Env: SQLITE_FILE or DATABASE_URL + LINLI_DB_SCHEMA; NOW (ISO); DATA_DIR.
 */
import { join } from 'node:path';
import { loadConfig } from '../../src/platform/config.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import { DiskFileStore } from '../../src/platform/files.ts';
import { silentLogger } from '../../src/platform/context.ts';
import { buildApp } from '../../src/platform/http/app.ts';

const env = process.env;
const database = await openDatabase(
  env.SQLITE_FILE ? { sqliteFile: env.SQLITE_FILE } : { url: env.DATABASE_URL, schema: env.LINLI_DB_SCHEMA },
);
const dataDir = env.DATA_DIR ?? '.';
const { services } = await buildApp({
  database,
  clock: new ManualClock(env.NOW ?? new Date().toISOString()),
  config: { ...loadConfig({}), dataDir, auditAnchorFile: null, auditSigningKeyFile: null, workers: false },
  files: new DiskFileStore(join(dataDir, 'files')),
  logger: silentLogger,
});
process.stdout.write('ready\n');
for (;;) {
  await services.sla.timers.runBatch();
  await new Promise((r) => setTimeout(r, Number(env.PAUSE_MS ?? 20)));
}

import { publicBaseUrl } from './platform/config.ts';
import type { Config } from './platform/config.ts';
import { systemClock } from './platform/clock.ts';
import { assertWritable, migrateToLatest, openDatabase } from './platform/db/database.ts';
import type { Database } from './platform/db/database.ts';
import { DiskFileStore } from './platform/files.ts';
import type { FileStore } from './platform/files.ts';
import { DatabaseFileStore } from './platform/files.database.ts';
import { buildApp } from './platform/http/app.ts';
import type { BuiltApp } from './platform/http/app.ts';
import { DelegatingLogger } from './platform/context.ts';
import { SYSTEM } from './platform/auth/principal.ts';
import { startWorkers } from './workers.ts';

export async function openConfiguredDatabase(config: Config): Promise<Database> {
  return openDatabase({
    url: config.databaseUrl,
    schema: config.databaseSchema,
    dataDir: config.dataDir,
    sqliteCacheMb: config.sqliteCacheMb,
    backgroundCheckpoints: config.sqliteBackgroundCheckpoints,
  });
}

/**
 * The file store the configuration chose: the database (every app node serves every photo; the
 * default on PostgreSQL) or the disk folder (the default on SQLite).
 */
export function openConfiguredFileStore(
  config: Pick<Config, 'fileStore' | 'filesDir'>,
  database: Database,
): FileStore {
  return config.fileStore === 'database'
    ? new DatabaseFileStore(database.db)
    : new DiskFileStore(config.filesDir);
}

export interface Running {
  built: BuiltApp;
  url: string;
  stop(): Promise<void>;
}

/** Migrates, builds the app, starts background workers and listens. */
export async function startServer(
  config: Config,
  opts: { database?: Database; onReady?: (url: string) => void } = {},
): Promise<Running> {
  const database = opts.database ?? (await openConfiguredDatabase(config));
  // Services log through Fastify's pino logger, which exists only once the app is built.
  const logger = new DelegatingLogger();
  await migrateToLatest(database);
  await assertWritable(database);
  const files = openConfiguredFileStore(config, database);
  const built = await buildApp(
    {
      database,
      clock: systemClock,
      config,
      files,
      logger,
    },
    { logger: { level: config.logLevel } },
  );
  logger.target = built.app.log;
  // Load the shipped model (and the segmenter) before taking requests: otherwise the first order
  // after a start, possibly an emergency, waits about 0.4 s for it.
  built.services.classification.warmUp();
  const address = await built.app.listen({ port: config.port, host: config.host });
  if (!config.publicUrl && !/^(127\.|localhost$|::1$)/.test(config.host))
    built.app.log.warn(
      `LINLI_PUBLIC_URL is not set: published links (Open311 discovery, photos) name ${publicBaseUrl(config)}`,
    );
  // Changes other nodes (or the command line) make reach this node's caches within a second.
  built.services.coherence.start();
  const workers = config.workers
    ? startWorkers(built, database, SYSTEM, logger, files, {
        anchorFile: config.auditAnchorFile,
        anchorMinutes: config.auditAnchorMinutes,
      })
    : null;
  return {
    built,
    url: address,
    stop: async () => {
      // Requests and the background loops' iterations in flight finish together, both before
      // the database closes under them.
      await Promise.all([workers?.stop(), built.app.close()]);
      await database.destroy();
    },
  };
}

import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';
import { startCheckpointer } from './checkpointer.ts';
import { withMigrationProgress, type MigrationProgress } from './migration-progress.ts';
import * as core from './migrations/2026112101_core.ts';
import * as open311 from './migrations/2026112110_open311.ts';
import * as classification from './migrations/2026112140_classification.ts';
import * as sla from './migrations/2026112120_sla.ts';
import * as matching from './migrations/2026112130_matching.ts';
import * as partialIndexes from './migrations/2026112150_partial_indexes.ts';
import * as slaClockTimers from './migrations/2026112160_sla_clock_timers.ts';
import * as missingPerson from './migrations/2026120501_missing_person.ts';
import * as orderRollups from './migrations/2026120510_order_rollups.ts';
import * as passwordChange from './migrations/2026120520_password_change.ts';
import * as cacheInvalidations from './migrations/2026120530_cache_invalidations.ts';
import * as rateLimitCounters from './migrations/2026120540_rate_limit_counters.ts';
import * as slaPolicyScopes from './migrations/2026120550_sla_policy_scopes.ts';
import * as residentLookups from './migrations/2026120560_resident_lookups.ts';
import * as blankSentCodes from './migrations/2026120570_blank_sent_codes.ts';
import * as searchText from './migrations/2026120580_search_text.ts';
import * as oneActiveModel from './migrations/2026120590_one_active_model.ts';
import * as storedFiles from './migrations/2026120600_stored_files.ts';
import * as slaUnresolvedClosures from './migrations/2026120610_sla_unresolved_closures.ts';
import * as rollupFirstResponse from './migrations/2026120620_rollup_first_response.ts';
import * as loginAttempts from './migrations/2026120630_login_attempts.ts';
import * as householdHistory from './migrations/2026120640_household_history.ts';
import * as searchWidth from './migrations/2026120650_search_width.ts';
import * as loginAttemptKeys from './migrations/2026120660_login_attempt_keys.ts';
import * as residentErasure from './migrations/2026120670_resident_erasure.ts';
import * as residentFormerNames from './migrations/2026120680_resident_former_names.ts';
import * as searchIndex from './migrations/2026120690_search_index.ts';
import * as open311TokenOrders from './migrations/2026120700_open311_token_orders.ts';
import * as searchIndexPurge from './migrations/2026120710_search_index_purge.ts';
import * as timeBank from './migrations/2026120720_time_bank.ts';
import * as proposals from './migrations/2026120730_proposals.ts';
import * as auditSigningKeys from './migrations/2026120760_audit_signing_keys.ts';
import * as dispatchEmergencyLane from './migrations/2026120815_dispatch_emergency_lane.ts';
import * as reversalsAndProposalIndexes from './migrations/2026120820_reversals_and_proposal_indexes.ts';
import * as timeRecordReversals from './migrations/2026120830_time_record_reversals.ts';
import * as webhookOutboxAddresses from './migrations/2026120840_webhook_outbox_addresses.ts';
import * as slaPolicyTargetCaps from './migrations/2026120850_sla_policy_target_caps.ts';
import * as timeRecordsOfErased from './migrations/2026120860_time_records_of_erased.ts';
import * as dashboardFirstResponse from './migrations/2026120870_dashboard_first_response.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  /** PostgreSQL schema in use, when one was chosen. */
  schema?: string | undefined;
  destroy(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… ; absent → SQLite */
  url?: string | undefined;
  /** PostgreSQL schema (created if missing). */
  schema?: string | undefined;
  /** SQLite file; ':memory:' for a throw-away database. */
  sqliteFile?: string;
  /** Directory for the default SQLite file. */
  dataDir?: string;
  poolSize?: number;
  /** SQLite page cache in MB (default 4). */
  sqliteCacheMb?: number;
  /** Run WAL checkpoints on a worker thread instead of inside commits (servers; see checkpointer.ts). */
  backgroundCheckpoints?: boolean;
  /** Where the checkpointer reports trouble. */
  onWarning?: (message: string) => void;
}

/** Migrations are listed here, in order, rather than discovered on disk, so both databases and the bundled CLI see the same set. */
export const MIGRATIONS: Record<string, Migration> = {
  '2026112101_core': core,
  '2026112110_open311': open311,
  '2026112140_classification': classification,
  '2026112120_sla': sla,
  '2026112130_matching': matching,
  '2026112150_partial_indexes': partialIndexes,
  '2026112160_sla_clock_timers': slaClockTimers,
  '2026120501_missing_person': missingPerson,
  '2026120510_order_rollups': orderRollups,
  '2026120520_password_change': passwordChange,
  '2026120530_cache_invalidations': cacheInvalidations,
  '2026120540_rate_limit_counters': rateLimitCounters,
  '2026120550_sla_policy_scopes': slaPolicyScopes,
  '2026120560_resident_lookups': residentLookups,
  '2026120570_blank_sent_codes': blankSentCodes,
  '2026120580_search_text': searchText,
  '2026120590_one_active_model': oneActiveModel,
  '2026120600_stored_files': storedFiles,
  '2026120610_sla_unresolved_closures': slaUnresolvedClosures,
  '2026120620_rollup_first_response': rollupFirstResponse,
  '2026120630_login_attempts': loginAttempts,
  '2026120640_household_history': householdHistory,
  '2026120650_search_width': searchWidth,
  '2026120660_login_attempt_keys': loginAttemptKeys,
  '2026120670_resident_erasure': residentErasure,
  '2026120680_resident_former_names': residentFormerNames,
  '2026120690_search_index': searchIndex,
  '2026120700_open311_token_orders': open311TokenOrders,
  '2026120710_search_index_purge': searchIndexPurge,
  '2026120720_time_bank': timeBank,
  '2026120730_proposals': proposals,
  '2026120760_audit_signing_keys': auditSigningKeys,
  '2026120815_dispatch_emergency_lane': dispatchEmergencyLane,
  '2026120820_reversals_and_proposal_indexes': reversalsAndProposalIndexes,
  '2026120830_time_record_reversals': timeRecordReversals,
  '2026120840_webhook_outbox_addresses': webhookOutboxAddresses,
  '2026120850_sla_policy_target_caps': slaPolicyTargetCaps,
  '2026120860_time_records_of_erased': timeRecordsOfErased,
  '2026120870_dashboard_first_response': dashboardFirstResponse,
};

export function registerMigration(name: string, migration: Migration): void {
  MIGRATIONS[name] = migration;
}

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Schema names are spliced into SQL: plain lower-case identifiers only. */
function assertSchemaName(schema: string): void {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);
}

/** Opens the database chosen by the configuration: PostgreSQL when a URL is given, SQLite (WAL) otherwise. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const schema = options.schema;
    if (schema) assertSchemaName(schema);
    if (schema) {
      const admin = new pg.Client({ connectionString: options.url });
      await admin.connect();
      await admin.query(`create schema if not exists ${schema}`);
      await admin.end();
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    // A pooled connection that the server closes while idle (a restart, a failover, an idle
    // timeout, an administrator) is reported here; without a listener Node ends the process.
    // The pool drops that connection and opens a new one for the next query.
    pool.on('error', (err) => {
      (options.onWarning ?? ((m) => console.warn(m)))(`database connection lost while idle: ${err.message}`);
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', schema, destroy: () => db.destroy() };
  }
  let file = options.sqliteFile;
  if (!file) {
    const dir = options.dataDir ?? './data';
    // Residents' personal data lives here: a new folder and database file are the owner's alone.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    file = join(dir, 'linli.sqlite');
  }
  const isNew = file !== ':memory:' && !existsSync(file);
  const sqlite = new SQLite(file);
  if (isNew) chmodSync(file, 0o600);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a process crash (kill -9); only a power loss may drop the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Deleted and overwritten content is zeroed, not left in the free space of its page: an
  // erasure (PIPL art. 47) left a resident's phone in a freed cell of the phone index, readable
  // in the file's bytes. See `scrubWal` for the copies the write-ahead log still holds.
  sqlite.pragma('secure_delete = ON');
  // Page cache per connection. The operating system caches the file as well, so a larger
  // cache mostly costs resident memory: 4 MB keeps the index pages the write path touches
  // (1M-order list queries measured p99 15 ms with it).
  sqlite.pragma(`cache_size = -${(options.sqliteCacheMb ?? 4) * 1024}`);
  // Kysely prepares every query afresh; caching prepared statements by their SQL text saves
  // most of that work on the hot paths, which repeat a handful of statements.
  const statements = new Map<string, SQLite.Statement>();
  const cached = {
    close: () => sqlite.close(),
    prepare: (sqlText: string) => {
      // Transactions take the write lock when they begin. A deferred one that read first and
      // then wrote, while another process (the CLI beside a server, a second node on the file)
      // had committed meanwhile, failed at once with "database is locked": its snapshot was
      // stale, and SQLite does not wait (busy_timeout) for that. One that begins immediate waits.
      const text = sqlText === 'begin' ? 'begin immediate' : sqlText;
      let st = statements.get(text);
      if (!st) {
        if (statements.size >= 1000) statements.clear();
        st = sqlite.prepare(text);
        statements.set(text, st);
      }
      return st;
    },
  };
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: cached }) });
  const checkpointer =
    options.backgroundCheckpoints && file !== ':memory:'
      ? startCheckpointer(sqlite, file, { onError: options.onWarning ?? ((m) => console.warn(m)) })
      : null;
  return {
    db,
    dialect: 'sqlite',
    destroy: async () => {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/**
 * PostgreSQL advisory lock held by whoever changes a schema's tables in a database several
 * schemas share: a migration, a schema's removal. The migrator reads the catalogue across every
 * schema (Kysely's introspection, which names each table it lists again), so a table that
 * another schema's migration renames or drops at that moment, or a schema dropped meanwhile,
 * makes the read fail ("relation t_….sla_policies_global does not exist", seen when two test
 * files migrated at once). So one holds it at a time; a migration of a fresh schema takes a
 * second or two, and the others wait for it.
 */
export const SCHEMA_DDL_LOCK = 7_311_000_001;

/**
 * Applies every pending migration; throws with the failing migration's name. `progress`, when
 * given, is told how far a migration's data work has gone (a million orders take minutes).
 */
export async function migrateToLatest(
  database: Database,
  { progress }: { progress?: MigrationProgress } = {},
): Promise<string[]> {
  return withMigrationProgress(progress, () => migrateUnderLock(database));
}

/**
 * Migrates up or down to `target` (tests of a migration's data work), under the same locks as
 * `migrateToLatest`: on PostgreSQL other schemas' migrations read the catalogue meanwhile.
 */
export async function migrateTo(database: Database, target: string): Promise<string[]> {
  return migrateUnderLock(database, target);
}

async function migrateUnderLock(database: Database, target?: string): Promise<string[]> {
  if (database.dialect !== 'postgres') {
    // Kysely's migrator takes no lock on SQLite: two processes starting on one new file (two
    // `serve --demo`, a `migrate` beside a `serve`) both created the tables, and one failed with
    // "table … already exists". The whole run is one IMMEDIATE transaction, so the second waits
    // for the write lock (busy_timeout), then finds nothing left to apply.
    return database.db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const applied = await migrateOn(database, conn, { inTransaction: true, target });
        await sql`commit`.execute(conn);
        return applied;
      } catch (e) {
        await sql`rollback`.execute(conn);
        throw e;
      }
    });
  }
  return withSchemaLock(database, (conn) => migrateOn(database, conn, { target }));
}

/** Drops a PostgreSQL schema and everything in it, never while a migration reads the catalogue. */
export async function dropSchema(client: pg.ClientBase, schema: string): Promise<void> {
  assertSchemaName(schema);
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock($1)', [SCHEMA_DDL_LOCK]);
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.query('commit');
  } catch (e) {
    await client.query('rollback');
    throw e;
  }
}

/**
 * A database migrated by a newer Linli: it has applied migrations this version does not know.
 * Nothing is migrated or changed; the way on is to upgrade Linli (or restore a backup).
 */
export class NewerDatabaseError extends Error {
  constructor(readonly unknownMigrations: readonly string[]) {
    super(
      `this database was migrated by a newer version of Linli: it has the migration${unknownMigrations.length === 1 ? '' : 's'} ${unknownMigrations.join(', ')}, which this version does not know. Upgrade Linli to run against it (nothing was changed)`,
    );
    this.name = 'NewerDatabaseError';
  }
}

/** Throws `NewerDatabaseError` when the database records migrations this version does not have. */
async function refuseNewerDatabase(database: Database, db: Kysely<DB>): Promise<void> {
  const table = database.schema ? `${database.schema}.kysely_migration` : 'kysely_migration';
  const exists =
    database.dialect === 'postgres'
      ? (await sql<{ t: string | null }>`select to_regclass(${table})::text as t`.execute(db)).rows[0]?.t
      : (
          await sql<{
            name: string;
          }>`select name from sqlite_master where type = 'table' and name = 'kysely_migration'`.execute(db)
        ).rows[0];
  if (!exists) return;
  const applied = await sql<{ name: string }>`select name from ${sql.table(table)} order by name`.execute(db);
  const unknown = applied.rows.map((r) => r.name).filter((name) => !Object.hasOwn(MIGRATIONS, name));
  if (unknown.length) throw new NewerDatabaseError(unknown);
}

async function migrateOn(
  database: Database,
  db: Kysely<DB>,
  { inTransaction = false, target }: { inTransaction?: boolean; target?: string | undefined } = {},
): Promise<string[]> {
  // Before the migrator, which calls such a database "corrupted" (and after its lock: a newer
  // node may be migrating it right now).
  await refuseNewerDatabase(database, db);
  // Kysely looks for its bookkeeping tables across all schemas unless told which one is ours.
  const migrator = new Migrator({
    db,
    provider,
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
    ...(inTransaction ? { disableTransactions: true } : {}),
  });
  const { error, results } = target ? await migrator.migrateTo(target) : await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${reason}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Refuses to go on with a database that can be read but not written (a read-only file or
 * folder, a read-only replica): the server would start, answer /healthz, and then fail every
 * sign-in and change. One upsert of a row kept for it, at start-up only.
 */
export async function assertWritable(database: Database): Promise<void> {
  try {
    await database.db
      .insertInto('sequences')
      .values({ name: 'write_probe', value: 1 })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: sql<number>`sequences.value` }))
      .execute();
  } catch (err) {
    throw new Error(`the database cannot be written: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A cheap round-trip used by /healthz. */
export async function ping(database: Database): Promise<void> {
  await sql`select 1`.execute(database.db);
}

/**
 * After a change that must leave no copy behind (an erasure): on SQLite, the pages it rewrote
 * are copied into the database file and the write-ahead log is cut to nothing, where the old
 * pages would otherwise lie until overwritten. A reader in the middle of a read keeps the log
 * from being cut; this tries a few times and reports whether it was. PostgreSQL keeps old row
 * versions until it vacuums them: nothing to do here.
 */
export async function scrubWal(database: Database, attempts = 5): Promise<boolean> {
  if (database.dialect !== 'sqlite') return true;
  for (let i = 0; i < attempts; i++) {
    const r = await sql<{ busy: number }>`pragma wal_checkpoint(TRUNCATE)`.execute(database.db);
    if (r.rows[0]?.busy === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/**
 * Runs `work` under the schema-change lock on PostgreSQL (`SCHEMA_DDL_LOCK`), on the connection
 * holding it: the migrator, and a test calling a migration's `up` or `down` itself, so no other
 * schema's migration reads the catalogue meanwhile.
 */
export async function withSchemaLock<T>(
  database: Database,
  work: (conn: Kysely<DB>) => Promise<T>,
): Promise<T> {
  if (database.dialect !== 'postgres') return work(database.db);
  return database.db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${SCHEMA_DDL_LOCK})`.execute(conn);
    try {
      return await work(conn);
    } finally {
      await sql`select pg_advisory_unlock(${SCHEMA_DDL_LOCK})`.execute(conn);
    }
  });
}

/**
 * Two first starts at once on one empty database (two `serve --demo`, or `seed --demo` and
 * `serve --demo`): one seeds the demo, the other waits for it and finds it there. Before, the
 * second failed with the unique constraint of the begun mark ("duplicate key value violates
 * unique constraint sequences_pkey") on PostgreSQL, or was told on SQLite that the demo was
 * incomplete and to delete the data folder, under the feet of the process still loading it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freshDatabase } from '../helpers.ts';
import { migrateToLatest, openDatabase } from '../../src/platform/db/database.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { seedDemo } from '../../src/seed/demo.ts';

const ORDERS = 3;
/** The default demo's orders per community. */
const LARGE = 1200;
const options = { ordersPerCommunity: ORDERS, historyDays: 5 };

/** A second connection (SQLite) or pool (PostgreSQL) to the database `fresh` opened, as another process has. */
function secondHandle(fresh: { database: Database; dataDir: string }): Promise<Database> {
  const url = process.env.DATABASE_URL;
  return url
    ? openDatabase({ url, schema: fresh.database.schema, poolSize: 5 })
    : openDatabase({ sqliteFile: join(fresh.dataDir, 'test.sqlite') });
}

/** What a seeded database holds of the demo, counted. */
async function demoCounts(database: Database) {
  const db = database.db;
  const count = async (table: 'communities' | 'streets' | 'work_orders') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const admins = await db.selectFrom('users').select('id').where('username', '=', 'street_admin').execute();
  const marks = await db
    .selectFrom('sequences')
    .select(['name', 'value'])
    .where('name', 'like', 'demo_seed%')
    .orderBy('name')
    .execute();
  return {
    communities: await count('communities'),
    streets: await count('streets'),
    orders: await count('work_orders'),
    streetAdmins: admins.length,
    marks: marks.map((m) => `${m.name}=${Number(m.value)}`),
  };
}

const oneDemo = (ordersPerCommunity = ORDERS) => ({
  communities: 2,
  streets: 1,
  orders: 2 * ordersPerCommunity,
  streetAdmins: 1,
  marks: ['demo_seed=2'],
});

/** Resolves once the begun mark is in the database (another process has started to seed). */
async function untilBegun(database: Database): Promise<void> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const mark = await database.db
      .selectFrom('sequences')
      .select('value')
      .where('name', '=', 'demo_seed')
      .executeTakeFirst();
    if (mark) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('the seed never began');
}

/** The database the CLI opens in `fresh`'s data folder: on SQLite linli.sqlite, on PostgreSQL the same schema. */
async function cliDatabase(fresh: { database: Database; dataDir: string }): Promise<Database> {
  if (fresh.database.dialect === 'postgres') return fresh.database;
  const database = await openDatabase({ dataDir: fresh.dataDir });
  await migrateToLatest(database);
  return database;
}

/** Runs `linli ARGS` on `fresh`'s database as a user does; answers its exit code and output. */
function linli(
  fresh: { database: Database; dataDir: string },
  args: string[],
  orders = ORDERS,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LINLI_DATA_DIR: fresh.dataDir,
    LINLI_DEMO_ORDERS: String(orders),
    ...(fresh.database.schema ? { LINLI_DB_SCHEMA: fresh.database.schema } : {}),
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/linli.mjs', ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('demo seed: two first starts at once', () => {
  it('two seeds started together on one empty database: one seeds, the other finds the demo, once', async () => {
    const fresh = await freshDatabase();
    const other = await secondHandle(fresh);
    try {
      const results = await Promise.allSettled([seedDemo(fresh.database, options), seedDemo(other, options)]);
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
      assert.deepEqual(failed, []);
      const seeded = results.map((r) => (r.status === 'fulfilled' ? r.value.seeded : null));
      assert.deepEqual([...seeded].sort(), [false, true]);
      // Both summaries name the same two communities: the ones in the database.
      const ids = results.map((r) =>
        r.status === 'fulfilled' ? r.value.communities.map((c) => c.id).sort() : [],
      );
      assert.equal(ids[0]?.length, 2);
      assert.deepEqual(ids[0], ids[1]);
      assert.deepEqual(await demoCounts(fresh.database), oneDemo());
    } finally {
      await other.destroy();
      await fresh.dispose();
    }
  });

  it('a start while another process seeds: waits for it and finds the demo, or, told not to wait, says so in a sentence', async () => {
    const fresh = await freshDatabase();
    const cli = await cliDatabase(fresh);
    try {
      // The default demo: long enough (a second or two) for this process to come while it loads.
      const seeding = linli(fresh, ['seed', '--demo'], LARGE);
      await untilBegun(cli);
      await assert.rejects(seedDemo(cli, { ...options, waitMs: 0 }), (e: Error) => {
        assert.match(
          e.message,
          /^another process is seeding the demo into this database right now; start again/,
        );
        assert.doesNotMatch(e.message, /constraint|duplicate|unique|incomplete/i);
        return true;
      });
      const told: string[] = [];
      const waited = await seedDemo(cli, { ...options, onWait: (m) => told.push(m) });
      assert.equal(waited.seeded, false);
      assert.deepEqual(told, [
        'another process is loading the demo into this database; waiting for it (a minute at most if it has stopped)',
      ]);
      assert.equal(waited.communities.length, 2);
      const child = await seeding;
      assert.equal(child.code, 0, child.stderr);
      assert.equal(child.stdout.trim(), `seeded 2 communities and ${2 * LARGE} orders`);
      assert.deepEqual(await demoCounts(cli), oneDemo(LARGE));
    } finally {
      if (cli !== fresh.database) await cli.destroy();
      await fresh.dispose();
    }
  });

  it('two `linli seed --demo` processes at once on an empty data folder: both succeed, the demo is there once', async () => {
    const fresh = await freshDatabase();
    let cli: Database | undefined;
    try {
      // On SQLite the CLI's file does not exist yet: both processes create it and its tables too.
      const both = await Promise.all([linli(fresh, ['seed', '--demo']), linli(fresh, ['seed', '--demo'])]);
      for (const r of both) assert.equal(r.code, 0, `exit ${r.code}: ${r.stdout}${r.stderr}`);
      assert.deepEqual(both.map((r) => r.stdout.trim()).sort(), [
        `seeded 2 communities and ${2 * ORDERS} orders`,
        'the demo is already there',
      ]);
      cli = await cliDatabase(fresh);
      assert.deepEqual(await demoCounts(cli), oneDemo());
    } finally {
      if (cli && cli !== fresh.database) await cli.destroy();
      await fresh.dispose();
    }
  });

  it('four processes migrating one empty database at the same moment: one applies every migration, the others find nothing to do', async () => {
    const fresh = await freshDatabase({ migrate: false });
    try {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...(fresh.database.schema
          ? { LINLI_DB_SCHEMA: fresh.database.schema }
          : { SQLITE_FILE: join(fresh.dataDir, 'race.sqlite') }),
        // Late enough for all four to have started and opened the database: they then begin together.
        START_AT: String(Date.now() + 4_000),
      };
      const runs = await Promise.all(
        [1, 2, 3, 4].map(
          () =>
            new Promise<{ applied?: number; error?: string }>((resolve) => {
              const child = spawn(process.execPath, ['--import', 'tsx', 'test/db/migrate-child.ts'], { env });
              let out = '';
              child.stdout.on('data', (d: Buffer) => (out += d.toString()));
              child.stderr.on('data', (d: Buffer) => (out += d.toString()));
              child.once('exit', () => {
                try {
                  resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as { applied?: number });
                } catch {
                  resolve({ error: out });
                }
              });
            }),
        ),
      );
      assert.deepEqual(
        runs.filter((r) => r.error),
        [],
      );
      const applied = runs.map((r) => r.applied ?? -1).sort((a, b) => b - a);
      assert.ok((applied[0] ?? 0) > 10, `applied: ${applied.join(', ')}`);
      assert.deepEqual(applied.slice(1), [0, 0, 0]);
    } finally {
      await fresh.dispose();
    }
  });

  it('a begun demo whose seeding process has been silent for over a minute is named incomplete at once', async () => {
    const fresh = await freshDatabase();
    try {
      // As a first start killed half way leaves it (on SQLite with the time of its last step).
      await fresh.database.db
        .insertInto('sequences')
        .values([
          { name: 'demo_seed', value: 1 },
          { name: 'demo_seed_alive', value: fresh.database.dialect === 'sqlite' ? Date.now() - 120_000 : 0 },
        ])
        .execute();
      const t0 = Date.now();
      await assert.rejects(
        seedDemo(fresh.database, options),
        /demo in this database is incomplete.*Delete the data folder/,
      );
      assert.ok(Date.now() - t0 < 5_000, `took ${Date.now() - t0} ms`);
    } finally {
      await fresh.dispose();
    }
  });
});

/**
 * Test harness: a fresh database per test file (SQLite in a temp dir; PostgreSQL in a fresh
 * schema when DATABASE_URL is set), migrated and seeded with a small demo, and the app built
 * in-process for `inject`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Kysely } from 'kysely';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../src/platform/config.ts';
import type { Config } from '../src/platform/config.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { dropSchema, migrateToLatest, openDatabase } from '../src/platform/db/database.ts';
import type { Database } from '../src/platform/db/database.ts';
import type { DB } from '../src/platform/db/schema.ts';
import { silentLogger } from '../src/platform/context.ts';
import type { Deps } from '../src/platform/context.ts';
import { buildApp } from '../src/platform/http/app.ts';
import { openConfiguredFileStore } from '../src/server.ts';
import type { Services } from '../src/platform/http/app.ts';
import type { LazyCompilers } from '../src/platform/http/lazy-compilers.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { rollupMismatches } from './rollups-check.ts';
import type { SeedSummary } from '../src/seed/demo.ts';

export interface TestContext {
  database: Database;
  app: FastifyInstance;
  services: Services;
  /** The app's lazily compiled validators and serializers. */
  compilers: LazyCompilers;
  clock: ManualClock;
  deps: Deps;
  seed: SeedSummary;
  dataDir: string;
  /** Bearer token of a demo staff login. */
  login(username: string, password?: string): Promise<string>;
  /** Bearer token of a demo resident, through the real one-time-code flow. */
  residentLogin(phone: string): Promise<string>;
  /** inject with a bearer token and JSON body. */
  call(
    method: string,
    url: string,
    token?: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** Opens a fresh, migrated, empty database of the dialect this run uses. */
export async function freshDatabase({ migrate = true } = {}): Promise<{
  database: Database;
  dataDir: string;
  dispose(): Promise<void>;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linli-test-'));
  const url = process.env.DATABASE_URL;
  if (url) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const database = await openDatabase({ url, schema, poolSize: 5 });
    if (migrate) await migrateToLatest(database);
    return {
      database,
      dataDir,
      dispose: async () => {
        await database.destroy();
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await dropSchema(c, schema);
        await c.end();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const database = await openDatabase({ sqliteFile: join(dataDir, 'test.sqlite') });
  if (migrate) await migrateToLatest(database);
  return {
    database,
    dataDir,
    dispose: async () => {
      await database.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const TEST_NOW = '2026-11-20T02:00:00.000Z';

export async function createTestContext(
  opts: { orders?: number; config?: Partial<Config> } = {},
): Promise<TestContext> {
  const fresh = await freshDatabase();
  const clock = new ManualClock(TEST_NOW);
  const seed = await seedDemo(fresh.database, { ordersPerCommunity: opts.orders ?? 20, now: clock.now() });
  const config: Config = {
    ...loadConfig({}),
    dataDir: fresh.dataDir,
    auditAnchorFile: join(fresh.dataDir, 'audit-anchors.jsonl'),
    auditSigningKeyFile: join(fresh.dataDir, 'audit-signing-key.pem'),
    // As a server chooses: photos in the database on PostgreSQL, on disk on SQLite.
    fileStore: process.env.DATABASE_URL ? 'database' : 'disk',
    filesDir: join(fresh.dataDir, 'files'),
    logOtpCodes: false,
    workers: false,
    // Tests sign residents in again and again on a clock they move a minute at a time; the caps
    // have a test of their own, which sets them.
    otpPerHour: 1000,
    otpPerDay: 1000,
    ...opts.config,
  };
  const deps: Deps = {
    database: fresh.database,
    clock,
    config,
    files: openConfiguredFileStore(config, fresh.database),
    logger: silentLogger,
  };
  const { app, services, compilers } = await buildApp(deps);
  await app.ready();

  const call: TestContext['call'] = (method, url, token, body, headers = {}) =>
    app.inject({
      method: method as 'GET',
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      ...(body !== undefined ? { payload: body as Record<string, unknown> } : {}),
    });

  return {
    database: fresh.database,
    app,
    services,
    compilers,
    clock,
    deps,
    seed,
    dataDir: fresh.dataDir,
    call,
    async login(username, password = 'demo1234') {
      const res = await call('POST', '/api/v1/auth/login', undefined, { username, password });
      if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
      return (res.json() as { token: string }).token;
    },
    async residentLogin(phone) {
      clock.advance(60_000); // the code rate limit is per 30 s
      const r1 = await call('POST', '/api/v1/auth/otp/request', undefined, { phone });
      if (r1.statusCode !== 200) throw new Error(`otp request: ${r1.body}`);
      const msg = await fresh.database.db
        .selectFrom('outbox')
        .select('payload_json')
        .where('template', '=', 'otp')
        .where('address', '=', phone)
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
      const { code } = JSON.parse(msg.payload_json) as { code: string };
      const r2 = await call('POST', '/api/v1/auth/otp/verify', undefined, { phone, code });
      if (r2.statusCode !== 200) throw new Error(`otp verify: ${r2.body}`);
      return (r2.json() as { token: string }).token;
    },
    async close() {
      await app.close();
      const mismatches = await rollupMismatches(fresh.database.db);
      await fresh.dispose();
      if (mismatches.length)
        throw new Error(`dashboard rollups differ from the orders:\n${mismatches.slice(0, 10).join('\n')}`);
    },
  };
}

export async function residentIdByPhone(ctx: TestContext, phone: string): Promise<string> {
  const r = await ctx.database.db
    .selectFrom('residents')
    .select('id')
    .where('phone', '=', phone)
    .executeTakeFirstOrThrow();
  return r.id;
}

export async function userId(ctx: TestContext, username: string): Promise<string> {
  const r = await ctx.database.db
    .selectFrom('users')
    .select('id')
    .where('username', '=', username)
    .executeTakeFirstOrThrow();
  return r.id;
}

/**
 * Phones of `n` residents of a community whom the demo's own stories (its time bank, its
 * proposals and votes) leave alone: the generated 139… residents, from the last, not erased.
 */
export async function spareResidentPhones(
  ctx: TestContext,
  communityId: string,
  n: number,
): Promise<string[]> {
  const rows = await ctx.database.db
    .selectFrom('residents')
    .select('phone')
    .where('community_id', '=', communityId)
    .where('erased_at', 'is', null)
    .where('phone', 'like', '139%')
    .orderBy('phone', 'desc')
    .limit(n)
    .execute();
  return rows.map((r) => r.phone ?? '');
}

/**
 * The database with a pause when its next transaction opens: `first` runs to its end (another
 * request committing, say an erasure) after every check the code under test made before its
 * transaction, and before anything that transaction does. For races a test must not leave to timing.
 */
export function pausedAtNextTransaction(db: Kysely<DB>, first: () => Promise<void>): Kysely<DB> {
  let pending: (() => Promise<void>) | null = first;
  return new Proxy(db, {
    get(target, prop) {
      if (prop !== 'transaction') {
        // Kysely's builders keep private fields: their methods run on the real instance.
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      }
      return () => {
        const builder = target.transaction();
        return {
          execute: async <T>(fn: (trx: Kysely<DB>) => Promise<T>) => {
            const run = pending;
            pending = null;
            if (run) await run();
            return builder.execute(fn);
          },
        };
      };
    },
  });
}

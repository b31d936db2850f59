/**
 * What the database layer does when its ground moves: on PostgreSQL, a pooled connection that the
 * server closes while idle (a restart, a failover, an administrator's pg_terminate_backend) is
 * reported and replaced; before, the pool's unhandled 'error' event ended the whole process. On
 * SQLite, a new data folder and database file are readable by their owner only.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { assertWritable, dropSchema, migrateToLatest, openDatabase } from '../../src/platform/db/database.ts';
import type { Database } from '../../src/platform/db/database.ts';
import type { DB } from '../../src/platform/db/schema.ts';

describe('database connections', () => {
  it(
    process.env.DATABASE_URL
      ? 'a connection the server closes while idle is reported and replaced, and the process lives on'
      : 'a new SQLite data folder and file are the owner’s alone',
    async () => {
      const url = process.env.DATABASE_URL;
      if (!url) {
        const root = mkdtempSync(join(tmpdir(), 'linli-perm-'));
        const dataDir = join(root, 'data');
        const db = await openDatabase({ dataDir });
        try {
          await sql`select 1`.execute(db.db);
          assert.equal(statSync(dataDir).mode & 0o777, 0o700);
          assert.equal(statSync(join(dataDir, 'linli.sqlite')).mode & 0o777, 0o600);
        } finally {
          await db.destroy();
          rmSync(root, { recursive: true, force: true });
        }
        return;
      }
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const warnings: string[] = [];
      const db = await openDatabase({ url, schema, poolSize: 2, onWarning: (m) => warnings.push(m) });
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db.db);
        const pid = rows[0]?.pid;
        assert.ok(pid);
        // The connection is idle in the pool now; the server ends it.
        await admin.query('select pg_terminate_backend($1)', [pid]);
        for (let i = 0; i < 50 && warnings.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
        assert.equal(warnings.length, 1, 'reported once');
        assert.match(warnings[0] ?? '', /database connection lost while idle/);
        // The next query gets a new connection.
        const again = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db.db);
        assert.notEqual(again.rows[0]?.pid, pid);
      } finally {
        await db.destroy();
        await dropSchema(admin, schema);
        await admin.end();
      }
    },
  );
});

describe('a database that cannot be written', () => {
  it('is refused at start-up with the reason (it answered /healthz and failed every sign-in)', async () => {
    const url = process.env.DATABASE_URL;
    const root = mkdtempSync(join(tmpdir(), 'linli-ro-'));
    const schema = url ? `t_${randomBytes(6).toString('hex')}` : undefined;
    const writable = await openDatabase(url ? { url, schema } : { dataDir: root });
    await migrateToLatest(writable);
    await assertWritable(writable);
    await writable.destroy();
    let readOnly: Database;
    if (url) {
      // A session that may only read, as on a read-only replica.
      const pool = new pg.Pool({
        connectionString: url,
        options: `-c search_path=${schema} -c default_transaction_read_only=on`,
      });
      const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
      readOnly = { db, dialect: 'postgres', schema, destroy: () => db.destroy() };
    } else {
      const db = new Kysely<DB>({
        dialect: new SqliteDialect({ database: new SQLite(join(root, 'linli.sqlite'), { readonly: true }) }),
      });
      readOnly = { db, dialect: 'sqlite', destroy: () => db.destroy() };
    }
    try {
      await assert.rejects(assertWritable(readOnly), /the database cannot be written: .*read/i);
    } finally {
      await readOnly.destroy();
      if (url && schema) {
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await dropSchema(admin, schema);
        await admin.end();
      }
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/**
 * The `linli` command line run as a user runs it (a child process) against a database of its own:
 * a fresh SQLite data folder, or a fresh PostgreSQL schema when DATABASE_URL is set. Call
 * `cleanUp` when the tests are done.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import pg from 'pg';
import { dropSchema } from '../../src/platform/db/database.ts';

export interface CliHarness {
  dataDir: string;
  /** The PostgreSQL schema, when the tests run on PostgreSQL. */
  schema: string | undefined;
  linli: (
    args: string[],
    extraEnv?: NodeJS.ProcessEnv,
  ) => { status: number | null; stdout: string; stderr: string };
  /** Seeds the demo (once). */
  seedDemo: () => void;
  /** Runs one statement (and reads its rows) on the command line's database. */
  sqlOn: (statement: string) => Promise<Record<string, unknown>[]>;
  cleanUp: () => Promise<void>;
}

export function cliHarness(prefix: string): CliHarness {
  const dataDir = mkdtempSync(join(tmpdir(), `linli-${prefix}-`));
  const url = process.env.DATABASE_URL;
  const schema = url ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LINLI_DATA_DIR: dataDir,
    LINLI_DEMO_ORDERS: '4',
    ...(schema ? { LINLI_DB_SCHEMA: schema } : {}),
  };
  const linli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, ['bin/linli.mjs', ...args], {
      env: { ...env, ...extraEnv },
      encoding: 'utf8',
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const withPg = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  let seeded = false;
  return {
    dataDir,
    schema,
    linli,
    seedDemo: () => {
      if (seeded) return;
      const seed = linli(['seed', '--demo']);
      assert.equal(seed.status, 0, seed.stderr);
      seeded = true;
    },
    sqlOn: async (statement) => {
      if (schema)
        return withPg(async (c) => {
          await c.query(`set search_path to "${schema}"`);
          return (await c.query(statement)).rows as Record<string, unknown>[];
        });
      const Sqlite = (await import('better-sqlite3')).default;
      const raw = new Sqlite(join(dataDir, 'linli.sqlite'));
      try {
        const st = raw.prepare(statement);
        return st.reader ? (st.all() as Record<string, unknown>[]) : (st.run(), []);
      } finally {
        raw.close();
      }
    },
    cleanUp: async () => {
      if (schema) await withPg((c) => dropSchema(c, schema));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

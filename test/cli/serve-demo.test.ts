/**
 * `linli seed --demo` then `linli serve --demo`: the first start takes the two calls of today
 * (one waits in triage), a restart never takes them again. Run as a user runs it (child
 * processes), on a SQLite data directory or a PostgreSQL schema of its own.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropSchema } from '../../src/platform/db/database.ts';

describe('linli serve --demo after linli seed --demo', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'linli-serve-'));
  const url = process.env.DATABASE_URL;
  const schema = url ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LINLI_DATA_DIR: dataDir,
    LINLI_DEMO_ORDERS: '4',
    PORT: '0',
    HOST: '127.0.0.1',
    ...(schema ? { LINLI_DB_SCHEMA: schema } : {}),
  };
  after(async () => {
    if (schema) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await dropSchema(c, schema);
      await c.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts `linli serve --demo`, calls `whileUp` with its address, stops it; answers its output. */
  async function serveDemo(
    whileUp: (base: string) => Promise<void>,
  ): Promise<{ stdout: string; stderr: string; code: number | null; stopMs: number }> {
    const child = spawn(process.execPath, ['bin/linli.mjs', 'serve', '--demo'], { env });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const base = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner in 60 s:\n${stdout}\n${stderr}`)), 60_000);
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const m = /API document: (http:\/\/\S+)\/openapi\.json/.exec(stdout);
          if (m?.[1]) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        child.once('exit', () => reject(new Error(`serve exited early:\n${stdout}\n${stderr}`)));
      });
      await whileUp(base);
    } finally {
      child.kill('SIGTERM');
    }
    const t0 = Date.now();
    const code = await exited;
    return { stdout, stderr, code, stopMs: Date.now() - t0 };
  }

  /** The descriptions in the first community's triage queue, as its dispatcher sees them. */
  async function triage(base: string): Promise<string[]> {
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'dispatcher', password: 'demo1234' }),
    });
    const { token } = (await login.json()) as { token: string };
    const res = await fetch(`${base}/api/v1/triage?community=taoyuan`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { items: { description: string }[] }).items.map((o) => o.description);
  }

  it('takes the calls of today on the first start only', async () => {
    const seed = spawnSync(process.execPath, ['bin/linli.mjs', 'seed', '--demo'], { env, encoding: 'utf8' });
    assert.equal(seed.status, 0, seed.stderr);

    let queue: string[] = [];
    const anchors = join(dataDir, 'audit-anchors.jsonl');
    let anchored: string[] = [];
    const first = await serveDemo(async (base) => {
      queue = await triage(base);
      // The node anchors the chain heads as it starts.
      for (let i = 0; i < 50 && anchored.length < 2; i++) {
        if (existsSync(anchors)) anchored = readFileSync(anchors, 'utf8').trim().split('\n');
        else await new Promise((r) => setTimeout(r, 100));
      }
    });
    assert.match(first.stdout, /took 2 calls of today through the API \(one waits in triage/, first.stderr);
    assert.match(
      first.stdout,
      /Audit chain heads are anchored outside the database in \S*audit-anchors\.jsonl/,
    );
    assert.deepEqual(
      anchored.map((l) => (JSON.parse(l) as { code: string }).code),
      ['longzhu', 'taoyuan'],
      'one anchor a community, written at start',
    );
    assert.ok(queue.includes('钥匙锁在家里了'), `triage: ${JSON.stringify(queue)}`);

    const second = await serveDemo(async (base) => {
      queue = await triage(base);
    });
    assert.doesNotMatch(second.stdout, /took \d+ call/);
    assert.equal(second.stderr.includes('not taken'), false, second.stderr);
    assert.equal(queue.filter((d) => d === '钥匙锁在家里了').length, 1, `triage: ${JSON.stringify(queue)}`);
  });

  it("stops promptly on SIGTERM with a dispatch board's live stream open: the stream ends, the exit code is 0", async () => {
    let stream: ReadableStreamDefaultReader<Uint8Array> | undefined;
    const stopped = await serveDemo(async (base) => {
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'dispatcher', password: 'demo1234' }),
      });
      const { token } = (await login.json()) as { token: string };
      const res = await fetch(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      stream = res.body?.getReader();
      const first = await stream?.read();
      assert.match(new TextDecoder().decode(first?.value), /retry: 3000/);
    });
    assert.equal(stopped.code, 0, stopped.stderr);
    // Before, the open stream held the process for as long as the client stayed (60 s and more).
    assert.ok(stopped.stopMs < 8_000, `took ${stopped.stopMs} ms`);
    let done = false;
    while (!done) done = (await stream?.read())?.done ?? true;
  });

  it("a community that `linli setup` gives the running server's admin reaches that admin within seconds", async () => {
    await serveDemo(async (base) => {
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'demo1234' }),
      });
      const { token } = (await login.json()) as { token: string };
      const codes = async () => {
        const me = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
        return ((await me.json()) as { communities: { code: string }[] }).communities.map((c) => c.code);
      };
      // Read once, so the server holds the admin's principal in its cache (kept 30 s).
      assert.ok(!(await codes()).includes('lihu'));
      const setup = spawnSync(
        process.execPath,
        [
          'bin/linli.mjs',
          'setup',
          '--street',
          'nanshan',
          '--street-name',
          '南山街道',
          '--community',
          'lihu',
          '--name',
          '荔湖社区',
          '--center',
          '22.53,113.93',
          '--admin',
          'admin',
        ],
        { env, encoding: 'utf8' },
      );
      assert.equal(setup.status, 0, setup.stderr);
      const t0 = Date.now();
      while (!(await codes()).includes('lihu')) {
        assert.ok(Date.now() - t0 < 10_000, 'the admin did not see the new community within 10 s');
        await new Promise((r) => setTimeout(r, 100));
      }
    });
  });
});

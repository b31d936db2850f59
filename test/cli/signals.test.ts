/**
 * Stopping: `npm start` passes its signals on to the server it runs (a SIGTERM to it used to
 * leave the server running, orphaned), and `linli serve` stops once, gracefully, however many
 * signals come (Ctrl+C reaches both; a second signal used to end the server at once).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropSchema } from '../../src/platform/db/database.ts';

function waitFor(child: ReturnType<typeof spawn>, pattern: RegExp, ms: number): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not seen in ${ms} ms: ${pattern}\n${out}`)), ms);
    const take = (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
  });
}

const exitOf = (child: ReturnType<typeof spawn>) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );

describe('stopping', () => {
  it("npm start's runner passes a SIGTERM on to its child and exits with the child's code", async () => {
    // A stand-in server: says it is up, and on SIGTERM says so and exits 0.
    const program =
      "process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(0); });" +
      "console.log('up'); setInterval(() => {}, 1000);";
    const runner = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { runForwarding } from './scripts/run-child.mjs';` +
          `process.exit(await runForwarding(process.execPath, ['-e', ${JSON.stringify(program)}], { stdio: 'inherit' }));`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = exitOf(runner);
    await waitFor(runner, /up/, 10_000);
    const said = waitFor(runner, /got SIGTERM/, 10_000);
    runner.kill('SIGTERM');
    await said;
    assert.deepEqual(await exited, { code: 0, signal: null });
  });

  it('linli serve stops gracefully once, though a second SIGINT comes while it stops', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'linli-signals-'));
    const url = process.env.DATABASE_URL;
    const schema = url ? `t_${randomBytes(6).toString('hex')}` : undefined;
    const child = spawn(process.execPath, ['bin/linli.mjs', 'serve'], {
      env: {
        ...process.env,
        LINLI_DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        ...(schema ? { LINLI_DB_SCHEMA: schema } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const exited = exitOf(child);
      const out = await waitFor(child, /API document: (http:\/\/\S+)\/openapi\.json/, 60_000);
      const base = new URL(/API document: (http:\/\/\S+)\/openapi\.json/.exec(out)?.[1] ?? '');
      // The banner is written just before the handlers are set: let the process reach them.
      await new Promise((r) => setTimeout(r, 500));
      // A request still arriving holds the stop for a moment, while the second signal comes.
      const socket = connect(Number(base.port), base.hostname);
      await new Promise((r) => socket.once('connect', r));
      socket.write(
        'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{',
      );
      socket.on('error', () => {});
      await new Promise((r) => setTimeout(r, 200));
      child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(child.exitCode, null, 'still stopping');
      child.kill('SIGINT');
      const end = await exited;
      socket.destroy();
      assert.equal(end.signal, null, 'not ended by the second signal');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      if (schema) {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await dropSchema(c, schema);
        await c.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

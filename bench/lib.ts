/** Shared pieces of the benchmark scripts: start a real server as a child process, wait, log in. */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropSchema } from '../src/platform/db/database.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  log: () => string;
}

/** The server as production runs it: the bundle when it is built (`npm run build:server`), else through tsx. */
export function serverEntry(): string {
  return existsSync('dist/server/linli.mjs') ? 'dist/server/linli.mjs' : 'bin/linli.mjs';
}

/** The V8 flags `npm start` runs the server with, so the benchmarks measure the same process. */
export function serverNodeFlags(): string[] {
  return JSON.parse(readFileSync('scripts/server-node-flags.json', 'utf8')) as string[];
}

/** The environment `npm start` gives the server (scripts/server-env.json); the caller's own settings win. */
export function serverEnv(): Record<string, string> {
  return JSON.parse(readFileSync('scripts/server-env.json', 'utf8')) as Record<string, string>;
}

/**
 * Seeds the demo into the database `env` names, in a process of its own (`linli seed --demo`), so
 * that a server started on it afterwards is measured as a node restarted on its database is: a
 * server that seeds at start keeps the seeding's memory (about 30 MB resident) for the rest of
 * its life, and its peak would count a one-off of the first start rather than the load.
 */
export function seedDemoProcess(env: Record<string, string>): void {
  const r = spawnSync(process.execPath, [...serverNodeFlags(), serverEntry(), 'seed', '--demo'], {
    env: { ...serverEnv(), ...process.env, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`linli seed --demo failed:\n${r.stdout}${r.stderr}`);
}

/** Starts `linli serve --demo` with the given environment and waits for /healthz. */
export async function startServerProcess(
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<ServerProcess> {
  const port = await freePort();
  let out = '';
  const child = spawn(process.execPath, [...serverNodeFlags(), serverEntry(), 'serve', '--demo'], {
    env: {
      ...serverEnv(),
      ...process.env,
      LOG_LEVEL: 'warn',
      LINLI_WORKERS: '1',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, base, log: () => out };
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export async function login(base: string, username: string): Promise<string> {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo1234' }),
  });
  if (!r.ok) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}

/** Peak resident set size (VmHWM) of a process, in MB, from /proc. */
export function peakRssMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** CPU time (user + system) a process has used so far, in milliseconds, from /proc. */
export function cpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/** Runs a bench in a PostgreSQL schema of its own (`<prefix>_<random>`), dropped afterwards. */
export async function inBenchSchema<T>(
  url: string,
  prefix: string,
  run: (schema: string) => Promise<T>,
): Promise<T> {
  const schema = `${prefix}_${randomBytes(4).toString('hex')}`;
  try {
    return await run(schema);
  } finally {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await dropSchema(c, schema);
    await c.end();
  }
}

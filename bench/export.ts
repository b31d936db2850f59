/**
 * CSV export of a big community: the API's `GET /api/v1/work-orders/export.csv` and the
 * `linli export work-orders` command over N synthetic orders (100,000 by default). Reports rows
 * written, wall time, the time to the first byte, the server's resident memory while it exports
 * (growth over its idle size, and its peak), the longest a health check waited meanwhile (the
 * event loop held), and the command's time and peak memory.
 */
import { pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bigDatabase } from './big-data.ts';
import { login, serverEntry, serverEnv, serverNodeFlags, startServerProcess, stopProcess } from './lib.ts';

/** A field of /proc/PID/status in MB (VmRSS now, VmHWM the peak so far), or 0 once the process is gone. */
function statusMb(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  if (!pid) return 0;
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** Counts the lines of a streamed body and notes when its first byte came. */
async function readLines(res: Response, t0: number): Promise<{ lines: number; firstByteMs: number }> {
  let lines = 0;
  let firstByteMs = -1;
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (firstByteMs < 0) firstByteMs = Math.round(performance.now() - t0);
    for (const b of value) if (b === 0x0a) lines++;
  }
  return { lines, firstByteMs };
}

async function apiExport(env: Record<string, string>) {
  const server = await startServerProcess(env);
  const pid = server.child.pid;
  const token = await login(server.base, 'admin');
  // Let the start-up's garbage go before the idle size is read.
  await new Promise((r) => setTimeout(r, 2000));
  const idleMb = statusMb(pid, 'VmRSS');
  let peakMb = idleMb;
  let worstHealthMs = 0;
  let running = true;
  const sampler = setInterval(() => (peakMb = Math.max(peakMb, statusMb(pid, 'VmRSS'))), 20);
  const health = (async () => {
    while (running) {
      const t = performance.now();
      await fetch(`${server.base}/healthz`);
      worstHealthMs = Math.max(worstHealthMs, performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const t0 = performance.now();
  const res = await fetch(`${server.base}/api/v1/work-orders/export.csv?community=taoyuan`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const { lines, firstByteMs } = await readLines(res, t0);
  const ms = Math.round(performance.now() - t0);
  running = false;
  clearInterval(sampler);
  await health;
  await stopProcess(server.child);
  return {
    status: res.status,
    rows: lines - 1,
    ms,
    firstByteMs,
    idleRssMb: idleMb,
    peakRssMb: peakMb,
    rssGrowthMb: peakMb - idleMb,
    worstHealthCheckMs: Math.round(worstHealthMs),
  };
}

async function cliExport(env: Record<string, string>, out: string) {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [...serverNodeFlags(), serverEntry(), 'export', 'work-orders', '--community', 'taoyuan', '--out', out],
    { env: { ...serverEnv(), ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let peakMb = 0;
  const sampler = setInterval(() => (peakMb = Math.max(peakMb, statusMb(child.pid, 'VmHWM'))), 20);
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  return {
    exitCode: code,
    said: stdout.trim(),
    ms: Math.round(performance.now() - t0),
    bytes: statSync(out, { throwIfNoEntry: false })?.size ?? 0,
    peakRssMb: peakMb,
  };
}

export async function runExportBench(opts: { orders?: number } = {}) {
  const n = opts.orders ?? Number(process.env.LINLI_BENCH_ORDERS ?? 100_000);
  const big = await bigDatabase(n);
  try {
    const api = await apiExport(big.env);
    const cli = await cliExport(big.env, join(big.env.LINLI_DATA_DIR ?? '.', 'export.csv'));
    return { database: process.env.DATABASE_URL ? 'postgres' : 'sqlite', orders: n, api, cli };
  } finally {
    await big.dispose();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runExportBench(), null, 2));
}

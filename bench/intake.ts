/**
 * Intake throughput: POST /api/v1/work-orders (validate, classify, place, prioritise, audit,
 * store durably) against a bare Fastify JSON route, in the same run, at 50 connections.
 *
 * The machine is shared, so one 10-second pair of measurements moves with whatever else runs
 * (the bare route itself has been seen anywhere from 40,000 to 64,000 req/s). The bench runs
 * several rounds, each a bare measurement immediately followed by an intake measurement on a
 * fresh server, and reports every round plus the median ratio and latency; peak RSS is the
 * worst round's.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cannon } from './autocannon.ts';
import { cpuMs, freePort, login, peakRssMb, startServerProcess, stopProcess } from './lib.ts';

async function runRound(opts: { duration?: number; connections?: number } = {}) {
  const duration = opts.duration ?? 10;
  const connections = opts.connections ?? 50;
  const body = JSON.stringify({
    channel: 'hotline',
    description: '3号楼2单元厨房水管漏水，地上都是水，请尽快派人维修',
  });

  const barePort = await freePort();
  const bare = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-server.ts'], {
    env: { ...process.env, PORT: String(barePort) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => bare.stdout?.once('data', () => resolve()));
  const bareCpu0 = cpuMs(bare.pid);
  const bareRes = await cannon({
    url: `http://127.0.0.1:${barePort}/bare`,
    connections,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const bareCpuPerReqUs = ((cpuMs(bare.pid) - bareCpu0) * 1000) / Math.max(1, bareRes.requests.total);
  await stopProcess(bare);

  const dataDir = mkdtempSync(join(tmpdir(), 'linli-bench-'));
  const server = await startServerProcess({ LINLI_DATA_DIR: dataDir, LINLI_DEMO_ORDERS: '100' });
  const token = await login(server.base, 'agent');
  // Warm-up, so the JIT and caches are in the state a running server is in.
  await cannon({
    url: `${server.base}/api/v1/work-orders`,
    connections: 10,
    duration: 2,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  const linliCpu0 = cpuMs(server.child.pid);
  const linli = await cannon({
    url: `${server.base}/api/v1/work-orders`,
    connections,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  const linliCpuPerReqUs = ((cpuMs(server.child.pid) - linliCpu0) * 1000) / Math.max(1, linli.requests.total);
  const rss = peakRssMb(server.child.pid);
  await stopProcess(server.child);
  rmSync(dataDir, { recursive: true, force: true });

  return {
    database: process.env.DATABASE_URL ? 'postgres' : 'sqlite',
    connections,
    durationSeconds: duration,
    bareReqPerSec: Math.round(bareRes.requests.average),
    intakeReqPerSec: Math.round(linli.requests.average),
    ratio: Number((linli.requests.average / bareRes.requests.average).toFixed(3)),
    intakeLatencyMs: { p50: linli.latency.p50, p99: linli.latency.p99, max: linli.latency.max },
    bareLatencyMs: { p50: bareRes.latency.p50, p99: bareRes.latency.p99 },
    // Server CPU per request: steadier than req/s on a shared machine, where the load generator
    // competes with the server for the same cores.
    cpuPerRequestUs: { bare: Math.round(bareCpuPerReqUs), intake: Math.round(linliCpuPerReqUs) },
    cpuRatio: Number((bareCpuPerReqUs / linliCpuPerReqUs).toFixed(3)),
    intakeNon2xx: linli.non2xx,
    intakeErrors: linli.errors,
    peakRssMb: rss,
    bars: { ratio: 0.25, p99Ms: 25, rssMb: 250 },
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

export async function runIntakeBench(
  opts: { duration?: number; connections?: number; rounds?: number } = {},
) {
  const rounds = [];
  for (let i = 0; i < (opts.rounds ?? Number(process.env.BENCH_ROUNDS ?? 3)); i++) {
    rounds.push(await runRound(opts));
  }
  const first = rounds[0] as Awaited<ReturnType<typeof runRound>>;
  return {
    database: first.database,
    connections: first.connections,
    durationSeconds: first.durationSeconds,
    rounds: rounds.length,
    bareReqPerSec: median(rounds.map((r) => r.bareReqPerSec)),
    intakeReqPerSec: median(rounds.map((r) => r.intakeReqPerSec)),
    ratio: median(rounds.map((r) => r.ratio)),
    intakeLatencyMs: {
      p50: median(rounds.map((r) => r.intakeLatencyMs.p50)),
      p99: median(rounds.map((r) => r.intakeLatencyMs.p99)),
    },
    cpuPerRequestUs: {
      bare: median(rounds.map((r) => r.cpuPerRequestUs.bare)),
      intake: median(rounds.map((r) => r.cpuPerRequestUs.intake)),
    },
    intakeNon2xx: rounds.reduce((n, r) => n + r.intakeNon2xx, 0),
    intakeErrors: rounds.reduce((n, r) => n + r.intakeErrors, 0),
    peakRssMb: Math.max(...rounds.map((r) => r.peakRssMb ?? 0)),
    bars: first.bars,
    perRound: rounds.map((r) => ({
      bareReqPerSec: r.bareReqPerSec,
      intakeReqPerSec: r.intakeReqPerSec,
      ratio: r.ratio,
      p50Ms: r.intakeLatencyMs.p50,
      p99Ms: r.intakeLatencyMs.p99,
      peakRssMb: r.peakRssMb,
    })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runIntakeBench(), null, 2));
}

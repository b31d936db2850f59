/**
 * Intake throughput: POST /api/v1/work-orders (validate, classify, place, prioritise, audit,
 * store durably) against a bare Fastify JSON route, in the same run, at 50 connections.
 *
 * The machine is shared, so one 10-second pair of measurements moves with whatever else runs
 * (the bare route itself has been seen anywhere from 40,000 to 64,000 req/s). The bench runs
 * several rounds, each a bare measurement immediately followed by an intake measurement on a
 * fresh server, and reports every round plus the median ratio and latency; peak RSS is the
 * worst round's, of a server started on a database the demo was seeded into beforehand by
 * `linli seed --demo` (a node restarted on its database), not of one that seeded it itself.
 *
 * Each round also measures the bare server answering with intake's own 201 body (about 1.8 KB
 * against the echo's hundred bytes): not the bar, but it shows how much of the gap is the size
 * of the answer alone, before any work behind it.
 */
import { pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cannon } from './autocannon.ts';
import {
  cpuMs,
  freePort,
  login,
  peakRssMb,
  seedDemoProcess,
  startServerProcess,
  stopProcess,
} from './lib.ts';

/** Starts the bare server (with `answer` as the fixed body of `/answer`) and measures one of its routes. */
async function measureBare(
  path: '/bare' | '/answer',
  body: string,
  connections: number,
  duration: number,
  answer?: string,
) {
  const port = await freePort();
  const bare = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-server.ts'], {
    env: { ...process.env, PORT: String(port), ...(answer ? { BARE_ANSWER: answer } : {}) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => bare.stdout?.once('data', () => resolve()));
  const cpu0 = cpuMs(bare.pid);
  const res = await cannon({
    url: `http://127.0.0.1:${port}${path}`,
    connections,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const cpuPerReqUs = ((cpuMs(bare.pid) - cpu0) * 1000) / Math.max(1, res.requests.total);
  await stopProcess(bare);
  return { res, cpuPerReqUs };
}

async function runRound(opts: { duration?: number; connections?: number } = {}) {
  const duration = opts.duration ?? 10;
  const connections = opts.connections ?? 50;
  const body = JSON.stringify({
    channel: 'hotline',
    description: '3号楼2单元厨房水管漏水，地上都是水，请尽快派人维修',
  });

  const { res: bareRes, cpuPerReqUs: bareCpuPerReqUs } = await measureBare(
    '/bare',
    body,
    connections,
    duration,
  );

  const dataDir = mkdtempSync(join(tmpdir(), 'linli-bench-'));
  // The demo is seeded first by a process of its own: the peak RSS is the serving node's.
  seedDemoProcess({ LINLI_DATA_DIR: dataDir, LINLI_DEMO_ORDERS: '100' });
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
  // One more order, to have intake's own answer for the bare route below.
  const sample = await fetch(`${server.base}/api/v1/work-orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  const answer = await sample.text();
  await stopProcess(server.child);
  rmSync(dataDir, { recursive: true, force: true });
  // The same bare route answering with intake's 201 body: what sending that answer costs alone.
  const same = await measureBare('/answer', body, connections, duration, answer);

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
    cpuPerRequestUs: {
      bare: Math.round(bareCpuPerReqUs),
      bareSameAnswer: Math.round(same.cpuPerReqUs),
      intake: Math.round(linliCpuPerReqUs),
    },
    // Not the bar: the bare route sending intake's own answer (its size alone costs this much).
    bareSameAnswer: {
      answerBytes: Buffer.byteLength(answer),
      reqPerSec: Math.round(same.res.requests.average),
      ratio: Number((linli.requests.average / same.res.requests.average).toFixed(3)),
    },
    cpuRatio: Number((bareCpuPerReqUs / linliCpuPerReqUs).toFixed(3)),
    intakeNon2xx: linli.non2xx,
    intakeErrors: linli.errors,
    // The serving node's peak (VmHWM): start on the seeded database, warm-up and the load.
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
      bareSameAnswer: median(rounds.map((r) => r.cpuPerRequestUs.bareSameAnswer)),
      intake: median(rounds.map((r) => r.cpuPerRequestUs.intake)),
    },
    bareSameAnswer: {
      answerBytes: first.bareSameAnswer.answerBytes,
      reqPerSec: median(rounds.map((r) => r.bareSameAnswer.reqPerSec)),
      ratio: median(rounds.map((r) => r.bareSameAnswer.ratio)),
    },
    intakeNon2xx: rounds.reduce((n, r) => n + r.intakeNon2xx, 0),
    intakeErrors: rounds.reduce((n, r) => n + r.intakeErrors, 0),
    peakRssMb: Math.max(...rounds.map((r) => r.peakRssMb ?? 0)),
    bars: first.bars,
    perRound: rounds.map((r) => ({
      bareReqPerSec: r.bareReqPerSec,
      bareSameAnswerReqPerSec: r.bareSameAnswer.reqPerSec,
      intakeReqPerSec: r.intakeReqPerSec,
      ratio: r.ratio,
      p50Ms: r.intakeLatencyMs.p50,
      p99Ms: r.intakeLatencyMs.p99,
      peakRssMb: r.peakRssMb,
    })),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runIntakeBench(), null, 2));
}

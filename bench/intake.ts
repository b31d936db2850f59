/**
 * Intake throughput: POST /api/v1/work-orders (validate, classify, place, prioritise, audit,
 * store durably) against a bare Fastify JSON route, in the same run, at 50 connections.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cannon } from './autocannon.ts';
import { cpuMs, freePort, login, peakRssMb, startServerProcess, stopProcess } from './lib.ts';

export async function runIntakeBench(opts: { duration?: number; connections?: number } = {}) {
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

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runIntakeBench(), null, 2));
}

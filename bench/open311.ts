/**
 * Open311 over 1,000,000 orders: the bench generates them (one SQL statement), restarts the
 * server on that database and measures GET /open311/v2/requests.json with filter mixes that each
 * return 1,000 rows. Bar: p99 ≤ 100 ms.
 *
 * The per-IP rate limit stays on; the load spreads over many client addresses (X-Forwarded-For,
 * which the server trusts) so that the limit does not turn the measurement into 429s.
 *
 * Run: node --import tsx bench/open311.ts
 */
import { pathToFileURL } from 'node:url';
import { loadavg } from 'node:os';
import { cannon } from './autocannon.ts';
import { cpuMs, startServerProcess, stopProcess } from './lib.ts';
import { bigDatabase } from './big-data.ts';

const ROWS = 1000;

export async function runOpen311Bench(opts: { orders?: number; duration?: number } = {}) {
  const n = opts.orders ?? 1_000_000;
  // The load comes from many simulated client addresses, as a reverse proxy would report them.
  const big = await bigDatabase(n, { LINLI_TRUST_PROXY: '1' });
  const { env, fillSeconds } = big;
  const url = process.env.DATABASE_URL;

  const server = await startServerProcess(env);
  const end = '2026-11-20T00:00:00Z';
  const start = '2026-08-22T00:00:00Z';
  const q = `/open311/v2/requests.json?jurisdiction_id=taoyuan`;
  const paths = [
    `${q}&start_date=${start}&end_date=${end}`,
    `${q}&service_code=basic_living&status=closed&start_date=${start}&end_date=${end}`,
    `${q}&status=open&start_date=${start}&end_date=${end}`,
    `${q}&service_code=basic_living,social_culture&start_date=${start}&end_date=${end}&page=2&page_size=1000`,
    `${q}&updated_after=2026-09-01T00:00:00Z&updated_before=2026-11-20T00:00:00Z&status=closed`,
    `${q}&service_code=government_affairs&start_date=${start}&end_date=${end}&extensions=true`,
  ];
  const sizes: Record<string, { rows: number; bytes: number; serverCpuMs: number }> = {};
  let ip = 0;
  for (const p of paths) {
    const res = await fetch(`${server.base}${p}`);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${p}: ${res.status} ${text.slice(0, 300)}`);
    const rows = (JSON.parse(text) as unknown[]).length;
    if (rows !== ROWS) throw new Error(`${p}: ${rows} rows, the bench needs ${ROWS}`);
    // Server CPU of one request of this mix, averaged over five sequential ones.
    const c0 = cpuMs(server.child.pid);
    for (let i = 0; i < 5; i++)
      await (
        await fetch(`${server.base}${p}`, { headers: { 'x-forwarded-for': `10.255.0.${ip++}` } })
      ).text();
    sizes[p.replace(q, '')] = { rows, bytes: text.length, serverCpuMs: (cpuMs(server.child.pid) - c0) / 5 };
  }
  // Many client addresses, so the per-IP limit (600/min per route) never answers 429 here.
  const requests = Array.from({ length: 600 }, (_, i) => ({
    method: 'GET',
    path: paths[i % paths.length] ?? q,
    headers: { 'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
  }));
  await cannon({ url: server.base, connections: 4, duration: 2, requests });
  // One client at a time: the latency of the query itself (the bar). Then ten at once, where a
  // single Node process serialises the work and latency grows with the queue.
  const cpu0 = cpuMs(server.child.pid);
  const r = await cannon({ url: server.base, connections: 1, duration: opts.duration ?? 10, requests });
  // Server CPU per request: what the latency would be on an idle core, whatever else the machine runs.
  const cpuPerRequestMs = (cpuMs(server.child.pid) - cpu0) / Math.max(1, r.requests.total);
  const r10 = await cannon({ url: server.base, connections: 10, duration: opts.duration ?? 10, requests });
  await stopProcess(server.child);
  await big.dispose();
  return {
    database: url ? 'postgres' : 'sqlite',
    orders: n,
    rowsPerResponse: ROWS,
    responses: sizes,
    fillSeconds,
    requests: r.requests.total + r10.requests.total,
    reqPerSec: Math.round(r.requests.average),
    connections: 1,
    serverCpuMsPerRequest: Number(cpuPerRequestMs.toFixed(1)),
    loadAverage: loadavg().map((x) => Number(x.toFixed(1))),
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    non2xx: r.non2xx + r10.non2xx,
    errors: r.errors + r10.errors,
    connections10: {
      reqPerSec: Math.round(r10.requests.average),
      latencyMs: { p50: r10.latency.p50, p99: r10.latency.p99, max: r10.latency.max },
    },
    bar: { p99Ms: 100 },
    pass: r.latency.p99 <= 100 && r.non2xx + r10.non2xx === 0,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runOpen311Bench(), null, 2));
}

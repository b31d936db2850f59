/**
 * List query with filters over 1,000,000 orders: the bench generates them, restarts the server
 * on that database and measures GET /api/v1/work-orders with several filter mixes, together and
 * then each on its own (`byFilter`), then text searches (`q`), each on its own (`byQuery`) and
 * mixed: words many orders hold (found among the newest), a rare report spread over the year,
 * order numbers among the newest and the oldest, and a word no order holds.
 */
import { pathToFileURL } from 'node:url';
import { cannon } from './autocannon.ts';
import { login, startServerProcess, stopProcess } from './lib.ts';
import { bigDatabase } from './big-data.ts';

export async function runListBench(opts: { orders?: number; duration?: number } = {}) {
  const n = opts.orders ?? 1_000_000;
  const big = await bigDatabase(n);
  const { gridIds, fillSeconds } = big;
  const url = process.env.DATABASE_URL;

  const server = await startServerProcess(big.env);
  const token = await login(server.base, 'dispatcher');
  const headers = { authorization: `Bearer ${token}` };
  const filters: Record<string, string> = {
    inProgress: 'status=in_progress',
    categoryUrgency: 'category=basic_living&urgency=high',
    week: 'from=2026-03-01T00:00:00.000Z&to=2026-03-08T00:00:00.000Z',
    gridClosed: `grid=${gridIds[1] ?? ''}&status=closed`,
    channelResolved: 'channel=hotline&status=resolved',
    statusesCategory: 'status=submitted,accepted&category=elderly_care',
  };
  const paths = Object.values(filters).map((f) => `/api/v1/work-orders?${f}&limit=20`);
  await cannon({
    url: server.base,
    connections: 4,
    duration: 2,
    requests: paths.map((path) => ({ method: 'GET', path, headers })),
  });
  const r = await cannon({
    url: server.base,
    connections: 10,
    duration: opts.duration ?? 10,
    requests: paths.map((path) => ({ method: 'GET', path, headers })),
  });
  // Each filter on its own, so that one slow query is not hidden in the mix.
  const byFilter: Record<string, { p50: number; p99: number }> = {};
  for (const [name, f] of Object.entries(filters)) {
    const one = await cannon({
      url: server.base,
      connections: 10,
      duration: 3,
      requests: [{ method: 'GET', path: `/api/v1/work-orders?${f}&limit=20`, headers }],
    });
    byFilter[name] = { p50: one.latency.p50, p99: one.latency.p99 };
  }
  // Text searches, each on its own and then mixed: common words (the newest orders hold them), a
  // rare report spread over the year, order numbers among the newest and the oldest, a word no
  // order holds.
  const searches: Record<string, string> = {
    common: '楼道灯', // one order in 23
    commonPair: '漏水', // two reports in 23
    rare: '煤气味', // one order in 9,973
    rarePhrase: '嘶嘶声，闻到', // the same orders, across a comma
    numberNewest: 'bench-00000005', // 10 orders, among the newest
    numberOldest: 'BENCH-000099999', // 10 orders, among the oldest
    none: 'WiFi', // no order
  };
  const searchPath = (q: string) => `/api/v1/work-orders?q=${encodeURIComponent(q)}&limit=20`;
  const byQuery: Record<string, { p50: number; p99: number; found: number }> = {};
  for (const [name, q] of Object.entries(searches)) {
    const page = (await (await fetch(`${server.base}${searchPath(q)}`, { headers })).json()) as {
      items: unknown[];
    };
    const one = await cannon({
      url: server.base,
      connections: 4,
      duration: 3,
      requests: [{ method: 'GET', path: searchPath(q), headers }],
    });
    byQuery[name] = { p50: one.latency.p50, p99: one.latency.p99, found: page.items.length };
  }
  const s = await cannon({
    url: server.base,
    connections: 4,
    duration: opts.duration ?? 10,
    requests: Object.values(searches).map((q) => ({ method: 'GET', path: searchPath(q), headers })),
  });
  await stopProcess(server.child);
  await big.dispose();
  return {
    database: url ? 'postgres' : 'sqlite',
    orders: n,
    fillSeconds,
    indexSeconds: big.indexSeconds,
    reqPerSec: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    non2xx: r.non2xx,
    byFilter,
    bar: { p99Ms: 50 },
    search: {
      reqPerSec: Math.round(s.requests.average * 10) / 10,
      latencyMs: { p50: s.latency.p50, p99: s.latency.p99, max: s.latency.max },
      non2xx: s.non2xx,
      byQuery,
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runListBench(), null, 2));
}

/**
 * List query with filters over 1,000,000 orders: the bench generates them, restarts the server
 * on that database and measures GET /api/v1/work-orders with several filter mixes, together and
 * then each on its own (`byFilter`), then text searches (`q`) on their own: words many orders
 * hold, found among the newest, and an order number and an address held by a few of the oldest,
 * which read the whole community.
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
  const searches = [
    '/api/v1/work-orders?q=%E6%A5%BC%E9%81%93%E7%81%AF&limit=20', // 楼道灯: every order
    '/api/v1/work-orders?q=bench-00000005&limit=20', // a number in lower case: 10 orders, among the newest
    '/api/v1/work-orders?q=BENCH-000099999&limit=20', // a number: 10 orders, among the oldest
    '/api/v1/work-orders?q=WiFi&limit=20', // no order
  ];
  const s = await cannon({
    url: server.base,
    connections: 4,
    duration: opts.duration ?? 10,
    requests: searches.map((path) => ({ method: 'GET', path, headers })),
  });
  await stopProcess(server.child);
  await big.dispose();
  return {
    database: url ? 'postgres' : 'sqlite',
    orders: n,
    fillSeconds,
    reqPerSec: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    non2xx: r.non2xx,
    byFilter,
    bar: { p99Ms: 50 },
    search: {
      reqPerSec: Math.round(s.requests.average * 10) / 10,
      latencyMs: { p50: s.latency.p50, p99: s.latency.p99, max: s.latency.max },
      non2xx: s.non2xx,
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runListBench(), null, 2));
}

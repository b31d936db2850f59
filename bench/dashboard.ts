/**
 * The manager's dashboard over 1,000,000 orders (product bar: ≤ 300 ms): the bench generates
 * them (the database's triggers keep the rollups as the rows go in), restarts the server on that
 * database and measures GET /api/v1/analytics/dashboard one request at a time, as a manager
 * opening it would: a year, a month, and a window cut mid-day at both ends (whole days from the
 * rollups, the partial days order by order). The demand forecast is measured the same way
 * (GET /api/v1/analytics/forecast, by day and by week): it reads a year of the rollups per day and
 * category, then fits and backtests the community and each category.
 */
import { pathToFileURL } from 'node:url';
import { cannon } from './autocannon.ts';
import { login, startServerProcess, stopProcess } from './lib.ts';
import { bigDatabase } from './big-data.ts';

export async function runDashboardBench(opts: { orders?: number; duration?: number } = {}) {
  const n = opts.orders ?? 1_000_000;
  const big = await bigDatabase(n);
  const server = await startServerProcess(big.env);
  const token = await login(server.base, 'manager');
  const headers = { authorization: `Bearer ${token}` };
  const windows = {
    year: ['2025-11-20T16:00:00.000Z', '2026-11-20T16:00:00.000Z'],
    month: ['2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'],
    partialDays: ['2025-12-03T05:17:00.000Z', '2026-11-19T21:30:00.000Z'],
  } as const;
  const path = ([from, to]: readonly [string, string]) =>
    `/api/v1/analytics/dashboard?community=${big.communityId}&from=${from}&to=${to}`;
  const first = Date.now();
  const res = await fetch(`${server.base}${path(windows.year)}`, { headers });
  const body = (await res.json()) as { totals: { orders: number } };
  const firstMs = Date.now() - first;
  const results: Record<string, unknown> = {};
  const paths: Array<[string, string]> = [
    ...Object.entries(windows).map(([name, w]): [string, string] => [name, path(w)]),
    ['forecastDays', `/api/v1/analytics/forecast?community=${big.communityId}`],
    ['forecastWeeks', `/api/v1/analytics/forecast?community=${big.communityId}&granularity=week`],
  ];
  for (const [name, p] of paths) {
    const r = await cannon({
      url: server.base,
      connections: 1,
      duration: opts.duration ?? 8,
      requests: [{ method: 'GET', path: p, headers }],
    });
    results[name] = {
      reqPerSec: Math.round(r.requests.average),
      latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
      non2xx: r.non2xx,
    };
  }
  await stopProcess(server.child);
  await big.dispose();
  return {
    database: process.env.DATABASE_URL ? 'postgres' : 'sqlite',
    orders: n,
    fillSeconds: big.fillSeconds,
    yearOrdersCounted: body.totals.orders,
    firstRequestMs: firstMs,
    ...results,
    bar: { p99Ms: 300 },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runDashboardBench(), null, 2));
}

/**
 * List query with filters over 1,000,000 orders: the bench generates them, restarts the server
 * on that database and measures GET /api/v1/work-orders with several filter mixes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { cannon } from './autocannon.ts';
import { login, startServerProcess, stopProcess } from './lib.ts';
import { fillPostgres, fillSqlite } from './big-data.ts';

export async function runListBench(opts: { orders?: number; duration?: number } = {}) {
  const n = opts.orders ?? 1_000_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'linli-list-'));
  const url = process.env.DATABASE_URL;
  const schema = url ? `bench_${randomBytes(4).toString('hex')}` : undefined;
  const env: Record<string, string> = {
    LINLI_DATA_DIR: dataDir,
    LINLI_DEMO_ORDERS: '20',
    LINLI_WORKERS: '0',
  };
  if (schema) env.LINLI_DB_SCHEMA = schema;

  let server = await startServerProcess(env);
  const admin = await login(server.base, 'dispatcher');
  const me = (await (
    await fetch(`${server.base}/api/v1/me`, { headers: { authorization: `Bearer ${admin}` } })
  ).json()) as {
    communities: { id: string }[];
  };
  const communityId = me.communities[0]?.id ?? '';
  const grids = (await (
    await fetch(`${server.base}/api/v1/communities/${communityId}/grids`, {
      headers: { authorization: `Bearer ${admin}` },
    })
  ).json()) as { features: { id: string }[] };
  const gridIds = grids.features.map((f) => f.id);
  await stopProcess(server.child);

  const t0 = Date.now();
  if (url && schema) await fillPostgres(url, schema, communityId, gridIds, n);
  else await fillSqlite(join(dataDir, 'linli.sqlite'), communityId, gridIds, n);
  const fillSeconds = (Date.now() - t0) / 1000;

  server = await startServerProcess(env);
  const token = await login(server.base, 'dispatcher');
  const headers = { authorization: `Bearer ${token}` };
  const paths = [
    '/api/v1/work-orders?status=in_progress&limit=20',
    '/api/v1/work-orders?category=basic_living&urgency=high&limit=20',
    '/api/v1/work-orders?from=2026-03-01T00:00:00.000Z&to=2026-03-08T00:00:00.000Z&limit=20',
    `/api/v1/work-orders?grid=${gridIds[1] ?? ''}&status=closed&limit=20`,
    '/api/v1/work-orders?channel=hotline&status=resolved&limit=20',
    '/api/v1/work-orders?status=submitted,accepted&category=elderly_care&limit=20',
  ];
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
  await stopProcess(server.child);
  if (url && schema) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`drop schema ${schema} cascade`);
    await c.end();
  } else {
    new Sqlite(join(dataDir, 'linli.sqlite')).close();
  }
  rmSync(dataDir, { recursive: true, force: true });
  return {
    database: url ? 'postgres' : 'sqlite',
    orders: n,
    fillSeconds,
    reqPerSec: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
    non2xx: r.non2xx,
    bar: { p99Ms: 50 },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await runListBench(), null, 2));
}

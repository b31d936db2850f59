/**
 * Durability check (run in CI on SQLite and PostgreSQL): intake load on a real server, SIGKILL
 * in the middle, restart, then every order that was answered 201 must be there and every
 * community's audit chain must verify. Exits 1 otherwise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { login, startServerProcess, stopProcess } from './lib.ts';

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'linli-durability-'));
  const env: Record<string, string> = { LINLI_DATA_DIR: dataDir, LINLI_DEMO_ORDERS: '50' };
  const url = process.env.DATABASE_URL;
  let schema: string | undefined;
  if (url) {
    schema = `dur_${randomBytes(5).toString('hex')}`;
    env.LINLI_DB_SCHEMA = schema;
  }
  const db = url ? 'postgres' : 'sqlite';
  let server = await startServerProcess(env);
  const token = await login(server.base, 'agent');
  const acknowledged: string[] = [];
  let errors = 0;
  let stop = false;
  const worker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      try {
        const r = await fetch(`${server.base}/api/v1/work-orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ channel: 'hotline', description: `持久性测试 ${w}-${i} 楼道漏水` }),
        });
        if (r.status === 201) acknowledged.push(((await r.json()) as { id: string }).id);
      } catch {
        errors += 1; // the connection dies with the server: those requests were never acknowledged
      }
    }
  };
  const workers = Array.from({ length: 16 }, (_, w) => worker(w));
  await new Promise((r) => setTimeout(r, 2500));
  server.child.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);
  await new Promise((r) => setTimeout(r, 300));

  server = await startServerProcess(env);
  const auditor = await login(server.base, 'agent');
  let missing = 0;
  for (let i = 0; i < acknowledged.length; i += 1) {
    const r = await fetch(`${server.base}/api/v1/work-orders/${acknowledged[i]}`, {
      headers: { authorization: `Bearer ${auditor}` },
    });
    if (r.status !== 200) missing += 1;
  }
  const admin = await login(server.base, 'admin');
  const me = (await (
    await fetch(`${server.base}/api/v1/me`, { headers: { authorization: `Bearer ${admin}` } })
  ).json()) as {
    communities: { id: string }[];
  };
  const chains = [];
  for (const c of me.communities) {
    const v = await fetch(`${server.base}/api/v1/audit/verify?community=${c.id}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    chains.push((await v.json()) as { ok: boolean; entries: number });
  }
  await stopProcess(server.child);
  rmSync(dataDir, { recursive: true, force: true });
  if (url && schema) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`drop schema if exists ${schema} cascade`);
    await c.end();
  }
  const result = {
    database: db,
    acknowledged: acknowledged.length,
    missingAfterRestart: missing,
    connectionErrorsAtKill: errors,
    auditChains: chains,
  };
  console.log(JSON.stringify(result, null, 2));
  const ok = acknowledged.length > 0 && missing === 0 && chains.every((c) => c.ok);
  console.log(ok ? `durability: ${acknowledged.length} passed, 0 failed` : 'durability: FAILED');
  process.exit(ok ? 0 : 1);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

/**
 * Emergency lane, end to end against a real server (HTTP on 127.0.0.1, SQLite, demo data, workers
 * running): a hotline agent POSTs critical orders for an elderly resident; the clock runs from
 * just before the POST until the response names the assignee. A GET afterwards confirms the
 * assignment was stored with the order. Bar: ≤ 1 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { login, percentile, startServerProcess, stopProcess } from './lib.ts';

const NEEDS = [
  { description: '独居老人在家突然晕倒，呼吸困难', category: 'safety_emergency.medical_emergency' },
  { description: '厨房闻到很浓的煤气味，怀疑燃气泄漏', category: 'safety_emergency.gas_leak' },
  { description: '电梯突然停在两层之间，有人被困在里面', category: 'safety_emergency.trapped' },
  { description: '楼下电动车起火，浓烟往楼道里冒', category: 'safety_emergency.fire' },
];

interface Created {
  id: string;
  status: string;
  assignee: { id: string; name: string } | null;
}

export async function runEmergencyBench(options: { orders?: number } = {}): Promise<object> {
  const n = options.orders ?? 40;
  const dataDir = mkdtempSync(join(tmpdir(), 'linli-emergency-'));
  const server = await startServerProcess({ LINLI_DATA_DIR: dataDir, LINLI_DEMO_ORDERS: '200' });
  try {
    const agent = await login(server.base, 'agent');
    const auth = { authorization: `Bearer ${agent}`, 'content-type': 'application/json' };
    const lookup = await fetch(`${server.base}/api/v1/residents?phone=13800000001`, { headers: auth });
    const found = (await lookup.json()) as Array<{ id: string }> | { items?: Array<{ id: string }> };
    const residentId = (Array.isArray(found) ? found : (found.items ?? []))[0]?.id;
    const latencies: number[] = [];
    const responders = new Map<string, number>();
    let named = 0;
    let stored = 0;
    for (let i = 0; i < n; i++) {
      const need = NEEDS[i % NEEDS.length] ?? NEEDS[0];
      const t0 = performance.now();
      const res = await fetch(`${server.base}/api/v1/work-orders`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          channel: 'hotline',
          urgency: 'critical',
          ...need,
          ...(residentId ? { residentId } : {}),
        }),
      });
      const body = (await res.json()) as Created;
      const ms = performance.now() - t0;
      if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(body)}`);
      latencies.push(ms);
      if (body.status === 'dispatched' && body.assignee?.name) {
        named++;
        responders.set(body.assignee.name, (responders.get(body.assignee.name) ?? 0) + 1);
      }
      const check = (await (
        await fetch(`${server.base}/api/v1/work-orders/${body.id}`, { headers: auth })
      ).json()) as Created;
      if (check.assignee?.id && check.assignee.id === body.assignee?.id) stored++;
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const round = (x: number): number => Math.round(x * 10) / 10;
    const p99 = percentile(sorted, 99);
    return {
      bench: 'emergency lane: POST critical order → named assignee (real server, SQLite)',
      orders: n,
      namedInResponse: named,
      storedWithOrder: stored,
      distinctResponders: responders.size,
      ms: {
        p50: round(percentile(sorted, 50)),
        p95: round(percentile(sorted, 95)),
        p99: round(p99),
        max: round(sorted[sorted.length - 1] ?? 0),
      },
      barMs: 1000,
      pass: named === n && stored === n && (sorted[sorted.length - 1] ?? Infinity) <= 1000,
    };
  } finally {
    await stopProcess(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runEmergencyBench(), null, 2));
}

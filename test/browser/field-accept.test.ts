/**
 * The field app's 接单: accepting leaves the order 已派单, so the page reads the order's
 * assignments to show it is accepted; the button goes and stays gone after a reload.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apiToken, chromiumAvailable, demoAndBrowser, staffLogin } from './harness.ts';
import type { DemoServer } from './harness.ts';

async function call<T>(server: DemoServer, token: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(r.ok, `${path}: ${r.status} ${await r.clone().text()}`);
  return (await r.json()) as T;
}

describe('web: 接单 in the field app', { skip: !chromiumAvailable() && 'chromium is not installed' }, () => {
  const s = demoAndBrowser();

  it('shows the task accepted once 接单 is tapped, and after a reload', async () => {
    const server = s.server;
    const dispatcher = await apiToken(server, 'dispatcher');
    const worker = await apiToken(server, 'grid_worker');
    const me = await call<{ id: string }>(server, worker, '/api/v1/me');
    const open = await call<{ items: { id: string; version: number; allowedActions: string[] }[] }>(
      server,
      dispatcher,
      '/api/v1/work-orders?community=taoyuan&status=submitted,accepted&limit=50',
    );
    const order = open.items.find((o) => o.allowedActions.includes('dispatch'));
    assert.ok(order, 'an order to dispatch');
    await call(server, dispatcher, `/api/v1/work-orders/${order.id}/actions/dispatch`, {
      version: order.version,
      assigneeId: me.id,
    });

    const p = s.b.page;
    await staffLogin(p, server, '/field', 'grid_worker');
    await p.goto(`${server.url}/field/${order.id}`);
    const accept = p.getByRole('button', { name: '接单' });
    await accept.waitFor();
    await accept.click();
    await p.getByRole('status').filter({ hasText: '已接单' }).waitFor();
    await accept.waitFor({ state: 'detached' });

    const history = await call<{ assignments: { userId: string; state: string }[] }>(
      server,
      worker,
      `/api/v1/work-orders/${order.id}/assignments`,
    );
    assert.equal(history.assignments.filter((a) => a.userId === me.id).at(-1)?.state, 'accepted');

    await p.reload();
    await p.getByRole('status').filter({ hasText: '已接单' }).waitFor();
    assert.equal(await p.getByRole('button', { name: '接单' }).count(), 0, 'no 接单 after a reload');
    await p.getByRole('button', { name: /开始处理/ }).waitFor();
  });
});

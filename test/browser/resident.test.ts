/**
 * Resident H5 in real Chromium: elderly mode (large type, big targets, fewer steps) and a
 * submission made while offline that is kept on the phone and sent once, with the same
 * idempotency key, when the connection returns.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  axe,
  chromiumAvailable,
  ensureBuilt,
  launch,
  residentLogin,
  setLang,
  shot,
  startServer,
} from './harness.ts';
import type { Browser, DemoServer } from './harness.ts';

interface Order {
  id: string;
  number: string;
  description: string;
  beneficiary: { name: string } | null;
}

async function staffToken(server: DemoServer): Promise<string> {
  const r = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'agent', password: 'demo1234' }),
  });
  return ((await r.json()) as { token: string }).token;
}

async function ordersMatching(server: DemoServer, token: string, text: string): Promise<Order[]> {
  const r = await fetch(`${server.url}/api/v1/work-orders?q=${encodeURIComponent(text)}&limit=50`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await r.json()) as { items: Order[] }).items.filter((o) => o.description === text);
}

describe('web: resident H5', { skip: !chromiumAvailable() && 'chromium is not installed' }, () => {
  let server: DemoServer;
  let b: Browser;
  before(async () => {
    ensureBuilt();
    server = await startServer();
    b = await launch();
  });
  after(async () => {
    await b?.close();
    await server?.stop();
  });

  it('elderly mode: large type, big buttons, a request in three taps', async () => {
    const p = b.page;
    await residentLogin(p, server, '13800000001');
    const toggle = p.getByRole('button', { name: /长辈模式/ });
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    assert.ok(await p.evaluate(() => document.documentElement.classList.contains('elderly')));
    const big = p.locator('.big-action.primary');
    const size = await big.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    const height = (await big.boundingBox())?.height ?? 0;
    assert.ok(size >= 24, `large type (${size}px)`);
    assert.ok(height >= 100, `big target (${height}px)`);
    assert.equal(await p.locator('.quick-grid button').count(), 4, 'fewer choices');
    assert.deepEqual(await axe(p), []);
    await shot(p, 'elderly-home-zh');

    // Tap 1: a common need; tap 2: submit; the details an elderly user need not fill are hidden.
    await p.getByRole('button', { name: '水管漏水' }).click();
    await p.locator('#report-description').waitFor();
    assert.equal(await p.locator('#report-description').inputValue(), '家里水管漏水了，需要维修');
    assert.equal(await p.getByText('最多6张，帮助师傅判断').isVisible(), false, 'photos are hidden');
    assert.equal(await p.locator('#report-address').isVisible(), false, 'address is hidden');
    assert.deepEqual(await axe(p), []);
    await shot(p, 'elderly-report-zh');
    await p.getByRole('button', { name: /^提\s*交$/ }).click();
    await p.waitForURL(/\/orders\//);
    await p.getByText('家里水管漏水了，需要维修').waitFor();

    // The setting survives a reload and works in English too.
    await setLang(p, 'en');
    await p.goto(`${server.url}/`);
    await p.getByRole('button', { name: /Report a need/ }).waitFor();
    assert.ok(await p.evaluate(() => document.documentElement.classList.contains('elderly')));
    assert.deepEqual(await axe(p), []);
    await shot(p, 'elderly-home-en');
    await setLang(p, 'zh');
    await p.getByRole('button', { name: /长辈模式/ }).click();
  });

  it('keeps an offline submission and sends it once, with the same key, when back online', async () => {
    const p = b.page;
    const text = `离线时提交：楼道灯坏了 ${Date.now()}`;
    await p.goto(`${server.url}/report`);
    await p.locator('#report-description').fill(text);
    await p.context().setOffline(true);
    await p.getByRole('button', { name: /^提\s*交$/ }).click();
    await p.getByText(/待发送的工单/).waitFor();
    const pending = await p.evaluate(
      () => JSON.parse(localStorage.getItem('linli.outbox') ?? '[]') as { key: string; body: unknown }[],
    );
    assert.equal(pending.length, 1, 'kept on the phone');
    const key = pending[0]?.key ?? '';
    const body = pending[0]?.body;
    await shot(p, 'resident-offline-zh');

    await p.context().setOffline(false);
    await p.getByText(/待发送的工单/).waitFor({ state: 'detached', timeout: 30_000 });
    await p.getByText(text).first().waitFor();
    const token = await staffToken(server);
    const found = await ordersMatching(server, token, text);
    assert.equal(found.length, 1, 'exactly one order');
    assert.equal(found[0]?.beneficiary?.name, '王秀英');

    // The key it was sent with is the one kept offline: replaying it answers the same order.
    const cookies = await p.context().cookies();
    const session = cookies.find((c) => c.name === 'linli_session')?.value ?? '';
    const replay = await fetch(`${server.url}/api/v1/work-orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': key,
        authorization: `Bearer ${session}`,
      },
      body: JSON.stringify(body),
    });
    assert.ok(replay.status === 200 || replay.status === 201, `replay answered ${replay.status}`);
    assert.equal(((await replay.json()) as Order).id, found[0]?.id);
    assert.equal((await ordersMatching(server, token, text)).length, 1);
  });
});

/**
 * Resident H5 in real Chromium: elderly mode (large type, big targets, fewer steps) and a
 * submission made while offline that is kept on the phone and sent once, with the same
 * idempotency key, when the connection returns.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  apiToken,
  axe,
  chromiumAvailable,
  demoAndBrowser,
  eventually,
  focusedSettles,
  ordersSaying,
  residentLogin,
  setLang,
  shot,
  shown,
} from './harness.ts';
import type { WorkOrder } from './harness.ts';

describe('web: resident H5', { skip: !chromiumAvailable() && 'chromium is not installed' }, () => {
  const s = demoAndBrowser();

  it('elderly mode: large type, big buttons, a request in three taps', async () => {
    const p = s.b.page;
    await residentLogin(p, s.server, '13800000001');
    const toggle = p.getByRole('button', { name: /长辈模式/ });
    assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
    await toggle.click();
    assert.equal(
      await eventually(
        () => toggle.getAttribute('aria-pressed'),
        (v) => v === 'true',
      ),
      'true',
    );
    assert.ok(await p.evaluate(() => document.documentElement.classList.contains('elderly')));
    const big = p.locator('.big-action.primary');
    const size = await big.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    const height = (await big.boundingBox())?.height ?? 0;
    assert.ok(size >= 24, `large type (${size}px)`);
    assert.ok(height >= 100, `big target (${height}px)`);
    const tag = p.locator('main .adm-tag').first();
    await tag.waitFor();
    const tagSize = await tag.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(tagSize >= 18, `large status tags (${tagSize}px)`);
    const tabSize = await p
      .getByRole('navigation')
      .getByRole('link')
      .first()
      .evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(tabSize >= 18, `large tab labels (${tabSize}px)`);
    assert.equal(await p.locator('.quick-grid button').count(), 4, 'fewer choices');
    assert.deepEqual(await axe(p), []);
    await shot(p, 'elderly-home-zh');

    // Tap 1: a common need; tap 2: submit. The form is simpler (no category, no map), but photos
    // and the address stay: an elderly resident may need them as much as anyone.
    await p.getByRole('button', { name: '水管漏水' }).click();
    await p.locator('#report-description').waitFor();
    assert.equal(await p.locator('#report-description').inputValue(), '家里水管漏水了，需要维修');
    assert.equal(await p.getByRole('radiogroup', { name: '类别' }).isVisible(), false, 'no category');
    assert.ok(await p.getByText('最多6张，帮助师傅判断').isVisible(), 'photos are there');
    assert.ok(await p.locator('#report-address').isVisible(), 'the address is there');
    assert.deepEqual(await axe(p), []);
    await shot(p, 'elderly-report-zh');
    await p.getByRole('button', { name: /^提\s*交$/ }).click();
    await p.waitForURL(/\/orders\//);
    await p.locator('#report-description').waitFor({ state: 'detached' });
    await p.getByText('家里水管漏水了，需要维修').waitFor();

    // The setting survives a reload and works in English too.
    await setLang(p, 'en');
    await p.goto(`${s.server.url}/`);
    await p.getByRole('button', { name: /Report a need/ }).waitFor();
    assert.ok(await p.evaluate(() => document.documentElement.classList.contains('elderly')));
    assert.deepEqual(await axe(p), []);
    await shot(p, 'elderly-home-en');
    await setLang(p, 'zh');
    await p.getByRole('button', { name: /长辈模式/ }).click();
  });

  it('keeps an offline submission and sends it once, with the same key, when back online', async () => {
    const p = s.b.page;
    const text = `离线时提交：楼道灯坏了 ${Date.now()}`;
    await p.goto(`${s.server.url}/report`);
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
    const token = await apiToken(s.server, 'agent');
    const found = await ordersSaying(s.server, token, text);
    assert.equal(found.length, 1, 'exactly one order');
    assert.equal(found[0]?.beneficiary?.name, '王秀英');

    // The key it was sent with is the one kept offline: replaying it answers the same order.
    const cookies = await p.context().cookies();
    const session = cookies.find((c) => c.name === 'linli_session')?.value ?? '';
    const replay = await fetch(`${s.server.url}/api/v1/work-orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': key,
        authorization: `Bearer ${session}`,
      },
      body: JSON.stringify(body),
    });
    assert.ok(replay.status === 200 || replay.status === 201, `replay answered ${replay.status}`);
    assert.equal(((await replay.json()) as WorkOrder).id, found[0]?.id);
    assert.equal((await ordersSaying(s.server, token, text)).length, 1);
  });

  it('SOS asks first and files a critical order; on a shared phone the next resident starts clean', async () => {
    const p = s.b.page;
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    const token = await apiToken(s.server, 'agent');
    const SOS = '紧急求助（一键SOS）';
    const before = (await ordersSaying(s.server, token, SOS)).length;
    await p.goto(`${s.server.url}/`);
    await p
      .getByRole('button', { name: /紧急求助/ })
      .first()
      .click();
    // The confirmation is a real dialog (antd-mobile's imperative pop-ups under React 19).
    const dialog = p.getByRole('dialog');
    await dialog.getByText('确定发送紧急求助吗？').waitFor();
    await shot(p, 'resident-sos-confirm-zh');
    await dialog.getByRole('button', { name: '紧急求助' }).click();
    await shown(p, '紧急求助已发送，请保持电话畅通').waitFor();
    const after = await ordersSaying(s.server, token, SOS);
    assert.equal(after.length, before + 1, 'one SOS order');
    assert.ok(after.every((o) => o.urgency === 'critical'));

    // Resident 1 leaves a draft and, as if the network had failed, a queued report.
    await p.goto(`${s.server.url}/report`);
    await p.locator('#report-description').fill('王秀英没写完的草稿');
    await p.waitForFunction(() => (localStorage.getItem('linli.drafts') ?? '').includes('没写完'));
    await p.evaluate(() => {
      const queued = JSON.parse(localStorage.getItem('linli.outbox') ?? '[]') as unknown[];
      queued.push({
        key: 'queued-by-someone-else',
        body: { channel: 'web', description: '别人手机上排队的工单' },
        savedAt: new Date().toISOString(),
        owner: 'another-resident',
      });
      localStorage.setItem('linli.outbox', JSON.stringify(queued));
    });
    await p.getByRole('button', { name: '退出登录' }).click();
    await p.getByRole('dialog').getByRole('button', { name: '退出登录' }).click();
    await p.locator('#login-phone').waitFor();
    // The draft stays on the phone for resident 1 only (they were told when signing out).
    assert.ok(
      await p.evaluate(() => (localStorage.getItem('linli.drafts') ?? '').includes('没写完')),
      'kept for its owner',
    );

    await residentLogin(p, s.server, '13800000003');
    await p.goto(`${s.server.url}/report`);
    assert.equal(await p.locator('#report-description').inputValue(), '', 'an empty form');
    await p.goto(`${s.server.url}/`);
    await p
      .getByRole('button', { name: /我要办事/ })
      .first()
      .waitFor();
    assert.equal(await p.getByText(/待发送的工单/).count(), 0, "another resident's queue is not shown");
    await p.waitForTimeout(1500);
    assert.equal((await ordersSaying(s.server, token, '别人手机上排队的工单')).length, 0, 'nor sent');
    assert.ok(
      await p.evaluate(() => (localStorage.getItem('linli.outbox') ?? '').includes('queued-by-someone-else')),
      'it stays on the phone for its owner',
    );
    assert.deepEqual(errors, []);
  });

  it('a category taken from the suggestion follows the text when it is rewritten', async () => {
    const p = s.b.page;
    await p.goto(`${s.server.url}/report`);
    const description = p.locator('#report-description');
    await description.fill('楼道里有很重的煤气味');
    await p.locator('.suggest').getByRole('button').click();
    const chosen = p.locator('.choice-chip.active');
    await chosen.filter({ hasText: '安全应急' }).waitFor();
    await description.fill('厨房水管漏水了，地上全是水');
    await p.locator('.suggest').filter({ hasText: '水电' }).waitFor();
    await chosen.filter({ hasText: '自动判断' }).waitFor();
    assert.ok(await p.getByRole('radio', { name: '自动判断' }).isChecked(), 'back to "decide for me"');
    await description.fill('');
  });
  it('an SOS that cannot be sent says so at once, until dismissed, with the numbers to call', async () => {
    const p = s.b.page;
    const token = await apiToken(s.server, 'agent');
    const SOS = '紧急求助（一键SOS）';
    await p.goto(`${s.server.url}/`);
    await p
      .getByRole('button', { name: /我要办事/ })
      .first()
      .waitFor();
    // The home page keeps the directory on the phone, hotline included.
    await p.waitForFunction(() => (localStorage.getItem('linli.directory') ?? '').includes('hotline'));
    const hotline = await p.evaluate(
      () =>
        (
          JSON.parse(localStorage.getItem('linli.directory') ?? '{}') as {
            directory: { contacts: { hotline: string } };
          }
        ).directory.contacts.hotline,
    );
    const before = (await ordersSaying(s.server, token, SOS)).length;

    await p.context().setOffline(true);
    await p
      .getByRole('button', { name: /紧急求助/ })
      .first()
      .click();
    await p.getByRole('dialog').getByRole('button', { name: '紧急求助' }).click();
    const alert = p.getByRole('alert').filter({ hasText: '紧急求助没有发出' });
    await alert.waitFor();
    assert.equal(await focusedSettles(p, 'sos-failed', 'class'), 'sos-failed', 'focus on it');
    for (const n of ['110', '119', '120'])
      assert.equal(await alert.getByRole('link', { name: new RegExp(n) }).getAttribute('href'), `tel:${n}`);
    assert.equal(
      await alert.getByRole('link', { name: /服务热线/ }).getAttribute('href'),
      `tel:${hotline.replace(/[^0-9+]/g, '')}`,
    );
    assert.equal(await p.getByText(/待发送的工单/).count(), 0, 'an SOS is not queued to go out later');
    assert.ok(!(await p.evaluate(() => localStorage.getItem('linli.outbox') ?? '')).includes('一键SOS'));
    await p.getByRole('dialog').waitFor({ state: 'detached' });
    assert.deepEqual(await axe(p), []);
    await shot(p, 'resident-sos-not-sent-zh');

    // Not a toast: still there a while later, and back online nothing goes out by itself.
    await p.waitForTimeout(2500);
    assert.ok(await alert.isVisible());
    await p.context().setOffline(false);
    await p.waitForTimeout(1500);
    assert.equal((await ordersSaying(s.server, token, SOS)).length, before, 'nothing sent behind their back');

    // Sending again is the resident's choice.
    await alert.getByRole('button', { name: '再次发送紧急求助' }).click();
    await shown(p, '紧急求助已发送，请保持电话畅通').waitFor();
    await alert.waitFor({ state: 'detached' });
    assert.equal((await ordersSaying(s.server, token, SOS)).length, before + 1);
  });
  it('我的信息: the resident saves a copy of their data as a file', async () => {
    const p = s.b.page;
    await p.goto(`${s.server.url}/`);
    const button = p.getByRole('button', { name: '下载我的信息' });
    await button.scrollIntoViewIfNeeded();
    const [download] = await Promise.all([p.waitForEvent('download'), button.click()]);
    assert.match(download.suggestedFilename(), /^linli-resident-data-\d{4}-\d{2}-\d{2}\.json$/);
    const file = await download.path();
    const copy = JSON.parse(readFileSync(file, 'utf8')) as {
      format: string;
      resident: { id: string; phone: string };
      orders: { description: string }[];
    };
    assert.equal(copy.format, 'linli.resident-data/1');
    const me = await p.evaluate(
      async () => ((await (await fetch('/api/v1/me')).json()) as { id: string }).id,
    );
    assert.equal(copy.resident.id, me, 'the resident signed in on this phone');
    assert.match(copy.resident.phone, /^1\d{10}$/, 'their own phone, whole');
    assert.ok(copy.orders.length > 0, 'their orders');
    await p.getByRole('status').filter({ hasText: '已保存到手机' }).waitFor();
    assert.deepEqual(await axe(p), []);
    await shot(p, 'resident-my-data-zh');
  });

  it('a report refused because the sign-in expired is kept, and the resident is sent to sign in again', async () => {
    const p = s.b.page;
    const text = `登录过期时提交：井盖松动 ${Date.now()}`;
    await p.goto(`${s.server.url}/report`);
    await p.locator('#report-description').fill(text);
    // The server no longer knows the session: as after a sign-out on another device.
    await p.route('**/api/v1/work-orders', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({
            status: 401,
            contentType: 'application/json',
            body: JSON.stringify({ error: { code: 'unauthenticated', message: 'sign in', details: {} } }),
          })
        : route.continue(),
    );
    await p.getByRole('button', { name: /^提\s*交$/ }).click();
    await p
      .getByText(/登录已失效/)
      .first()
      .waitFor();
    assert.doesNotMatch(await p.locator('body').innerText(), /网络中断/);
    const pending = await p.evaluate(
      () => JSON.parse(localStorage.getItem('linli.outbox') ?? '[]') as { body: { description: string } }[],
    );
    assert.ok(
      pending.some((o) => o.body.description === text),
      'kept on the phone',
    );
    await p.unroute('**/api/v1/work-orders');
    // Then the sign-in page.
    await p.locator('input[type="tel"], #login-phone').first().waitFor({ timeout: 15_000 });
  });
});

/**
 * The console between calls, in real Chromium: a logged call leaves nothing of its caller for the
 * next one, 新来电 clears the console, a retry after a lost answer logs the call once, and Alt+S
 * asks before it dispatches an emergency.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiToken,
  chromiumAvailable,
  demoAndBrowser,
  eventually,
  focusedSettles,
  listOrders,
  lookUpCaller,
  ordersSaying,
  staffLogin,
} from './harness.ts';
import type { DemoServer, WorkOrder } from './harness.ts';
import type { Page } from 'playwright-core';

/** The orders whose description is `text`, as the dispatcher finds them. */
async function dispatcherFinds(server: DemoServer, text: string): Promise<WorkOrder[]> {
  return ordersSaying(server, await apiToken(server, 'dispatcher'), text);
}

async function recentOrders(server: DemoServer): Promise<WorkOrder[]> {
  return listOrders(server, await apiToken(server, 'dispatcher'), 'limit=20');
}

/** Waits until a logged call has cleared the description. */
async function emptied(p: Page): Promise<void> {
  await p.waitForFunction(
    () => (document.querySelector('#intake-description') as HTMLTextAreaElement | null)?.value === '',
  );
}

describe(
  'web: the console between calls',
  { skip: !chromiumAvailable() && 'chromium is not installed' },
  () => {
    const s = demoAndBrowser({ width: 1440, height: 900 });
    before(async () => {
      await staffLogin(s.b.page, s.server, '/console', 'agent');
    });

    it('a logged call leaves nothing of its caller for the next one', async () => {
      const p = s.b.page;
      const kb = p.keyboard;
      await lookUpCaller(p, '13800000001', p.getByRole('radio', { name: /王秀英/ }));
      assert.notEqual(await p.locator('#intake-address').inputValue(), '', 'the lookup fills the address');
      await p.locator('#intake-description').fill('老人家里的灯泡坏了，想请人来换');
      await kb.press('Control+Enter');
      await p.locator('.ant-alert-success').filter({ hasText: '已登记' }).waitFor();

      assert.equal(
        await eventually(
          () => p.locator('#caller-phone').inputValue(),
          (v) => v === '',
        ),
        '',
        'phone cleared',
      );
      assert.equal(await p.locator('#intake-caller').inputValue(), '', 'caller name cleared');
      assert.equal(await p.locator('#intake-address').inputValue(), '', 'address cleared');
      assert.equal(await p.locator('#intake-description').inputValue(), '');
      assert.equal(await p.getByRole('radio', { name: /王秀英/ }).count(), 0, 'no beneficiary left');

      // A walk-in without a phone: the order is nobody's but theirs.
      const walkIn = `窗口来人：小区门口路灯不亮 ${Date.now()}`;
      await p.locator('#intake-description').fill(walkIn);
      await kb.press('Control+Enter');
      await emptied(p);
      const [o] = await dispatcherFinds(s.server, walkIn);
      assert.ok(o, 'the walk-in was logged');
      assert.equal(o.beneficiary, null, 'not for the previous caller');
      assert.ok(!o.reporter?.phone, 'without the previous caller’s phone');
      assert.ok(!o.address, 'without the previous caller’s address');
    });

    it('新来电 clears the console from the keyboard', async () => {
      const p = s.b.page;
      await lookUpCaller(p, '13800000001', p.getByRole('radio', { name: /王秀英/ }));
      await p.locator('#intake-description').fill('说到一半的来电');
      const button = p.getByRole('button', { name: '新来电' });
      assert.equal(await button.getAttribute('aria-keyshortcuts'), 'Alt+N');
      await p.keyboard.press('Alt+N');
      assert.equal(
        await eventually(
          () => p.locator('#intake-description').inputValue(),
          (v) => v === '',
        ),
        '',
      );
      assert.equal(await p.locator('#caller-phone').inputValue(), '');
      assert.equal(await p.getByRole('radio', { name: /王秀英/ }).count(), 0);
      assert.equal(await focusedSettles(p, 'caller-phone'), 'caller-phone');
      await p.locator('#intake-description').fill('又一个说到一半的来电');
      await button.focus();
      await p.keyboard.press('Enter');
      assert.equal(
        await eventually(
          () => p.locator('#intake-description').inputValue(),
          (v) => v === '',
        ),
        '',
      );
    });

    it('a retry after a lost answer logs the call once, under the same key', async () => {
      const p = s.b.page;
      const keys: string[] = [];
      let lose = true;
      await p.route('**/api/v1/work-orders', async (route) => {
        const req = route.request();
        if (req.method() !== 'POST') return route.continue();
        keys.push((await req.headerValue('idempotency-key')) ?? '');
        if (!lose) return route.continue();
        // The server commits the order, and its answer never arrives.
        lose = false;
        await route.fetch();
        return route.abort('connectionreset');
      });
      const text = `电话里说：楼顶水箱漏水 ${Date.now()}`;
      await p.locator('#intake-description').fill(text);
      await p.keyboard.press('Control+Enter');
      await p
        .getByRole('alert')
        .filter({ hasText: /网络.*中断/ })
        .waitFor();
      assert.equal(await p.locator('#intake-description').inputValue(), text, 'the intake is kept');
      await p.keyboard.press('Control+Enter');
      await p.locator('.ant-alert-success').filter({ hasText: '已登记' }).waitFor();
      await p.unroute('**/api/v1/work-orders');
      assert.equal(keys.length, 2);
      assert.equal(keys[0], keys[1], 'the retry reused the key');
      assert.equal((await dispatcherFinds(s.server, text)).length, 1, 'exactly one order');

      // The next intake gets a key of its own.
      const next: string[] = [];
      await p.route('**/api/v1/work-orders', async (route) => {
        if (route.request().method() === 'POST')
          next.push((await route.request().headerValue('idempotency-key')) ?? '');
        return route.continue();
      });
      const other = `另一个来电：楼下垃圾没人收 ${Date.now()}`;
      await p.locator('#intake-description').fill(other);
      await p.keyboard.press('Control+Enter');
      await emptied(p);
      await p.unroute('**/api/v1/work-orders');
      assert.equal(next.length, 1);
      assert.notEqual(next[0], keys[0], 'a new intake, a new key');
      assert.equal((await dispatcherFinds(s.server, other)).length, 1);
    });

    it('Alt+S asks before dispatching an emergency; Esc cancels, Alt+S again sends', async () => {
      const p = s.b.page;
      const kb = p.keyboard;
      const critical = async () =>
        (await recentOrders(s.server)).filter(
          (o) => o.urgency === 'critical' && o.description.includes('坐席SOS'),
        ).length;
      const before = await critical();
      await p.locator('#caller-phone').focus();
      await kb.press('Alt+S');
      const dialog = p.getByRole('dialog');
      await p.locator('.ant-modal-confirm-title', { hasText: '确定登记紧急工单吗？' }).waitFor();
      assert.match((await dialog.textContent()) ?? '', /未填写/, 'says nobody is named');
      // Typing on does not send it: focus is on 取消.
      assert.equal(await focusedSettles(p, '取消', 'text'), '取消');
      await kb.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await p.waitForTimeout(500);
      assert.equal(await critical(), before, 'nothing sent');

      await lookUpCaller(p, '13800000001', p.getByRole('radio', { name: /王秀英/ }));
      await kb.press('Alt+S');
      await p.locator('.ant-modal-confirm-content', { hasText: '王秀英' }).waitFor();
      await kb.press('Alt+S');
      await p.locator('.ant-alert-success').filter({ hasText: '危急' }).waitFor();
      const sos = (await recentOrders(s.server)).find((o) => o.urgency === 'critical');
      assert.equal(sos?.category, 'safety_emergency');
      assert.equal(sos?.beneficiary?.name, '王秀英');
      assert.equal(await critical(), before + 1);
    });
  },
);

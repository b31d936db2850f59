/**
 * The whole loop across the apps in real Chromium: a resident reports a leaking pipe on the
 * phone view; an agent logs a call for an elderly resident; the dispatcher assigns both; the
 * grid worker resolves on the field view; the resident rates; the dashboard counts them.
 * Every page is checked with axe-core and photographed in zh-CN and English.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  apiToken,
  axe,
  chromiumAvailable,
  demoAndBrowser,
  eventually,
  lookUpCaller,
  residentLogin,
  setLang,
  shot,
  staffLogin,
} from './harness.ts';
import type { AxeViolation, Browser, DemoServer } from './harness.ts';

// A 1×1 PNG for the photo inputs.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const DESKTOP = { width: 1440, height: 900 };

async function dashboardCount(server: DemoServer, token: string): Promise<number> {
  const r = await fetch(`${server.url}/api/v1/analytics/dashboard?community=taoyuan`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(r.status, 200);
  return ((await r.json()) as { totals: { orders: number } }).totals.orders;
}

describe(
  'web: the whole loop across the apps',
  { skip: !chromiumAvailable() && 'chromium is not installed' },
  () => {
    // The suite's browser is the phone, and a second one the desk; the last state of both screens
    // is photographed, for a failing run.
    const s = demoAndBrowser(undefined, { lastShot: 'loop-last-phone' });
    let desk: Browser;
    const violations: { page: string; v: AxeViolation[] }[] = [];

    async function check(page: Page, name: string) {
      await page.waitForLoadState('networkidle');
      violations.push({ page: name, v: await axe(page) });
      await shot(page, name);
    }

    before(async () => {
      desk = await s.launch(DESKTOP, 'loop-last-desk');
    });

    it('runs from the resident report to the dashboard count', async () => {
      const server = s.server;
      const manager = await apiToken(server, 'manager');
      const before = await dashboardCount(server, manager);
      const p = s.b.page;

      // 1. The resident reports a leaking pipe from the phone, with a photo.
      await residentLogin(p, server, '13800000003');
      await check(p, 'resident-home-zh');
      await p.getByRole('button', { name: /我要办事/ }).click();
      await p.locator('#report-description').fill('厨房水管漏水，地上都是水');
      // When the classification module is there, the category is suggested while typing.
      const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
        paths: Record<string, unknown>;
      };
      if ('/api/v1/classify' in doc.paths) await p.locator('.suggest').getByText('水电维修').waitFor();
      await p
        .locator('input[type=file]')
        .first()
        .setInputFiles({ name: 'leak.png', mimeType: 'image/png', buffer: PNG });
      await p.locator('.adm-image-uploader-cell-image').first().waitFor();
      await check(p, 'resident-report-zh');
      await p.getByRole('button', { name: /^提\s*交$/ }).click();
      await p.waitForURL(/\/orders\//);
      const orderUrl = p.url();
      await p.locator('#report-description').waitFor({ state: 'detached' });
      await p.getByText('厨房水管漏水，地上都是水').waitFor();
      const residentNumber = (
        await p
          .getByText(/TAOYUAN-\d{8}-\d+/)
          .first()
          .textContent()
      )?.match(/TAOYUAN-\d{8}-\d+/)?.[0];
      assert.ok(residentNumber, 'the order page shows the order number');
      assert.ok((await p.locator('img[alt^="照片"]').count()) >= 1, 'the photo is attached');
      await check(p, 'resident-order-zh');
      await p.goto(`${server.url}/directory`);
      await p.getByText('我的网格员').waitFor();
      assert.ok(
        (await p.locator('a[href^="tel:"]').count()) >= 2,
        'hotline and grid worker are one tap away',
      );
      await check(p, 'resident-directory-zh');

      // 2. An agent logs a call for an elderly resident.
      const d = desk.page;
      await staffLogin(d, server, '/console', 'agent');
      await lookUpCaller(d, '13800000001', d.getByText('独居老人'));
      await d.locator('#intake-description').fill('王秀英老人来电：卫生间水管漏水，需要上门维修');
      await d.locator('#intake-relation').fill('本人');
      await check(d, 'console-zh');
      await d.keyboard.press('Control+Enter');
      const created = await d.locator('.ant-alert-success').filter({ hasText: '已登记' }).textContent();
      const agentNumber = created?.match(/TAOYUAN-\d{8}-\d+/)?.[0];
      assert.ok(agentNumber, 'the console shows the logged order number');

      // 3. The dispatcher assigns both orders to the grid worker.
      await staffLogin(d, server, '/dispatch', 'dispatcher');
      for (const number of [residentNumber, agentNumber]) {
        const row = d.locator(`tr[data-order="${number}"]`);
        await row.waitFor();
        await row.locator('.ant-select').click();
        await d.keyboard.type('网格员小李');
        await d.keyboard.press('Enter');
        await row.getByRole('button', { name: /^派\s*单$/ }).click();
        await row.getByText('已派单').waitFor();
      }
      await check(d, 'dispatch-zh');
      // The assignee panel scrolls inside the screen and finds people by name or grid.
      const panel = d.getByRole('region', { name: '派给' });
      const everyone = await panel.locator('strong').count();
      assert.ok(everyone > 10, `the demo community has ${everyone} assignees`);
      await d.getByPlaceholder('按姓名或网格查找').fill('小李');
      assert.deepEqual(await panel.locator('strong').allTextContents(), ['网格员小李']);
      await d.getByPlaceholder('按姓名或网格查找').fill('');
      assert.equal(await panel.locator('strong').count(), everyone);
      const box = await panel.boundingBox();
      assert.ok(box && box.y + box.height <= 900, 'the panel ends within the window');
      // The demo's call of this morning that the model alone took for an emergency waits in
      // triage, first, flagged for a call back.
      await d.getByRole('tab', { name: /待分诊/ }).click();
      const first = d.locator('tbody tr[data-order]').first();
      await first.getByText('疑似紧急').waitFor();
      await first.getByText('钥匙锁在家里了').waitFor();
      await check(d, 'dispatch-triage-zh');

      // 4. The grid worker resolves the resident's order on the field view (phone size).
      await d.setViewportSize({ width: 390, height: 844 });
      await staffLogin(d, server, '/field', 'grid_worker');
      await d.getByText('厨房水管漏水，地上都是水').first().click();
      await d.waitForURL(/\/field\//);
      await check(d, 'field-task-zh');
      await d.getByRole('button', { name: /开始处理/ }).click();
      await d.locator('#resolve-note').waitFor();
      await d.locator('#resolve-note').fill('已更换水管接头，现场无渗漏');
      await d
        .locator('input[type=file]')
        .first()
        .setInputFiles({ name: 'fixed.png', mimeType: 'image/png', buffer: PNG });
      await d.locator('.adm-image-uploader-cell-image').first().waitFor();
      await d.getByRole('button', { name: /^办\s*结$/ }).click();
      await d.getByText(/我的任务/).waitFor();
      await check(d, 'field-zh');

      // 5. The resident confirms and rates.
      await p.goto(orderUrl);
      await p.getByText('已更换水管接头，现场无渗漏').first().waitFor();
      await p.getByRole('button', { name: /确认已解决并评价/ }).click();
      // With the keyboard: the stars are a radio group named by their meaning.
      await p.getByRole('radio', { name: '1星 很不满意' }).focus();
      await p.keyboard.press('Space');
      for (let i = 0; i < 4; i++) await p.keyboard.press('ArrowRight');
      const five = p.getByRole('radio', { name: '5星 非常满意' });
      assert.ok(
        await eventually(
          () => five.isChecked(),
          (v) => v,
        ),
      );
      await p.locator('#rate-comment').fill('师傅来得很快，谢谢');
      await p.getByRole('button', { name: /^提\s*交$/ }).click();
      await p.locator('.adm-tag').filter({ hasText: '已评价' }).waitFor();
      await check(p, 'resident-rated-zh');

      // 6. The dashboard counts both new orders.
      await d.setViewportSize(DESKTOP);
      await staffLogin(d, server, '/dashboard', 'manager');
      await d.locator('[data-kpis]:not([data-kpis=""])').waitFor();
      const shown = Number(await d.locator('[data-kpis]').getAttribute('data-kpis'));
      assert.equal(shown, before + 2, 'the dashboard counts the two new orders');
      await d.locator('canvas').first().waitFor();
      await check(d, 'dashboard-zh');
      await staffLogin(d, server, '/admin', 'admin');
      await check(d, 'admin-zh');

      // 7. Every app again in English.
      await setLang(d, 'en');
      await d.getByRole('tab', { name: 'Categories' }).waitFor();
      await check(d, 'admin-en');
      for (const [path, user] of [
        ['/dashboard', 'manager'],
        ['/dispatch', 'dispatcher'],
        ['/console', 'agent'],
      ] as const) {
        await staffLogin(d, server, path, user);
        if (path === '/dashboard') await d.locator('canvas').first().waitFor();
        await check(d, `${path.slice(1)}-en`);
      }
      await d.setViewportSize({ width: 390, height: 844 });
      await staffLogin(d, server, '/field', 'grid_worker');
      await d.getByText('My tasks', { exact: false }).first().waitFor();
      await check(d, 'field-en');

      await setLang(p, 'en');
      await p.getByText('Rate the service', { exact: false }).or(p.getByText('Progress')).first().waitFor();
      await check(p, 'resident-order-en');
      await p.goto(`${server.url}/`);
      await p
        .getByRole('button', { name: /Report a need/ })
        .first()
        .waitFor();
      await check(p, 'resident-home-en');
      await p.goto(`${server.url}/report`);
      await check(p, 'resident-report-en');
      await p.goto(`${server.url}/directory`);
      await p.getByText('My grid worker').waitFor();
      await check(p, 'resident-directory-en');

      const bad = violations.filter((x) => x.v.length > 0);
      assert.deepEqual(bad, [], `axe found serious or critical violations:\n${JSON.stringify(bad, null, 2)}`);
    });
  },
);

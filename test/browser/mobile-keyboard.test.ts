/**
 * The phone apps with a keyboard and a screen reader, in real Chromium: the tab bar, order rows
 * and task rows are links; the report form's category and "for whom" choices are focusable
 * radios; antd-mobile buttons show where focus is.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  axe,
  chromiumAvailable,
  demoAndBrowser,
  eventually,
  residentLogin,
  staffLogin,
  shown,
} from './harness.ts';
import type { Page } from 'playwright-core';

/** Presses Tab until `selector` matches the focused element; answers whether it did. */
async function tabTo(p: Page, selector: string, max = 40): Promise<boolean> {
  for (let i = 0; i < max; i++) {
    await p.keyboard.press('Tab');
    if (await p.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return true;
  }
  return false;
}

describe(
  'web: phone apps by keyboard and screen reader',
  { skip: !chromiumAvailable() && 'chromium is not installed' },
  () => {
    const s = demoAndBrowser();

    it('the tab bar and the order rows are links that Enter follows', async () => {
      const p = s.b.page;
      await residentLogin(p, s.server, '13800000001');
      const nav = p.getByRole('navigation');
      const home = nav.getByRole('link', { name: '首页' });
      assert.equal(await home.getAttribute('aria-current'), 'page');
      assert.equal(await nav.getByRole('link').count(), 3);
      assert.ok(await tabTo(p, 'nav a[href="/orders"]'), 'the orders tab is reachable by Tab');
      await p.keyboard.press('Enter');
      await p.waitForURL(/\/orders$/);
      assert.equal(await nav.getByRole('link', { name: '我的工单' }).getAttribute('aria-current'), 'page');
      const rows = p.locator('main').getByRole('link');
      await rows.first().waitFor();
      assert.ok(await tabTo(p, 'main a.row-link'), 'an order row is reachable by Tab');
      await p.keyboard.press('Enter');
      await p.waitForURL(/\/orders\/[^/]+$/);
      assert.deepEqual(await axe(p), []);
    });

    it('the report form’s choices are focusable radios, and buttons show focus', async () => {
      const p = s.b.page;
      await p.goto(`${s.server.url}/report`);
      const cats = p.getByRole('radiogroup', { name: '类别' });
      await cats.waitFor();
      // The categories come from the API: until they do, 自动判断 is the group's only radio and an
      // arrow has nowhere to go (a CI run under load pressed it then).
      await cats.getByRole('radio').nth(1).waitFor();
      assert.ok(await cats.getByRole('radio', { name: '自动判断' }).isChecked());
      assert.ok(await tabTo(p, '.choice-chips input'), 'the categories are reachable by Tab');
      await p.keyboard.press('ArrowRight');
      const auto = cats.getByRole('radio', { name: '自动判断' });
      assert.ok(
        !(await eventually(
          () => auto.isChecked(),
          (v) => !v,
        )),
        'arrows choose',
      );
      assert.equal(await cats.getByRole('radio', { checked: true }).count(), 1);

      const family = p.getByRole('radio', { name: /家人/ });
      assert.ok(await tabTo(p, '.adm-radio input'), '为谁办理 is reachable by Tab');
      await family.focus();
      await p.keyboard.press('Space');
      assert.ok(
        await eventually(
          () => family.isChecked(),
          (v) => v,
        ),
      );
      const members = p.getByRole('radiogroup', { name: '选择家庭成员' }).getByRole('radio');
      await members.first().waitFor({ state: 'attached' });
      assert.ok((await members.count()) > 0);
      // Sent without a member, the form says what to do rather than repeating the label.
      await p.locator('#report-description').fill('帮家里老人问问助餐的事');
      await p.getByRole('button', { name: /^提\s*交$/ }).click();
      await shown(p, '请选择为哪位家人办理').waitFor();
      await members.first().focus();
      await p.keyboard.press('Space');
      assert.ok(
        await eventually(
          () => members.first().isChecked(),
          (v) => v,
        ),
      );

      await p.locator('#report-description').focus();
      assert.ok(await tabTo(p, 'button.adm-button'), 'a button is reachable by Tab');
      const outline = await p.evaluate(
        () => getComputedStyle(document.activeElement as Element).outlineStyle,
      );
      assert.equal(outline, 'solid', 'a visible focus ring');
      assert.deepEqual(await axe(p), []);
    });

    it('the field app’s tasks are links', async () => {
      const p = s.b.page;
      await staffLogin(p, s.server, '/field', 'grid_worker');
      const row = p.locator('main a.row-link').first();
      await row.waitFor();
      const href = await row.getAttribute('href');
      assert.match(href ?? '', /^\/field\/.+/);
      assert.ok(await tabTo(p, 'main a.row-link'), 'a task is reachable by Tab');
      await p.keyboard.press('Enter');
      await p.waitForURL(/\/field\/[^/]+$/);
    });
  },
);

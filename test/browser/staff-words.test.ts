/**
 * The staff desk speaks Chinese to a screen reader too: the SLA countdown's tooltip names the clock
 * (首次响应, 办结) rather than its code, table pagination arrows are 上一页 / 下一页 rather than
 * "left" / "right", and the password reveal toggle is a button named 显示密码.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumAvailable, demoAndBrowser, eventually, focusedSettles, staffLogin } from './harness.ts';

describe(
  'web: staff desk words in Chinese',
  { skip: !chromiumAvailable() && 'chromium is not installed' },
  () => {
    const s = demoAndBrowser({ width: 1366, height: 768 });

    it('names the password reveal toggle in Chinese and lets the keyboard press it', async () => {
      const p = s.b.page;
      await p.goto(`${s.server.url}/dispatch`);
      await p.locator('#staff-password').fill('demo1234');
      const toggle = p.getByRole('button', { name: '显示密码' });
      assert.equal(await toggle.count(), 1, 'one button named 显示密码');
      assert.equal(await p.getByRole('img', { name: /eye/ }).count(), 0, 'no icon named eye-…');
      await p.locator('#staff-password').focus();
      await p.keyboard.press('Tab');
      assert.equal(
        await focusedSettles(p, '显示密码', 'label'),
        '显示密码',
        'Tab from the password reaches the toggle',
      );
      await p.keyboard.press('Enter');
      const type = () => p.locator('#staff-password').getAttribute('type');
      assert.equal(await eventually(type, (v) => v === 'text'), 'text', 'Enter reveals it');
      await p.getByRole('button', { name: '隐藏密码' }).waitFor();
      assert.equal(await focusedSettles(p, 'staff-password'), 'staff-password', 'back in the field');
      await p.keyboard.press('Tab');
      await p.keyboard.press(' ');
      assert.equal(await eventually(type, (v) => v === 'password'), 'password', 'Space hides it');
    });

    it('names pagination arrows and SLA clocks in Chinese on the dispatch board', async () => {
      const p = s.b.page;
      await staffLogin(p, s.server, '/dispatch', 'dispatcher');
      await p.locator('.ant-table-row').first().waitFor();
      await p.locator('.ant-pagination').first().waitFor();
      assert.equal(await p.getByRole('button', { name: '上一页' }).count(), 1, 'previous page named');
      assert.equal(await p.getByRole('button', { name: '下一页' }).count(), 1, 'next page named');
      assert.equal(await p.getByRole('button', { name: /^(left|right)$/ }).count(), 0);

      const due = p.locator('td span[style*="font-weight: 600"]').first();
      await due.waitFor();
      await due.hover();
      const tip = p.locator('.ant-tooltip:not(.ant-tooltip-hidden) .ant-tooltip-inner').first();
      await tip.waitFor();
      const text = (await tip.textContent()) ?? '';
      assert.match(text, /^(首次响应|办结|进展更新|截止) · /, `tooltip reads ${text}`);
      assert.doesNotMatch(text, /[a-z_]{3,}/, 'no code in the tooltip');
    });
  },
);

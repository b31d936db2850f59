/**
 * The dispatch board on a dispatcher's 1366×768 screen: the whole table fits without scrolling
 * sideways, and the 推荐处理人 panel works from the keyboard (focus moves into it, Escape closes
 * it, its 派单 buttons dispatch).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axe, chromiumAvailable, demoAndBrowser, staffLogin } from './harness.ts';
import type { Page } from 'playwright-core';

const focused = (p: Page) =>
  p.evaluate(() => {
    const el = document.activeElement;
    return {
      text: el?.textContent?.trim() ?? '',
      inPanel: !!el?.closest('[role="dialog"]'),
      expanded: el?.getAttribute('aria-expanded') ?? null,
    };
  });

describe(
  'web: the dispatch board at 1366×768',
  { skip: !chromiumAvailable() && 'chromium is not installed' },
  () => {
    const s = demoAndBrowser({ width: 1366, height: 768 });
    before(async () => {
      await staffLogin(s.b.page, s.server, '/dispatch', 'dispatcher');
      await s.b.page.locator('.ant-table-row').first().waitFor();
    });

    it('shows every column, 派单 included, without scrolling the table sideways', async () => {
      const p = s.b.page;
      const fit = await p.evaluate(() => {
        const box = document.querySelector<HTMLElement>('.ant-table-content')!;
        const right = box.getBoundingClientRect().right;
        const buttons = [...document.querySelectorAll<HTMLElement>('.ant-table-row td:last-child button')];
        return {
          scroll: box.scrollWidth - box.clientWidth,
          buttons: buttons.length,
          clipped: buttons
            .filter((x) => x.getBoundingClientRect().right > right + 0.5)
            .map((x) => x.textContent),
        };
      });
      assert.ok(fit.buttons > 0, 'some rows can be dispatched');
      assert.ok(fit.scroll <= 0, `the table scrolls ${fit.scroll} px sideways`);
      assert.deepEqual(fit.clipped, [], 'no button past the table edge');
    });

    it('moves the focus into the 推荐处理人 panel, closes it with Escape and dispatches from it', async () => {
      const p = s.b.page;
      // The first order whose panel has someone to send: which orders do depends on the hour (an
      // urgent order wants a team that still serves today, and the demo's evening has none).
      const triggers = p.getByRole('button', { name: '推荐处理人' });
      let number = '';
      for (let i = 0; i < (await triggers.count()) && !number; i++) {
        const trigger = triggers.nth(i);
        await trigger.focus();
        await p.keyboard.press('Enter');
        const panel = p.locator('.ant-popover:not(.ant-popover-hidden) [role="dialog"]');
        await panel.waitFor();
        const someone = await panel
          .locator('button')
          .first()
          .waitFor({ timeout: 3000 })
          .then(() => true)
          .catch(() => false);
        if (someone) {
          number =
            (await trigger.evaluate((el) => el.closest('.ant-table-row')?.getAttribute('data-order'))) ?? '';
        } else {
          await p.keyboard.press('Escape');
          await panel.waitFor({ state: 'detached', timeout: 3000 }).catch(() => undefined);
        }
      }
      assert.ok(number, 'some order has a candidate to dispatch to');
      await p.waitForFunction(() => !!document.activeElement?.closest('[role="dialog"]'));
      const first = await focused(p);
      assert.match(first.text, /^(按推荐自动派单|派单)$/, `focus is on ${first.text}`);
      assert.deepEqual(await axe(p), []);

      await p.keyboard.press('Escape');
      await p
        .locator('.ant-popover:not(.ant-popover-hidden)')
        .waitFor({ state: 'detached', timeout: 3000 })
        .catch(() => undefined);
      assert.equal(
        await p.locator('.ant-popover:not(.ant-popover-hidden) [role="dialog"]').count(),
        0,
        'closed',
      );
      const back = await focused(p);
      assert.equal(back.text, '推荐处理人', 'focus back on the button');
      assert.equal(back.expanded, 'false');

      // Open again and walk to a candidate's 派单 button with Tab alone.
      await p.keyboard.press('Enter');
      await p.waitForFunction(() => !!document.activeElement?.closest('[role="dialog"]'));
      let at = await focused(p);
      for (let i = 0; i < 6 && at.text !== '派单'; i++) {
        await p.keyboard.press('Tab');
        at = await focused(p);
        assert.ok(at.inPanel, 'Tab stays in the panel while there is more in it');
      }
      assert.equal(at.text, '派单');
      await p.keyboard.press('Enter');
      await p.getByText('已派单').first().waitFor();
      const cell = p.locator(`.ant-table-row[data-order="${number}"] td`).nth(4);
      await p.waitForFunction(
        (n) =>
          document
            .querySelector(`.ant-table-row[data-order="${n}"] td:nth-child(5)`)
            ?.textContent?.includes('已派单'),
        number,
      );
      assert.match((await cell.textContent()) ?? '', /已派单/);
    });

    it('an order nobody can take now says so, with the teams left out and why', async () => {
      const p = s.b.page;
      // The answer for an urgent order at night, whatever the hour of this run.
      await p.route('**/candidates?includeRejected=true', (route) =>
        route.fulfill({
          contentType: 'application/json',
          body: JSON.stringify({
            orderId: 'x',
            candidates: [],
            rejected: [
              {
                code: 'repair',
                name: '桃源水电维修队',
                failures: [{ code: 'closed_today', message: '紧急工单需要今天还会服务的力量' }],
              },
            ],
            baseline: [],
            suggestion: null,
          }),
        }),
      );
      try {
        // A fresh board: a panel opened before keeps the candidates it loaded, and would not ask again.
        await p.reload();
        await p.locator('.ant-table-row').first().waitFor();
        const trigger = p.getByRole('button', { name: '推荐处理人' }).first();
        await trigger.focus();
        await p.keyboard.press('Enter');
        const status = p.locator('.ant-popover:not(.ant-popover-hidden) [role="status"]');
        await status.getByText('现在没有可以派单的处理人').waitFor();
        await status.getByText('桃源水电维修队：紧急工单需要今天还会服务的力量').waitFor();
        assert.deepEqual(await axe(p), []);
        await p.keyboard.press('Escape');
      } finally {
        await p.unroute('**/candidates?includeRejected=true');
      }
    });
  },
);

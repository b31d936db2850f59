/**
 * The resident app reloaded while the API cannot be reached: the tab bar stays, 找谁办 shows the
 * directory kept on the phone with numbers to tap, 我的工单 the reports waiting to be sent, and a
 * banner says the network is down, with a retry that brings the app back.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axe, chromiumAvailable, demoAndBrowser, residentLogin, shot } from './harness.ts';

describe(
  'web: resident app with the API out of reach',
  { skip: !chromiumAvailable() && 'chromium is not installed' },
  () => {
    const s = demoAndBrowser();
    before(async () => {
      await residentLogin(s.b.page, s.server, '13800000001');
    });

    it('keeps the tab bar, the saved directory and the queued reports after a reload', async () => {
      const p = s.b.page;
      await p.waitForFunction(() => (localStorage.getItem('linli.directory') ?? '').includes('hotline'));
      const saved = await p.evaluate(
        () =>
          (
            JSON.parse(localStorage.getItem('linli.directory') ?? '{}') as {
              directory: { contacts: { hotline: string }; myGridWorker: { phone: string | null } | null };
            }
          ).directory,
      );
      const text = `网络断了时报的：楼道灯坏了 ${Date.now()}`;
      // The app is open when the network goes: the report is kept on the phone.
      await p.route('**/api/**', (r) => r.abort('internetdisconnected'));
      await p
        .getByRole('button', { name: /我要办事/ })
        .first()
        .click();
      await p.locator('#report-description').fill(text);
      await p.getByRole('button', { name: /^提\s*交$/ }).click();
      await p
        .getByText(/待发送的工单/)
        .first()
        .waitFor();

      await p.reload();
      await p.getByRole('alert').filter({ hasText: '网络连接中断' }).waitFor();
      const nav = p.getByRole('navigation');
      await nav.waitFor();
      assert.equal(await nav.getByRole('link').count(), 3, 'the tab bar is there');

      // The home tab is headed and named as the home page; the directory kept on the phone is a
      // section of it there, not the page's heading.
      await nav.getByRole('link', { name: /首页/ }).click();
      await p.getByRole('heading', { level: 2, name: /找谁办/ }).waitFor();
      assert.deepEqual(await p.locator('h1').allInnerTexts(), ['首页']);
      assert.equal(await p.title(), '首页 · 邻里');

      await nav.getByRole('link', { name: /找谁办/ }).click();
      const hotline = p.locator(`a[href="tel:${saved.contacts.hotline.replace(/[^0-9+]/g, '')}"]`);
      await hotline.waitFor();
      assert.ok(await hotline.isVisible(), 'the hotline is one tap away');
      if (saved.myGridWorker?.phone)
        assert.equal(
          await p.locator(`a[href="tel:${saved.myGridWorker.phone.replace(/[^0-9+]/g, '')}"]`).count(),
          1,
          'the grid worker too',
        );
      assert.equal(await nav.locator('a[aria-current="page"]').textContent(), '找谁办');
      assert.equal(await p.locator('h1').count(), 1);
      assert.match(await p.locator('h1').innerText(), /^找谁办/);
      assert.equal(await p.title(), '找谁办 · 邻里');
      assert.deepEqual(await axe(p), []);
      await shot(p, 'resident-offline-directory-zh');

      await nav.getByRole('link', { name: /我的工单/ }).click();
      await p.getByText(text).waitFor();
      // The page is named, and headed by what it shows.
      assert.deepEqual(await p.locator('h1').allInnerTexts(), ['待发送的工单']);
      assert.equal(await p.title(), '待发送的工单 · 邻里');

      await p.unroute('**/api/**');
      await p.getByRole('button', { name: /重\s*试/ }).click();
      await p.getByRole('alert').filter({ hasText: '网络连接中断' }).waitFor({ state: 'detached' });
    });
  },
);

/**
 * The console's keyboard-only intake in real Chromium: sign in, look the caller up, log the
 * call and send an SOS without touching the mouse.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiToken,
  axe,
  chromiumAvailable,
  demoAndBrowser,
  focusedSettles,
  listOrders,
  shot,
} from './harness.ts';

describe(
  'web: keyboard-only intake in the console',
  { skip: !chromiumAvailable() && 'chromium is not installed' },
  () => {
    const s = demoAndBrowser({ width: 1440, height: 900 });

    it('signs in, looks up, logs a call and sends an SOS with the keyboard alone', async () => {
      const p = s.b.page;
      const kb = p.keyboard;
      await p.goto(`${s.server.url}/console`);
      await p.locator('#staff-username').waitFor();
      assert.equal(
        await p.evaluate(() => document.activeElement?.id),
        'staff-username',
        'focus starts on the username',
      );
      await kb.type('agent');
      await kb.press('Tab');
      await kb.type('demo1234');
      await kb.press('Enter');
      await p.locator('[data-signed-in]').waitFor();

      await p.waitForFunction(() => document.activeElement?.id === 'caller-phone');
      await kb.type('13800000001');
      await kb.press('Enter');
      await p.getByText('独居老人').first().waitFor();
      await p.waitForFunction(() => document.activeElement?.id === 'intake-description');
      await kb.type('老人说家里水龙头一直滴水，想请师傅上门');
      await kb.press('Control+Enter');
      const ok = p.locator('.ant-alert-success').filter({ hasText: '已登记' });
      await ok.waitFor();
      const number = (await ok.textContent())?.match(/TAOYUAN-\d{8}-\d+/)?.[0];
      assert.ok(number);
      // The call is logged: the console is clean for the next caller, focus on the phone.
      assert.equal(await focusedSettles(p, 'caller-phone'), 'caller-phone');
      assert.equal(await p.locator('#caller-phone').inputValue(), '');
      assert.deepEqual(await axe(p), []);
      await shot(p, 'console-keyboard-zh');

      // Alt+S from anywhere asks first; Tab to 确认发送 and Enter sends a critical safety order.
      await kb.type('13800000001');
      await kb.press('Enter');
      await p.getByText('独居老人').first().waitFor();
      await kb.press('Alt+P');
      assert.equal(await focusedSettles(p, 'caller-phone'), 'caller-phone');
      await kb.press('Alt+S');
      await p.locator('.ant-modal-confirm-title', { hasText: '确定登记紧急工单吗？' }).waitFor();
      assert.deepEqual(await axe(p), []);
      await kb.press('Tab');
      await kb.press('Enter');
      await p.locator('.ant-alert-success').filter({ hasText: '危急' }).waitFor();

      const token = await apiToken(s.server, 'dispatcher');
      const items = await listOrders(s.server, token, 'limit=5');
      const sos = items[0];
      const call = items.find((o) => o.number === number);
      assert.equal(call?.channel, 'hotline');
      assert.equal(call?.beneficiary?.name, '王秀英');
      assert.equal(sos?.urgency, 'critical');
      assert.equal(sos?.category, 'safety_emergency');
      assert.equal(sos?.beneficiary?.name, '王秀英');
    });
  },
);

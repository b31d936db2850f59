/**
 * The resident app for people who use a screen reader, a keyboard, large zoom or reduced motion,
 * in real Chromium (WCAG 2.2 AA): dialogs that take and give back focus, messages that are heard,
 * form errors tied to their fields, focus never under the tab bar, 44 px targets, a title and one
 * h1 per page, no motion when it is turned off, and no sideways scrolling at 320 px.
 * One resident signs in once; the tests run in order on that page.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  apiToken,
  chromiumAvailable,
  demoAndBrowser,
  eventually,
  focusedSettles,
  residentLogin,
  signIn,
} from './harness.ts';
import type { WorkOrder } from './harness.ts';

// One phone only asks for a code on the sign-in page, the other signs in (a phone may ask once in 30 s).
const ASKS = '13800000003';
const PHONE = '13800000001';

/** What the live regions outside any aria-hidden subtree say (the words a screen reader hears). */
function heard(page: Page, role: 'status' | 'alert'): Promise<string> {
  return page.evaluate((r) => {
    const regions = [...document.querySelectorAll(`[role="${r}"], [aria-live]`)].filter((el) => {
      if (r === 'alert' ? el.getAttribute('role') !== 'alert' : el.getAttribute('role') === 'alert')
        return false;
      return !el.closest('[aria-hidden="true"]');
    });
    return regions.map((el) => el.textContent ?? '').join('|');
  }, role);
}

/** Opens a page of the app (afresh: nothing left open by an earlier test). */
async function go(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('main h1, main h2').first().waitFor();
  await page.waitForLoadState('networkidle');
}

/** Interactive elements smaller than 44×44 CSS px, measured where a finger lands on them. */
function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const sel =
      'a[href], button, input:not([type="hidden"]), textarea, select, [role="button"], [role="link"], [tabindex]:not([tabindex="-1"])';
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>(sel)) {
      if (el.closest('[aria-hidden="true"], [inert]')) continue;
      // A radio drawn as a chip or a star is tapped through its label; a list row through the
      // row-wide overlay of its link; a text field through its box.
      let target: HTMLElement = el;
      if (el.matches('input[type="radio"], input[type="checkbox"]')) target = el.closest('label') ?? el;
      else if (el.matches('.row-link')) target = el.closest<HTMLElement>('.row-item') ?? el;
      const r = target.getBoundingClientRect();
      const cs = getComputedStyle(target);
      if (r.width === 0 || r.height === 0 || cs.visibility === 'hidden') continue;
      if (r.width < 44 - 0.5 || r.height < 44 - 0.5) {
        const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 20);
        out.push(
          `${el.tagName.toLowerCase()}.${target.className} "${name}" ${r.width.toFixed(0)}×${r.height.toFixed(0)}`,
        );
      }
    }
    return out;
  });
}

/** The page's width beyond the viewport, and what sticks out of it. */
function overflow(page: Page): Promise<{ extra: number; out: string[] }> {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || el.closest('.sr-only')) continue;
      if (r.right > vw + 1 || r.left < -1)
        out.push(
          `${el.tagName.toLowerCase()}.${String(el.className).slice(0, 40)} ${r.left.toFixed(0)}–${r.right.toFixed(0)}`,
        );
    }
    return { extra: document.documentElement.scrollWidth - vw, out: out.slice(0, 8) };
  });
}

describe(
  'web: resident app accessibility',
  { skip: !chromiumAvailable() && 'chromium is not installed' },
  () => {
    const s = demoAndBrowser({ width: 390, height: 844 });
    let orderId = '';

    it('sign-in: a wrong phone is tied to its field, focused and heard; "code sent" is heard; a title and an h1', async () => {
      const p = s.b.page;
      await p.goto(`${s.server.url}/`);
      await p.locator('#login-phone').waitFor();
      assert.match(await p.title(), /^.+ · 邻里$/);
      assert.equal(await p.locator('h1').count(), 1, 'one h1');
      assert.deepEqual(await smallTargets(p), [], 'sign-in targets of 44×44 px');

      // Asking for a code with a wrong number: the field is marked invalid, described by the error,
      // focused, and the error is heard.
      await p.locator('#login-phone').fill('123');
      await p.getByRole('button', { name: '获取验证码' }).click();
      const phone = p.locator('#login-phone');
      assert.equal(
        await eventually(
          () => phone.getAttribute('aria-invalid'),
          (v) => v === 'true',
        ),
        'true',
      );
      const describedBy = (await phone.getAttribute('aria-describedby')) ?? '';
      assert.ok(describedBy, 'aria-describedby');
      const described = await p.evaluate(
        (ids) =>
          ids
            .split(/\s+/)
            .map((id) => document.getElementById(id)?.textContent ?? '')
            .join(' '),
        describedBy,
      );
      assert.match(described, /请输入正确的11位手机号/);
      assert.match(
        await eventually(
          () => heard(p, 'alert'),
          (v) => v.includes('请输入正确的11位手机号'),
        ),
        /请输入正确的11位手机号/,
      );
      assert.equal(await focusedSettles(p, 'login-phone'), 'login-phone');

      // Fixed: the mark goes; the code sent is said in a polite live region, not only in a toast.
      await phone.fill(ASKS);
      assert.equal(
        await eventually(
          () => phone.getAttribute('aria-invalid'),
          (v) => v !== 'true',
        ),
        null,
      );
      await p.getByRole('button', { name: '获取验证码' }).click();
      assert.match(
        await eventually(
          () => heard(p, 'status'),
          (v) => v.includes('验证码已发送'),
        ),
        /验证码已发送/,
      );
    });

    it('signs in', async () => {
      await residentLogin(s.b.page, s.server, PHONE);
    });

    it('every page has its own title and one h1, then h2s', async () => {
      const p = s.b.page;
      const titles = new Set<string>();
      for (const path of ['/', '/report', '/orders', '/directory']) {
        await go(p, `${s.server.url}${path}`);
        const title = await eventually(
          () => p.title(),
          (v) => !titles.has(v),
        );
        assert.match(title, /^.+ · 邻里$/, `${path} title`);
        assert.ok(!titles.has(title), `${path} has a title of its own (${title})`);
        titles.add(title);
        const levels = await p.evaluate(() =>
          [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1])),
        );
        assert.equal(levels.filter((l) => l === 1).length, 1, `${path}: one h1 (${levels.join(',')})`);
        assert.equal(levels[0], 1, `${path}: the h1 comes first`);
        for (let i = 1; i < levels.length; i++)
          assert.ok(
            (levels[i] ?? 0) <= (levels[i - 1] ?? 0) + 1,
            `${path}: no skipped level (${levels.join(',')})`,
          );
      }
      assert.ok(titles.has('我要办事 · 邻里'), [...titles].join(', '));
    });

    it('a failed submit focuses the first invalid field, tied to its error and heard', async () => {
      const p = s.b.page;
      await go(p, `${s.server.url}/report`);
      await p.locator('#report-description').fill('');
      await p.getByRole('button', { name: '提交' }).click();
      const desc = p.locator('#report-description');
      assert.equal(
        await eventually(
          () => desc.getAttribute('aria-invalid'),
          (v) => v === 'true',
        ),
        'true',
      );
      const ids = (await desc.getAttribute('aria-describedby')) ?? '';
      const text = await p.evaluate(
        (list) =>
          list
            .split(/\s+/)
            .map((id) => document.getElementById(id)?.textContent ?? '')
            .join(' '),
        ids,
      );
      assert.match(text, /请至少写3个字/);
      assert.equal(await focusedSettles(p, 'report-description'), 'report-description');
      assert.match(
        await eventually(
          () => heard(p, 'alert'),
          (v) => v.includes('请至少写3个字'),
        ),
        /请至少写3个字/,
      );
    });

    it('a report sent is heard (已提交) through a live region outside aria-hidden', async () => {
      const p = s.b.page;
      await p.locator('#report-description').fill('楼道灯坏了，电表号 310104198812120012345678');
      await p.getByRole('button', { name: '提交' }).click();
      await p.waitForURL(/\/orders\/[^/]+$/);
      orderId = new URL(p.url()).pathname.split('/').pop() ?? '';
      assert.ok(orderId);
      assert.match(
        await eventually(
          () => heard(p, 'status'),
          (v) => v.includes('已提交'),
        ),
        /已提交，工单号/,
      );
    });

    it('a confirm dialog takes focus, keeps it, closes with Esc and gives focus back', async () => {
      const p = s.b.page;
      await go(p, `${s.server.url}/orders/${orderId}`);
      const opener = p.getByRole('button', { name: '撤销工单' });
      await opener.focus();
      await p.keyboard.press('Enter');
      const dialog = p.getByRole('dialog');
      await dialog.waitFor();
      const inDialog = () =>
        p.evaluate(
          () =>
            !!document.activeElement?.closest('[role="dialog"]') && document.activeElement !== document.body,
        );
      assert.equal(await eventually(inDialog, (v) => v), true, 'focus moves into the dialog');
      assert.equal(await dialog.getAttribute('aria-modal'), 'true');
      for (let i = 0; i < 5; i++) {
        await p.keyboard.press('Tab');
        assert.equal(await inDialog(), true, `Tab ${i + 1} stays in the dialog`);
      }
      for (let i = 0; i < 3; i++) {
        await p.keyboard.press('Shift+Tab');
        assert.equal(await inDialog(), true, `Shift+Tab ${i + 1} stays in the dialog`);
      }
      await p.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await focusedSettles(p, '撤销工单', 'text'), '撤销工单', 'focus is back on the opener');
      // Esc is "no": the order is still there to withdraw.
      assert.equal(await opener.isVisible(), true);
    });

    it('an error message (someone else changed the order) is heard as an alert', async () => {
      const p = s.b.page;
      // The page shows the order as it is now; an agent then changes it, so withdrawing it fails.
      await go(p, `${s.server.url}/orders/${orderId}`);
      const token = await apiToken(s.server, 'agent');
      const get = await fetch(`${s.server.url}/api/v1/work-orders/${orderId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const o = (await get.json()) as WorkOrder & { version: number };
      const r = await fetch(`${s.server.url}/api/v1/work-orders/${orderId}/actions/accept`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ version: o.version }),
      });
      assert.equal(r.status, 200, await r.text());
      await p.getByRole('button', { name: '撤销工单' }).click();
      const dialog = p.getByRole('dialog');
      await dialog.waitFor();
      await dialog.getByRole('button', { name: '确定' }).click();
      assert.match(
        await eventually(
          () => heard(p, 'alert'),
          (v) => v.includes('工单刚被他人更新'),
        ),
        /工单刚被他人更新/,
      );
    });

    it('focus never lands under the tab bar while tabbing through a long page', async () => {
      const p = s.b.page;
      await p.setViewportSize({ width: 390, height: 560 });
      await go(p, `${s.server.url}/`);
      await p.locator('.row-link').first().waitFor();
      await p.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      const hidden: string[] = [];
      for (let i = 0; i < 40; i++) {
        await p.keyboard.press('Tab');
        const r = await p.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          const nav = document.querySelector('nav');
          if (!el || !nav || nav.contains(el) || el === document.body) return null;
          const box = (el.closest('.row-item') ?? el).getBoundingClientRect();
          const bar = nav.getBoundingClientRect().top;
          return box.bottom > bar + 0.5
            ? `${el.textContent?.trim().slice(0, 12)} ${box.bottom.toFixed(0)} > ${bar.toFixed(0)}`
            : null;
        });
        if (r) hidden.push(r);
      }
      await p.setViewportSize({ width: 390, height: 844 });
      assert.deepEqual(hidden, []);
    });

    it('targets on the main pages are at least 44×44 CSS px', async () => {
      const p = s.b.page;
      const small: string[] = [];
      for (const path of ['/', '/report', '/orders', '/directory', `/orders/${orderId}`]) {
        await go(p, `${s.server.url}${path}`);
        for (const x of await smallTargets(p)) small.push(`${path}: ${x}`);
      }
      assert.deepEqual(small, []);
    });

    it('no sideways scrolling at 320 CSS px (400% zoom of 1280), also in English with large type', async () => {
      const p = s.b.page;
      await p.setViewportSize({ width: 320, height: 640 });
      const wide: string[] = [];
      for (const settings of ['', '?lang=en&elderly=1']) {
        for (const path of ['/', '/report', '/orders', '/directory', `/orders/${orderId}`]) {
          await go(p, `${s.server.url}${path}${settings}`);
          const o = await overflow(p);
          if (o.extra > 0 || o.out.length) wide.push(`${path}${settings}: +${o.extra}px ${o.out.join('; ')}`);
        }
      }
      await p.setViewportSize({ width: 390, height: 844 });
      assert.deepEqual(wide, []);
    });

    it('with reduced motion asked for, nothing moves: no CSS transitions, dialogs appear at once', async () => {
      const p = s.b.page;
      await p.emulateMedia({ reducedMotion: 'reduce' });
      await go(p, `${s.server.url}/`);
      const moving = await p.evaluate(
        () =>
          [...document.querySelectorAll<HTMLElement>('body *')]
            .map((el) => getComputedStyle(el))
            .filter((cs) =>
              [...cs.transitionDuration.split(','), ...cs.animationDuration.split(',')].some(
                (d) => parseFloat(d) * (d.trim().endsWith('ms') ? 1 : 1000) > 1,
              ),
            ).length,
      );
      assert.equal(moving, 0, 'elements with transitions or animations');
      // The SOS dialog (a JavaScript spring) is fully shown in its first frame.
      const opacities = await p.evaluate(async () => {
        const seen: number[] = [];
        const btn = document.querySelector<HTMLButtonElement>('.big-action.danger');
        btn?.click();
        const end = performance.now() + 600;
        while (performance.now() < end) {
          const body = document.querySelector<HTMLElement>('.adm-center-popup-body');
          if (body?.parentElement) seen.push(Number(getComputedStyle(body.parentElement).opacity));
          await new Promise((r) => requestAnimationFrame(r));
        }
        return seen;
      });
      await p.keyboard.press('Escape');
      await p.emulateMedia({ reducedMotion: null });
      assert.ok(opacities.length > 0, 'the dialog showed');
      assert.deepEqual(
        opacities.filter((o) => o < 1),
        [],
        'no fading in',
      );
    });

    it('staff desk: a title per page, its messages heard, no transitions with reduced motion', async () => {
      const { page: p } = await s.launch({ width: 1366, height: 768 });
      await p.goto(`${s.server.url}/dispatch`);
      await p.locator('#staff-username').waitFor();
      assert.equal(
        await eventually(
          () => p.title(),
          (v) => v === '工作人员登录 · 邻里',
        ),
        '工作人员登录 · 邻里',
      );
      await signIn(p, 'dispatcher', 'demo1234');
      assert.equal(
        await eventually(
          () => p.title(),
          (v) => v === '调度台 · 邻里',
        ),
        '调度台 · 邻里',
      );
      // antd's message (已受理) is drawn without a live region: it is said through one.
      await p.getByRole('button', { name: '受理', exact: true }).first().click();
      assert.match(
        await eventually(
          () => heard(p, 'status'),
          (v) => v.includes('已受理'),
        ),
        /已受理/,
      );
      await p.emulateMedia({ reducedMotion: 'reduce' });
      const moving = await p.evaluate(
        () =>
          [...document.querySelectorAll<HTMLElement>('body *')].filter((el) => {
            const cs = getComputedStyle(el);
            return [...cs.transitionDuration.split(','), ...cs.animationDuration.split(',')].some(
              (d) => parseFloat(d) * (d.trim().endsWith('ms') ? 1 : 1000) > 1,
            );
          }).length,
      );
      assert.equal(moving, 0, 'elements with transitions or animations');
    });
  },
);

/**
 * 时间银行 in the resident app, in real Chromium against the demo server: 王秀英 opens it from the
 * home page, reads her balance, confirms a neighbour's service, records her own, is told under
 * the field when she tries to give more minutes than she has, gives some to 李建国 and reads them
 * in her statement; the page passes axe, in Chinese and in elderly mode. On the staff desk a
 * manager verifies her record and reverses (冲正) its credit: the record reads 已冲正 there and in
 * her list.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiToken,
  axe,
  chromiumAvailable,
  demoAndBrowser,
  eventually,
  residentLogin,
  staffLogin,
  shot,
  shown,
} from './harness.ts';

describe('web: the resident time bank', { skip: !chromiumAvailable() && 'chromium is not installed' }, () => {
  const s = demoAndBrowser(undefined, { lastShot: 'time-bank-left' });

  it('shows the balance, confirms service, records service and gives minutes', async () => {
    const p = s.b.page;
    await residentLogin(p, s.server, '13800000001');
    await p.getByRole('button', { name: /时间银行/ }).click();
    await p.waitForURL(/\/time-bank$/);
    await p.getByRole('heading', { level: 1, name: '时间银行' }).waitFor();
    assert.equal(await p.locator('h1').count(), 1, 'one h1');
    assert.equal(await p.title(), '时间银行 · 邻里');
    const balance = p.locator('.tb-balance strong');
    assert.equal(
      await eventually(
        () => balance.textContent(),
        (v) => v === '30 分钟',
      ),
      '30 分钟',
    );

    // The demo's neighbour walked with her: she confirms it, and it leaves her list.
    const walk = p.locator('.adm-list-item').filter({ hasText: '陪老人在小区散步聊天' });
    await walk.waitFor();
    await walk.getByRole('button', { name: '确认属实' }).click();
    await shown(p, '已确认，时间已记入志愿者账户').first().waitFor();
    await walk.waitFor({ state: 'detached' });

    // Her own service: pending until verified, so her balance stays.
    await p.locator('#tb-description').fill('帮邻居收快递');
    await p.locator('#tb-minutes').fill('45');
    await p.getByRole('button', { name: /^提交记录$/ }).click();
    await shown(p, '已提交，等待核实后记入时间').first().waitFor();
    await p.locator('.adm-list-item').filter({ hasText: '帮邻居收快递' }).getByText('待核实').waitFor();
    await shown(p, /待核实 45 分钟/).waitFor();
    assert.equal(await balance.textContent(), '30 分钟');

    // More than she has: refused, said under the field, and nothing moves. (The form's button, not
    // the confirmation's of the same name, which may still be closing.)
    const give = p.getByRole('region', { name: '转赠时间' });
    await p.locator('#tb-to').fill('13800000003');
    await p.locator('#tb-give-minutes').fill('999');
    await give.getByRole('button', { name: /^转\s*赠$/ }).click();
    await p
      .getByRole('dialog')
      .getByRole('button', { name: /^转\s*赠$/ })
      .click();
    await shown(p, '时间余额不足，请减少分钟数').first().waitFor();
    assert.equal(await p.locator('#tb-give-minutes').getAttribute('aria-invalid'), 'true');
    assert.equal(await balance.textContent(), '30 分钟');
    await p.getByRole('dialog').waitFor({ state: 'hidden' });

    await p.locator('#tb-give-minutes').fill('10');
    await p.locator('#tb-memo').fill('请李叔喝茶');
    await give.getByRole('button', { name: /^转\s*赠$/ }).click();
    await p
      .getByRole('dialog')
      .getByRole('button', { name: /^转\s*赠$/ })
      .click();
    await shown(p, '已转赠 10 分钟，余额 20 分钟').first().waitFor();
    assert.equal(
      await eventually(
        () => balance.textContent(),
        (v) => v === '20 分钟',
      ),
      '20 分钟',
    );
    const gift = p.locator('.adm-list-item').filter({ hasText: '请李叔喝茶' });
    await gift.waitFor();
    assert.ok((await gift.textContent())?.includes('-10'), 'the statement shows the minutes out');
    assert.ok((await gift.textContent())?.includes('对方：李**'), "the other resident's name masked");

    // The server agrees: 李建国 has 105 + 10, and the walk's volunteer was credited.
    const manager = await apiToken(s.server, 'manager');
    const accounts = (await (
      await fetch(`${s.server.url}/api/v1/time-bank/accounts`, {
        headers: { authorization: `Bearer ${manager}` },
      })
    ).json()) as { kind: string; balance: number; resident: { name: string } | null }[];
    assert.equal(accounts.find((a) => a.resident?.name === '李建国')?.balance, 115);
    assert.equal(accounts.find((a) => a.kind === 'issuance')?.balance, -375, 'the walk minted 60 minutes');

    // Every control of the page is a 44 px target at least.
    const small = await p.locator('main button, main input, main textarea').evaluateAll((els) =>
      els
        .map((el) => ({
          el: el.id || el.textContent?.trim() || el.tagName,
          h: el.getBoundingClientRect().height,
        }))
        .filter((x) => x.h > 0 && x.h < 44),
    );
    assert.deepEqual(small, []);
    assert.deepEqual(await axe(p), []);
    await shot(p, 'time-bank-zh');

    // Elderly mode: the balance reads larger.
    await p.getByRole('button', { name: /长辈模式/ }).click();
    const size = await eventually(
      () => balance.evaluate((el) => parseFloat(getComputedStyle(el).fontSize)),
      (v) => v >= 34,
    );
    assert.ok(size >= 34, `large balance (${size}px)`);
    assert.deepEqual(await axe(p), []);
    await shot(p, 'time-bank-elderly-zh');
  });

  it('a manager verifies the pending record on the staff desk: the minutes reach the volunteer', async () => {
    const d = (await s.launch({ width: 1280, height: 800 }, 'time-bank-staff-left')).page;
    await staffLogin(d, s.server, '/admin', 'manager');
    await d.getByRole('tab', { name: '时间银行' }).click();
    const records = d.getByRole('region', { name: '志愿服务记录' });
    const row = records.locator('tr').filter({ hasText: '帮邻居收快递' });
    await row.waitFor();
    assert.ok((await row.textContent())?.includes('王秀英'), 'staff read the volunteer’s name');
    assert.deepEqual(await axe(d), []);
    await shot(d, 'time-bank-staff-zh');
    await row.getByRole('button', { name: /核\s*实/ }).click();
    await shown(d, '已确认，时间已记入志愿者账户').first().waitFor();
    await row.waitFor({ state: 'detached' });
    const wang = d.getByRole('region', { name: '时间账户' }).locator('tr').filter({ hasText: '王秀英' });
    const balance = (want: string) =>
      eventually(
        async () => (await wang.locator('td').last().textContent()) ?? '',
        (v) => v === want,
      );
    assert.equal(await balance('65'), '65', '20 minutes left after her gift, and 45 verified');

    // The credit was a mistake: the manager reverses it (冲正) with a reason, as a new entry.
    const ledger = d.getByRole('region', { name: '最近的收支' });
    const earned = ledger.locator('tr').filter({ hasText: '帮邻居收快递' }).filter({ hasText: '服务获得' });
    await earned.getByRole('button', { name: /冲\s*正/ }).click();
    const dialog = d.getByRole('dialog');
    const ok = dialog.getByRole('button', { name: /冲\s*正/ });
    assert.ok(await ok.isDisabled(), 'no reversal without a reason');
    await dialog.getByLabel('冲正原因（涉及的居民能看到）').fill('重复登记，冲正');
    await ok.click();
    await dialog.waitFor({ state: 'hidden' });
    await shown(d, '已冲正').first().waitFor();
    assert.equal(await balance('20'), '20', 'the 45 minutes are taken back');
    await earned.getByText('已被冲正').waitFor();
    assert.equal(await earned.getByRole('button', { name: /冲\s*正/ }).count(), 0, 'reversed once only');
    await ledger.locator('tr').filter({ hasText: '重复登记，冲正' }).getByText('王秀英 -45').waitFor();
    assert.deepEqual(await axe(d), []);

    // The record shows it: listed under 已冲正, with the tag.
    await records.getByText('已冲正', { exact: true }).click();
    await row.getByText('已冲正').waitFor();
    assert.deepEqual(await axe(d), []);

    // And so does the volunteer's own list (she is still signed in on her phone).
    const m = s.b.page;
    await m.goto(`${s.server.url}/time-bank`);
    await m.locator('.adm-list-item').filter({ hasText: '帮邻居收快递' }).getByText('已冲正').waitFor();
    assert.deepEqual(await axe(m), []);
  });
});

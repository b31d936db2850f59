/**
 * The resident's 社区议事厅 in real Chromium against the demo server: the list with statuses and
 * votes, voting and withdrawing on a proposal open for voting, and a new proposal (a blank title
 * refused at its field first). Accessible (axe) and with 44 px targets, in Chinese and English.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  axe,
  chromiumAvailable,
  demoAndBrowser,
  residentLogin,
  setLang,
  shot,
  shown,
  staffLogin,
} from './harness.ts';

describe(
  'web: resident proposals (议事厅)',
  { skip: !chromiumAvailable() && 'chromium is not installed' },
  () => {
    const s = demoAndBrowser(undefined, { lastShot: 'proposals-last' });

    it('lists proposals, votes and withdraws, and files a new one', async () => {
      const p = s.b.page;
      await residentLogin(p, s.server, '13800000001');
      await p.getByRole('button', { name: /社区议事厅/ }).click();
      await p.waitForURL(/\/proposals$/);
      await p.getByRole('heading', { level: 1, name: '社区议事厅' }).waitFor();
      assert.equal(await p.locator('h1').count(), 1);
      assert.equal(await p.title(), '社区议事厅 · 邻里');
      const open = p.getByRole('link', { name: /3号楼加装电梯扶手和休息座椅/ });
      await open.waitFor();
      for (const status of ['投票中', '实施中', '已完成', '未入选']) await shown(p, status).first().waitFor();
      // Another resident's rejected or unreviewed proposal is not listed.
      assert.equal(await shown(p, '楼顶加装太阳能热水器').count(), 0);
      assert.equal(await shown(p, '单元门口增设快递暂存架').count(), 0);
      await shown(p, /12 票 \/ 需 20 票/)
        .first()
        .waitFor();
      assert.deepEqual(await axe(p), []);
      await shot(p, 'proposals-list-zh');

      await open.click();
      await p.waitForURL(/\/proposals\/[^/]+$/);
      const vote = p.getByRole('button', { name: '投票支持' });
      await vote.waitFor();
      const h = (await vote.boundingBox())?.height ?? 0;
      assert.ok(h >= 44, `a 44 px target (${h}px)`);
      await vote.click();
      await shown(p, '13 票 / 需 20 票').waitFor();
      await shown(p, /您已投票/)
        .first()
        .waitFor();
      const withdraw = p.getByRole('button', { name: '撤回我的投票' });
      await withdraw.waitFor();
      assert.deepEqual(await axe(p), []);
      await shot(p, 'proposal-voted-zh');
      await withdraw.click();
      await shown(p, '12 票 / 需 20 票').waitFor();
      await p.getByRole('button', { name: '投票支持' }).waitFor();

      // A new proposal: the blank title is refused at its field, then it is filed.
      await p.goto(`${s.server.url}/proposals/new`);
      await p.getByRole('heading', { level: 1, name: '我要提建议' }).waitFor();
      await p.getByRole('button', { name: /^提\s*交$/ }).click();
      await shown(p, '请填写标题（至少2个字）').waitFor();
      assert.equal(await p.locator('#proposal-title').getAttribute('aria-invalid'), 'true');
      await p.locator('#proposal-title').fill('小区增设雨棚');
      await p.locator('#proposal-description').fill('单元门口下雨天没有地方收伞，建议加装雨棚。');
      await p.locator('#proposal-budget').fill('5000');
      assert.deepEqual(await axe(p), []);
      await shot(p, 'proposal-new-zh');
      await p.getByRole('button', { name: /^提\s*交$/ }).click();
      await p.waitForURL(/\/proposals\/(?!new)[^/]+$/);
      await p.getByRole('heading', { level: 1, name: /小区增设雨棚/ }).waitFor();
      await shown(p, '已提交').first().waitFor();
      await shown(p, /¥5,000/).waitFor();

      // English.
      await setLang(p, 'en');
      await p.goto(`${s.server.url}/proposals`);
      await p.getByRole('heading', { level: 1, name: 'Community proposals' }).waitFor();
      await shown(p, 'Voting').first().waitFor();
      await shown(p, /小区增设雨棚/).waitFor();
      assert.deepEqual(await axe(p), []);
      await shot(p, 'proposals-list-en');
    });

    it('a manager reviews and opens voting on the staff desk, and reads the ranking', async () => {
      const d = await s.launch({ width: 1280, height: 900 }, 'proposals-staff-last');
      const p = d.page;
      await staffLogin(p, s.server, '/participation', 'manager');
      await p.getByRole('heading', { level: 2, name: '议事厅' }).waitFor();
      const row = p.locator('tr', { hasText: '单元门口增设快递暂存架' });
      await row.getByRole('button', { name: '受理审核' }).click();
      await p.getByRole('dialog').getByRole('button', { name: '受理审核' }).click();
      await row.getByText('审核中').waitFor();
      await row.getByRole('button', { name: '开启投票' }).click();
      const dialog = p.getByRole('dialog');
      // Without the window's end the server names the field.
      await dialog.getByLabel('入选所需票数').fill('5');
      await dialog.getByRole('button', { name: '开启投票' }).click();
      await dialog.getByText('填写的内容有误，请检查后再试').waitFor();
      const ends = new Date(Date.now() + 7 * 86_400_000);
      const local = new Date(ends.getTime() - ends.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
      await dialog.getByLabel('投票截止时间').fill(local);
      await dialog.getByRole('button', { name: '开启投票' }).click();
      await row.getByText('投票中').waitFor();
      await row.getByText('0 / 5').waitFor();
      const ranking = p.locator('tr', { hasText: '桃源社区' });
      await ranking.waitFor();
      assert.equal(await ranking.locator('td').first().textContent(), '1');
      assert.deepEqual(await axe(p), []);
      await shot(p, 'proposals-staff-zh');
    });
  },
);

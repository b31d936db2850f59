/**
 * The dashboard's charts to a screen reader: each is an image named by its title and described by
 * a table of everything it draws (every month of the trend, every category, every grid), where
 * ECharts' own text replaced the name with "2025-12的数据是0，86" and read ten points of twelve.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axe, chromiumAvailable, demoAndBrowser, staffLogin } from './harness.ts';

describe(
  'web: dashboard charts for screen readers',
  { skip: !chromiumAvailable() && 'chromium is not installed' },
  () => {
    const s = demoAndBrowser({ width: 1366, height: 768 });

    it('names each chart by its title and describes it with all its data', async () => {
      const p = s.b.page;
      await staffLogin(p, s.server, '/dashboard', 'manager');
      const trend = p.getByRole('img', { name: '月度趋势' });
      await trend.waitFor();
      await p.getByRole('img', { name: '需求热力图（按网格）' }).waitFor();
      const charts = await p.locator('[role="img"][aria-describedby]').evaluateAll((els) =>
        els.map((el) => {
          const table = document.getElementById(el.getAttribute('aria-describedby') ?? '');
          return {
            name: el.getAttribute('aria-label'),
            caption: table?.querySelector('caption')?.textContent,
            columns: [...(table?.querySelectorAll('thead th') ?? [])].map((th) => th.textContent),
            rows: [...(table?.querySelectorAll('tbody tr') ?? [])].map((tr) =>
              [...tr.children].map((c) => c.textContent),
            ),
          };
        }),
      );
      assert.equal(charts.length, 3, JSON.stringify(charts.map((c) => c.name)));
      for (const c of charts) {
        assert.equal(c.caption, c.name, 'the table is captioned like the chart');
        assert.doesNotMatch(c.name ?? '', /的数据是/);
        assert.ok(c.rows.length > 0, `${c.name} has rows`);
      }
      const byMonth = charts.find((c) => c.name === '月度趋势');
      assert.ok(byMonth);
      assert.ok(byMonth.rows.length >= 12, `every month of the year: ${byMonth.rows.length}`);
      assert.deepEqual(byMonth.columns.slice(0, 3), ['月度趋势', '工单量', '满意度 %']);
      for (const row of byMonth.rows) assert.match(row[0] ?? '', /^\d{4}-\d{2}$/);
      const shownMonths = byMonth.rows.map((r) => Number(r[1]));
      assert.ok(
        shownMonths.some((n) => n > 0),
        'the volumes are there',
      );
      assert.deepEqual(
        (await axe(p)).filter((v) => v.impact === 'critical' || v.impact === 'serious'),
        [],
      );
    });
  },
);

/**
 * The dashboard's charts to a screen reader: each is an image named by its title and described by
 * a table of everything it draws (every month of the trend, every category, every grid), where
 * ECharts' own text replaced the name with "2025-12的数据是0，86" and read ten points of twelve.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axe, chromiumAvailable, demoAndBrowser, setLang, shot, shown, staffLogin } from './harness.ts';

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
      await p.getByRole('img', { name: '需求预测：全社区' }).waitFor();
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
      assert.equal(charts.length, 4, JSON.stringify(charts.map((c) => c.name)));
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
      // The forecast: 28 days seen and 14 forecast, each with its interval, and holidays named.
      const forecast = charts.find((c) => c.name === '需求预测：全社区');
      assert.ok(forecast);
      assert.deepEqual(forecast.columns, ['统计期间', '实际', '预测', '区间下限', '区间上限', '日期类型']);
      assert.equal(forecast.rows.length, 28 + 14);
      for (const row of forecast.rows.slice(28)) {
        const [low, mid, high] = [Number(row[3]), Number(row[2]), Number(row[4])];
        assert.ok(low <= mid && mid <= high, `interval around the forecast: ${row.join(' ')}`);
      }
      assert.deepEqual(
        (await axe(p)).filter((v) => v.impact === 'critical' || v.impact === 'serious'),
        [],
      );
    });

    it('says in words how far to trust the forecast, by day and by week, in both languages', async () => {
      const p = s.b.page;
      // The sentence says what the backtest measured: whether the model beats both baselines
      // depends on the days the demo's year falls on, which move with the date: it is read from the API.
      const expected = async (granularity: 'day' | 'week') => {
        const me = (await (await p.request.get(`${s.server.url}/api/v1/me`)).json()) as {
          communities: { id: string }[];
        };
        const res = await p.request.get(
          `${s.server.url}/api/v1/analytics/forecast?community=${me.communities[0]?.id ?? ''}&granularity=${granularity}`,
        );
        const f = (await res.json()) as {
          intervalLevel: number;
          series: {
            key: string;
            accuracy: {
              origins: number;
              points: number;
              model: { mae: number };
              seasonalNaive: { mae: number };
              movingAverage: { mae: number };
              beatsBaselines: boolean;
              skill: number | null;
              intervalCoverage: number | null;
            } | null;
          }[];
        };
        const a = f.series[0]?.accuracy;
        assert.ok(a, 'the demo has enough history for a backtest');
        const [unit, per] = granularity === 'day' ? ['天', '单/天'] : ['周', '单/周'];
        const head = `回测（${a.origins} 个起点，共 ${a.points} ${unit}）：预测平均误差 ${a.model.mae.toFixed(1)} ${per}，`;
        const cov = `${Math.round(f.intervalLevel * 100)}% 区间实际覆盖 ${a.intervalCoverage === null ? '—' : Math.round(a.intervalCoverage * 100)}%。`;
        const naive = a.seasonalNaive.mae.toFixed(1);
        const avg = a.movingAverage.mae.toFixed(1);
        return a.beatsBaselines
          ? `${head}优于“上周同日” ${naive} 和“近28天平均” ${avg}，误差少 ${Math.round((a.skill ?? 0) * 100)}%。${cov}`
          : `${head}未优于“上周同日” ${naive} 或“近28天平均” ${avg}，仅供参考。${cov}`;
      };
      const byDay = await expected('day');
      assert.match(byDay, /^回测（12 个起点，共 168 天）/);
      await shown(p, byDay).waitFor();
      await p.getByText('未来8周').click();
      const byWeek = await expected('week');
      assert.match(byWeek, /^回测（12 个起点，共 96 周）/);
      await shown(p, byWeek).waitFor();
      const rows = await p
        .getByRole('img', { name: '需求预测：全社区' })
        .evaluate(
          (el) =>
            document.getElementById(el.getAttribute('aria-describedby') ?? '')?.querySelectorAll('tbody tr')
              .length,
        );
      assert.equal(rows, 8 + 8, 'eight weeks seen, eight forecast');
      await shot(p, 'dashboard-forecast-weeks');
      await setLang(p, 'en');
      await p.getByRole('img', { name: 'Demand forecast: Whole community' }).waitFor();
      await shown(p, /^Backtest \(12 origins, 168 days\): mean error [\d.]+ orders\/day/).waitFor();
      await shot(p, 'dashboard-forecast-en');
      await setLang(p, 'zh');
    });

    it('while the forecast loads, names its choice and shows the card loading, not a raw key', async () => {
      const p = s.b.page;
      let release: () => void = () => {};
      const held = new Promise<void>((r) => (release = r));
      await p.route('**/api/v1/analytics/forecast**', async (route) => {
        await held;
        await route.continue();
      });
      try {
        await p.reload();
        const choice = p.getByRole('combobox', { name: '预测对象' });
        await choice.waitFor();
        const card = p.locator('.ant-card').filter({ has: choice });
        assert.equal(await card.locator('.ant-select-selection-item').innerText(), '全社区');
        assert.equal(await card.locator('.ant-skeleton').count(), 1);
        release();
        await p.getByRole('img', { name: '需求预测：全社区' }).waitFor();
        assert.equal(await card.locator('.ant-skeleton').count(), 0);
      } finally {
        release();
        await p.unroute('**/api/v1/analytics/forecast**');
      }
    });
  },
);

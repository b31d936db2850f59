import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../../../test/helpers.ts';
import type { TestContext } from '../../../test/helpers.ts';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { findCommunity } from '../tenancy/tenancy.repository.ts';
import { listHolidayFiles } from '../sla/sla.repository.ts';
import { holidayFilesByRegion } from '../sla/sla.metrics.ts';
import { dayToIsoDate, zoneFor } from '../sla/zone.ts';
import { dailyCounts, topCategoryCodes } from './analytics.repository.ts';
import { holidayCalendar } from './forecast.model.ts';
import { ForecastResponse } from './forecast.routes.ts';
import type { ForecastBody } from './forecast.routes.ts';
import { HISTORY_DAYS, forecastDemand } from './forecast.service.ts';

// ajv-formats ships CommonJS; its default export is the plugin function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Body = ForecastBody;
interface ErrorBody {
  error: { code: string; details?: { field?: string } };
}

describe('analytics: demand forecast', () => {
  let ctx: TestContext;
  let manager: string;
  before(async () => {
    // The demo's year of history (1,200 orders a community), on the test clock (2026-11-20).
    ctx = await createTestContext({ orders: 1200 });
    manager = await ctx.login('manager');
  });
  after(() => ctx.close());

  const get = async (query: string, token = manager) => {
    const res = await ctx.call('GET', `/api/v1/analytics/forecast?${query}`, token);
    return res;
  };

  it('forecasts the next 14 days of the community and each category from the rollups, with the backtest next to it', async () => {
    const res = await get('community=taoyuan');
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json<Body>();
    assert.equal(body.today, '2026-11-20', "the community's local day of the clock");
    assert.equal(body.granularity, 'day');
    const [all, ...categories] = body.series;
    assert.equal(all?.key, 'all');
    assert.deepEqual(
      categories.map((s) => s.key),
      [
        'basic_living',
        'health',
        'education_employment',
        'social_culture',
        'safety_emergency',
        'elderly_care',
        'government_affairs',
      ],
    );
    for (const s of body.series) {
      assert.equal(s.forecast.length, 14);
      assert.equal(s.forecast[0]?.from, '2026-11-20');
      assert.equal(s.forecast[13]?.to, '2026-12-03');
      for (const p of s.forecast) assert.ok(p.low <= p.orders && p.orders <= p.high, JSON.stringify(p));
      assert.equal(s.accuracy?.origins, 12, 'a year holds every origin');
      assert.equal(s.accuracy?.points, 12 * 14);
    }
    // The community's history is the sum of its categories', and what its orders say.
    assert.equal(all?.history.length, 28);
    all?.history.forEach((h, i) => {
      const sum = categories.reduce((n, s) => n + (s.history[i]?.orders ?? 0), 0);
      assert.equal(sum, h.orders, h.from);
    });
    const c = await findCommunity(ctx.database.db, 'taoyuan');
    const counted = await ctx.database.db
      .selectFrom('work_orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('community_id', '=', c?.id ?? '')
      .where('created_day', '>=', all?.history[0]?.from ?? '')
      .where('created_day', '<', '2026-11-20')
      .executeTakeFirstOrThrow();
    assert.equal(
      all?.history.reduce((n, h) => n + h.orders, 0),
      Number(counted.n),
    );
    // The demo's history has a weekday pattern, holiday dips and a trend: the model beats both baselines on it.
    assert.equal(all?.accuracy?.beatsBaselines, true, JSON.stringify(all?.accuracy));
    assert.ok((all?.accuracy?.model.mase ?? 9) < 1);
    const coverage = all?.accuracy?.intervalCoverage ?? 0;
    assert.ok(coverage > 0.65 && coverage < 0.95, `80 % interval holds ${coverage}`);
  });

  it('forecasts 7-day blocks, one category, one grid', async () => {
    const weekly = await get('community=taoyuan&granularity=week');
    assert.equal(weekly.statusCode, 200, weekly.body);
    const w = weekly.json<Body>();
    assert.equal(w.horizon, 8);
    const all = w.series[0];
    assert.equal(all?.forecast.length, 8);
    assert.deepEqual(
      all?.forecast.slice(0, 2).map((p) => [p.from, p.to, p.dayType]),
      [
        ['2026-11-20', '2026-11-26', null],
        ['2026-11-27', '2026-12-03', null],
      ],
    );
    assert.equal(all?.history.length, 8);
    assert.equal(all?.history[7]?.to, '2026-11-19', 'the last whole day');

    const one = (await get('community=taoyuan&category=health&horizon=3')).json<Body>();
    assert.deepEqual(
      one.series.map((s) => [s.key, s.forecast.length]),
      [['health', 3]],
    );

    const grid = await ctx.database.db
      .selectFrom('grids')
      .innerJoin('communities', 'communities.id', 'grids.community_id')
      .select('grids.id')
      .where('communities.code', '=', 'taoyuan')
      .executeTakeFirstOrThrow();
    const g = (await get(`community=taoyuan&grid=${grid.id}`)).json<Body>();
    const whole = (await get('community=taoyuan')).json<Body>();
    const sum = (b: Body) => b.series[0]?.history.reduce((n, h) => n + h.orders, 0) ?? 0;
    assert.ok(
      sum(g) > 0 && sum(g) < sum(whole),
      `a grid holds part of the orders: ${sum(g)} of ${sum(whole)}`,
    );
  });

  it('answers in the shape of its schema, with what the pure forecast computes from the same rollups (nothing cached or changed on the way)', async () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const valid = ajv.compile(ForecastResponse);
    const c = await findCommunity(ctx.database.db, 'taoyuan');
    assert.ok(c);
    const today = zoneFor(c.time_zone).dayOf(ctx.clock.now().getTime());
    const calendar = holidayCalendar(
      holidayFilesByRegion(await listHolidayFiles(ctx.database.db)).get('cn') ?? [],
    );
    const codes = await topCategoryCodes(ctx.database.db);
    const grid = await ctx.database.db
      .selectFrom('grids')
      .select('id')
      .where('community_id', '=', c.id)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const requests: Array<{
      query: string;
      granularity: 'day' | 'week';
      horizon: number;
      category?: string;
      grid?: string;
    }> = [
      { query: '', granularity: 'day', horizon: 14 },
      { query: '&granularity=week', granularity: 'week', horizon: 8 },
      { query: '&horizon=28', granularity: 'day', horizon: 28 },
      {
        query: '&category=health&granularity=week&horizon=12',
        granularity: 'week',
        horizon: 12,
        category: 'health',
      },
      { query: `&grid=${grid.id}`, granularity: 'day', horizon: 14, grid: grid.id },
    ];
    for (const r of requests) {
      const res = await get(`community=taoyuan${r.query}`);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json<Body>();
      assert.ok(valid(body), `${r.query}: ${ajv.errorsText(valid.errors)}`);
      assert.deepEqual(Object.keys(body).sort(), Object.keys(ForecastResponse.properties).sort());
      const counts = await dailyCounts(
        ctx.database.db,
        c.id,
        dayToIsoDate(today - HISTORY_DAYS),
        dayToIsoDate(today),
        r.grid ?? null,
      );
      const expected = forecastDemand({
        counts,
        today,
        calendar,
        granularity: r.granularity,
        horizon: r.horizon,
        categories: r.category === undefined ? codes : [r.category],
        includeAll: r.category === undefined,
      });
      // As JSON carries it: the same answer, to the last digit.
      assert.deepStrictEqual(
        { historyFrom: body.historyFrom, series: body.series, hints: body.hints },
        JSON.parse(JSON.stringify(expected)),
        r.query,
      );
      assert.ok(
        expected.series.every((s) => s.accuracy !== null),
        'a year of history: every series backtested',
      );
    }
  });

  it('refuses bad input naming the field, and changes nothing', async () => {
    const cases: Array<[string, number, string]> = [
      ['community=taoyuan&granularity=week&horizon=13', 400, 'horizon'],
      ['community=taoyuan&category=weather', 400, 'category'],
      ['community=taoyuan&grid=nowhere', 400, 'grid'],
      ['community=nowhere', 404, 'community'],
    ];
    for (const [query, status, field] of cases) {
      const res = await get(query);
      assert.equal(res.statusCode, status, `${query}: ${res.body}`);
      assert.equal(res.json<ErrorBody>().error.details?.field, field, query);
    }
    for (const query of [
      'community=taoyuan&horizon=0',
      'community=taoyuan&horizon=29',
      'community=taoyuan&horizon=1.5',
      'community=taoyuan&granularity=month',
      'community=taoyuan&days=3',
      'granularity=day',
    ]) {
      const res = await get(query);
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
    }
  });

  it('is read by those who read the dashboard, of their own communities only', async () => {
    for (const role of ['dispatcher', 'admin', 'auditor']) {
      assert.equal((await get('community=taoyuan', await ctx.login(role))).statusCode, 200, role);
    }
    for (const role of ['agent', 'grid_worker', 'provider']) {
      assert.equal((await get('community=taoyuan', await ctx.login(role))).statusCode, 403, role);
    }
    assert.equal((await get('community=taoyuan', await ctx.residentLogin('13800000001'))).statusCode, 403);
    const other = await get('community=taoyuan', await ctx.login('manager2'));
    assert.equal(other.statusCode, 404, "another community's manager learns nothing of it");
    assert.equal(other.json<ErrorBody>().error.details?.field, 'community');
    const own = await get('community=longzhu', await ctx.login('manager2'));
    assert.equal(own.statusCode, 200);
    assert.notEqual(own.json<Body>().communityId, (await findCommunity(ctx.database.db, 'taoyuan'))?.id);
  });
});

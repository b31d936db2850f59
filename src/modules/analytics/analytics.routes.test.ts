import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../../../test/helpers.ts';
import type { TestContext } from '../../../test/helpers.ts';
import { findCommunity } from '../tenancy/tenancy.repository.ts';
import { gridNames, orderFacts } from './analytics.repository.ts';
import { summarize } from './analytics.service.ts';

interface Body {
  communityId: string;
  totals: { orders: number; resolved: number; satisfaction: number | null };
  byGrid: { key: string; name: string; orders: number }[];
  byMonth: { key: string; orders: number }[];
  timeZone: string;
}

describe('analytics: dashboard KPIs', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 40 });
  });
  after(() => ctx.close());

  it('counts the community orders by grid and month for a manager', async () => {
    const token = await ctx.login('manager');
    // An explicit window: the seed runs on the test clock, the route defaults to the wall clock.
    const res = await ctx.call(
      'GET',
      '/api/v1/analytics/dashboard?community=taoyuan&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z',
      token,
    );
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json<Body>();
    assert.ok(body.totals.orders > 0);
    assert.equal(body.timeZone, 'Asia/Shanghai', "months are this zone's months");
    assert.equal(
      body.byMonth.reduce((n, b) => n + b.orders, 0),
      body.totals.orders,
    );
    assert.ok(
      body.byGrid.every((g) => g.name !== g.key),
      'grids carry their names',
    );
  });

  it('refuses residents and other communities, and names a bad field', async () => {
    const resident = await ctx.residentLogin('13800000001');
    assert.equal(
      (await ctx.call('GET', '/api/v1/analytics/dashboard?community=taoyuan', resident)).statusCode,
      403,
    );
    const other = await ctx.login('manager2');
    const res = await ctx.call('GET', '/api/v1/analytics/dashboard?community=taoyuan', other);
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<{ error: { details: { field: string } } }>().error.details.field, 'community');
    const manager = await ctx.login('manager');
    const bad = await ctx.call(
      'GET',
      '/api/v1/analytics/dashboard?community=taoyuan&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      manager,
    );
    assert.equal(bad.statusCode, 400);
  });
});

describe('dashboard from rollups', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 120 });
  });
  after(() => ctx.close());

  it('answers exactly what folding every order of the window gives, for whole and partial days', async () => {
    const token = await ctx.login('manager');
    // Move some orders on through the API first: accepted, resolved, rated, reopened.
    const agent = await ctx.login('agent');
    const created = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '小区东门路灯不亮了',
    });
    assert.equal(created.statusCode, 201, created.body);
    const c = await findCommunity(ctx.database.db, 'taoyuan');
    assert.ok(c);
    const grids = await gridNames(ctx.database.db, c.id);
    for (const [from, to] of [
      ['2025-11-20T16:00:00.000Z', '2026-11-20T16:00:00.000Z'], // whole Beijing days
      ['2025-12-03T05:17:00.000Z', '2026-11-21T03:00:00.000Z'], // partial first and last days
      ['2026-11-19T17:00:00.000Z', '2026-11-20T09:00:00.000Z'], // inside one day
    ] as const) {
      const res = await ctx.call(
        'GET',
        `/api/v1/analytics/dashboard?community=taoyuan&from=${from}&to=${to}`,
        token,
      );
      assert.equal(res.statusCode, 200, res.body);
      const body: Record<string, unknown> = { ...res.json<Record<string, unknown>>() };
      for (const k of ['communityId', 'from', 'to', 'timeZone']) delete body[k];
      const facts = await orderFacts(ctx.database.db, c.id, from, to);
      assert.ok(facts.length > 0, `orders in ${from}…${to}`);
      const want = JSON.parse(JSON.stringify(summarize(facts, (id) => grids.get(id) ?? id, c.time_zone)));
      assert.deepEqual(body, want, `${from}…${to}`);
    }
  });
});

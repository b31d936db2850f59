import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../../../test/helpers.ts';
import type { TestContext } from '../../../test/helpers.ts';

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

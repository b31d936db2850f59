import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, userId } from '../../../test/helpers.ts';
import type { SlaTables } from '../sla/sla.tables.ts';
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

describe('dashboard windows at their limits', () => {
  let ctx: TestContext;
  let manager: string;
  let orderAt: string;
  before(async () => {
    ctx = await createTestContext({ orders: 0 });
    manager = await ctx.login('manager');
    const agent = await ctx.login('agent');
    const created = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '小区东门路灯不亮了',
    });
    assert.equal(created.statusCode, 201, created.body);
    orderAt = created.json<{ createdAt: string }>().createdAt;
  });
  after(() => ctx.close());

  const orders = async (query: string) => {
    const res = await ctx.call('GET', `/api/v1/analytics/dashboard?community=taoyuan${query}`, manager);
    assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
    return res.json<Body & { from: string; to: string }>();
  };

  it('reads the default window (the last 365 days) by the service clock', async () => {
    ctx.clock.advance(1000); // `to` is exclusive: the order was filed a second ago
    const body = await orders('');
    assert.equal(body.to, ctx.clock.now().toISOString());
    assert.equal(Date.parse(body.to) - Date.parse(body.from), 365 * 86_400_000);
    assert.equal(body.totals.orders, 1, 'the order filed a moment ago is in the last 365 days');
    const from = await orders(`&from=${encodeURIComponent(orderAt)}`);
    assert.equal(from.to, ctx.clock.now().toISOString(), 'a window with only `from` ends now');
  });

  it('counts every order in a window that reaches the last day of the year 9999', async () => {
    for (const to of ['9999-12-31T23:59:59Z', '9999-12-31T16:00:00Z', '9999-12-31T15:59:59Z']) {
      const body = await orders(`&from=2000-01-01T00:00:00Z&to=${to}`);
      assert.equal(body.totals.orders, 1, to);
    }
  });

  it('reads a leap second as the instant after it, and refuses one past the year 9999 naming the field', async () => {
    // It used to answer 500: Date cannot hold 23:59:60.
    const leap = await orders('&from=2016-12-31T23:59:60Z&to=2017-01-01T00:00:01Z');
    assert.equal(leap.from, '2017-01-01T00:00:00.000Z');
    for (const [query, field] of [
      ['&from=2000-01-01T00:00:00Z&to=9999-12-31T23:59:59-01:00', 'to'],
      ['&from=2026-02-30T00:00:00Z', 'from'],
    ] as const) {
      const res = await ctx.call('GET', `/api/v1/analytics/dashboard?community=taoyuan${query}`, manager);
      assert.equal(res.statusCode, 400, `${query}: ${res.body}`);
      assert.equal(res.json<{ error: { details: { field: string } } }>().error.details.field, field, query);
    }
  });

  it('reads the SLA compliance window as instants, whatever offset they are written with', async () => {
    const count = async (query: string) => {
      const res = await ctx.call('GET', `/api/v1/sla/compliance?community=taoyuan&by=month${query}`, manager);
      assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
      return res.json<{ rows: Array<{ total: number }> }>().rows.reduce((n, r) => n + r.total, 0);
    };
    const at = Date.parse(orderAt);
    // The same instant an hour before the order, written in Beijing time and in UTC without milliseconds.
    const beijing = new Date(at - 3_600_000 + 8 * 3_600_000).toISOString().slice(0, 19) + '+08:00';
    assert.equal(await count(`&from=${encodeURIComponent(beijing)}`), 1, beijing);
    const exact = new Date(at).toISOString().slice(0, 19) + 'Z';
    assert.equal(await count(`&from=${exact}`), at % 1000 === 0 ? 1 : 0, `from ${exact} includes the order`);
    const res = await ctx.call(
      'GET',
      '/api/v1/sla/compliance?community=taoyuan&by=month&from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z',
      manager,
    );
    assert.equal(res.statusCode, 400, 'an empty compliance window is refused, as the dashboard refuses it');
  });
});

describe("the dashboard's first response of duplicates", () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 0 });
  });
  after(() => ctx.close());

  it('counts no answer for an order merged before it was answered, as the SLA does, whatever becomes of its target', async () => {
    const admin = await ctx.login('admin');
    const manager = await ctx.login('manager');
    const file = async () => {
      ctx.clock.advance(1000);
      const res = await ctx.call('POST', '/api/v1/work-orders', admin, {
        channel: 'hotline',
        description: '小区东门路灯不亮了',
        category: 'basic_living.property',
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json<{ id: string; createdAt: string }>();
    };
    const act = async (id: string, action: string, body: Record<string, unknown> = {}) => {
      const { version } = await ctx.database.db
        .selectFrom('work_orders')
        .select('version')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const res = await ctx.call('POST', `/api/v1/work-orders/${id}/actions/${action}`, admin, {
        version,
        ...body,
      });
      assert.equal(res.statusCode, 200, `${action}: ${res.body}`);
    };
    const firstResponse = async (createdAt: string) => {
      const to = new Date(Date.parse(createdAt) + 1).toISOString();
      const res = await ctx.call(
        'GET',
        `/api/v1/analytics/dashboard?community=taoyuan&from=${createdAt}&to=${to}`,
        manager,
      );
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ totals: { orders: number; firstResponseMinutes: number | null } }>().totals;
    };
    const sla = async (id: string) =>
      (
        await ctx.database.db
          .withTables<SlaTables>()
          .selectFrom('sla_order_metrics')
          .select('first_response_at')
          .where('work_order_id', '=', id)
          .executeTakeFirstOrThrow()
      ).first_response_at;

    // Referred or dismissed, the target takes its duplicates along: theirs is no answer.
    for (const close of ['refer', 'dismiss'] as const) {
      const target = await file();
      const dup = await file();
      ctx.clock.advance(10 * 60_000);
      await act(dup.id, 'merge', { mergeInto: target.id });
      ctx.clock.advance(2 * 3_600_000);
      await act(
        target.id,
        close,
        close === 'refer' ? { referredTo: '区市政管理处' } : { reason: '不属于社区' },
      );
      assert.equal(await sla(dup.id), null, 'the SLA: the merge withdrew its first response');
      assert.equal(
        (await firstResponse(dup.createdAt)).firstResponseMinutes,
        null,
        `${close}: the duplicate`,
      );
      assert.notEqual(
        (await firstResponse(target.createdAt)).firstResponseMinutes,
        null,
        `${close}: the target`,
      );
    }
    // Cancelled, the target sends its duplicates back to work: not an answer either, then or later.
    const target = await file();
    const dup = await file();
    ctx.clock.advance(5 * 60_000);
    await act(dup.id, 'merge', { mergeInto: target.id });
    ctx.clock.advance(3_600_000);
    await act(target.id, 'cancel', { reason: '重复' });
    ctx.clock.advance(3_600_000);
    await act(dup.id, 'dispatch', { assigneeId: await userId(ctx, 'grid_worker') });
    assert.equal(await sla(dup.id), null, 'the SLA: the merge withdrew its first response for good');
    assert.equal((await firstResponse(dup.createdAt)).firstResponseMinutes, null, 'the returned duplicate');
    // Straight from the queue, a referral is an answer.
    const referred = await file();
    ctx.clock.advance(30 * 60_000);
    await act(referred.id, 'refer', { referredTo: '区市政管理处' });
    assert.equal((await firstResponse(referred.createdAt)).firstResponseMinutes, 30);
    assert.notEqual(await sla(referred.id), null);
  });
});

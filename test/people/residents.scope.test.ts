/**
 * Who may read which resident through the API: a grid worker only the households in their
 * grids (by id and by phone), with only the orders they may read; providers not at all.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface ResidentDetail {
  id: string;
  phone: string | null;
  tags: string[] | null;
  household: { gridId: string | null } | null;
  recentOrders: { id: string; description: string }[];
}

interface Candidate {
  id: string;
  phone: string;
  gridId: string;
  orderIds: string[];
}

describe('residents: a grid worker sees only their grids', () => {
  let ctx: TestContext;
  let gw: string;
  let agent: string;
  let myGrids: string[];
  /** Residents of 桃源 with orders, in a grid of grid_worker's and in another grid. */
  let inside: Candidate;
  let outside: Candidate;

  const read = (id: string, token: string) => ctx.call('GET', `/api/v1/residents/${id}`, token);
  const lookup = (phone: string, token: string) =>
    ctx.call('GET', `/api/v1/residents?phone=${encodeURIComponent(phone)}`, token);

  before(async () => {
    ctx = await createTestContext({ orders: 60 });
    gw = await ctx.login('grid_worker');
    agent = await ctx.login('agent');
    const taoyuan = ctx.seed.communities[0]?.id ?? '';
    const gwId = await userId(ctx, 'grid_worker');
    myGrids = (
      await ctx.database.db.selectFrom('grid_workers').select('grid_id').where('user_id', '=', gwId).execute()
    ).map((g) => g.grid_id);
    assert.ok(myGrids.length > 0, 'the demo grid worker serves grids');

    const rows = await ctx.database.db
      .selectFrom('work_orders')
      .innerJoin('residents', 'residents.id', 'work_orders.beneficiary_id')
      .innerJoin('households', 'households.id', 'residents.household_id')
      .select(['residents.id as rid', 'residents.phone', 'households.grid_id', 'work_orders.id as oid'])
      .where('residents.community_id', '=', taoyuan)
      .where('households.grid_id', 'is not', null)
      .where('residents.phone', 'is not', null)
      .orderBy('work_orders.created_at', 'desc')
      .execute();
    const byResident = new Map<string, Candidate>();
    for (const r of rows) {
      const c = byResident.get(r.rid) ?? {
        id: r.rid,
        phone: r.phone ?? '',
        gridId: r.grid_id ?? '',
        orderIds: [],
      };
      c.orderIds.push(r.oid);
      byResident.set(r.rid, c);
    }
    const all = [...byResident.values()];
    const mine = all.find((c) => myGrids.includes(c.gridId));
    const theirs = all.find((c) => !myGrids.includes(c.gridId));
    assert.ok(mine && theirs, 'the demo has residents with orders in and outside the grid worker’s grids');
    inside = mine;
    outside = theirs;
  });
  after(() => ctx.close());

  it('answers 404 for a resident outside their grids, exactly as for another community', async () => {
    const res = await read(outside.id, gw);
    assert.equal(res.statusCode, 404, res.body);
    assert.equal((res.json() as { error: { code: string } }).error.code, 'resident_not_found');
    for (const secret of [outside.phone, 'recentOrders', 'chronic_illness'])
      assert.ok(!res.body.includes(secret), `${secret} leaked`);
    const elsewhere = await read(await residentIdByPhone(ctx, '13800000002'), gw);
    assert.equal(elsewhere.statusCode, 404);
    assert.equal(
      (elsewhere.json() as { error: { code: string } }).error.code,
      (res.json() as { error: { code: string } }).error.code,
    );
    // Their orders, unless assigned to the grid worker, are unreadable through the work-order API too.
    const orderId = outside.orderIds[0] ?? '';
    await ctx.database.db
      .updateTable('work_orders')
      .set({ assignee_id: null })
      .where('id', '=', orderId)
      .execute();
    const order = await ctx.call('GET', `/api/v1/work-orders/${orderId}`, gw);
    assert.equal(order.statusCode, 404, order.body);
  });

  it('a phone lookup outside their grids finds nobody, as for another community', async () => {
    const res = await lookup(outside.phone, gw);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), []);
    assert.deepEqual((await lookup('13800000002', gw)).json(), [], 'another community');
    const byAgent = (await lookup(outside.phone, agent)).json() as ResidentDetail[];
    assert.equal(byAgent.length, 1, 'the agent of the community still finds them');
    assert.equal(byAgent[0]?.id, outside.id);
  });

  it('shows a resident of their grids, phone unmasked, with orders they may read', async () => {
    const res = await read(inside.id, gw);
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json() as ResidentDetail;
    assert.equal(r.phone, inside.phone);
    assert.ok(myGrids.includes(r.household?.gridId ?? ''));
    assert.ok(r.recentOrders.length > 0);
    for (const o of r.recentOrders) {
      const wo = await ctx.call('GET', `/api/v1/work-orders/${o.id}`, gw);
      assert.equal(wo.statusCode, 200, `order ${o.id} shown with the resident must be readable`);
    }
    const [byPhone] = (await lookup(inside.phone, gw)).json() as ResidentDetail[];
    assert.equal(byPhone?.id, inside.id);
  });

  it('leaves out of recentOrders an order outside their grids and not assigned to them', async () => {
    const orderId = inside.orderIds[0] ?? '';
    const otherGrid = outside.gridId;
    await ctx.database.db
      .updateTable('work_orders')
      .set({ grid_id: otherGrid, assignee_id: null })
      .where('id', '=', orderId)
      .execute();
    const wo = await ctx.call('GET', `/api/v1/work-orders/${orderId}`, gw);
    assert.equal(wo.statusCode, 404, 'the work-order API hides it');
    const r = (await read(inside.id, gw)).json() as ResidentDetail;
    assert.ok(!r.recentOrders.some((o) => o.id === orderId), 'the resident view hides it too');
    const [byPhone] = (await lookup(inside.phone, gw)).json() as ResidentDetail[];
    assert.ok(!byPhone?.recentOrders.some((o) => o.id === orderId));
    const byAgent = (await read(inside.id, agent)).json() as ResidentDetail;
    assert.ok(
      byAgent.recentOrders.some((o) => o.id === orderId),
      'the agent sees the whole community',
    );

    // Assigned to the grid worker, the same order becomes theirs under the work-order rules.
    const gwId = await userId(ctx, 'grid_worker');
    await ctx.database.db
      .updateTable('work_orders')
      .set({ assignee_id: gwId })
      .where('id', '=', orderId)
      .execute();
    assert.equal((await ctx.call('GET', `/api/v1/work-orders/${orderId}`, gw)).statusCode, 200);
    const again = (await read(inside.id, gw)).json() as ResidentDetail;
    assert.ok(again.recentOrders.some((o) => o.id === orderId));
  });

  it('other staff: community staff see all of it (masked by role); providers and auditors none', async () => {
    const manager = (await read(outside.id, await ctx.login('manager'))).json() as ResidentDetail;
    assert.equal(manager.id, outside.id);
    assert.notEqual(manager.phone, outside.phone, 'a manager sees the phone masked');
    assert.equal(manager.tags, null);
    const dispatcher = await read(outside.id, await ctx.login('dispatcher'));
    assert.equal(dispatcher.statusCode, 200);
    for (const role of ['provider', 'auditor']) {
      const token = await ctx.login(role);
      assert.equal((await read(outside.id, token)).statusCode, 403, role);
      assert.equal((await lookup(outside.phone, token)).statusCode, 403, role);
    }
    assert.equal(
      (await read(outside.id, await ctx.login('grid_worker2'))).statusCode,
      404,
      'other community',
    );
  });

  it('a resident sees themselves and their household, nobody else', async () => {
    const me = await ctx.residentLogin('13800000001');
    const mine = await read(await residentIdByPhone(ctx, '13800000001'), me);
    assert.equal(mine.statusCode, 200, mine.body);
    assert.equal((mine.json() as ResidentDetail).phone, '13800000001');
    assert.equal((await read(outside.id, me)).statusCode, 404);
  });
});

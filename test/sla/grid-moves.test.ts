/**
 * An open order a grid import moves to another grid is that grid's in the SLA's figures and
 * lists at once: by grid in the compliance report, and for the grid workers who may read it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { square } from '../geo-helpers.ts';

describe('SLA figures and lists follow an order a grid import moves', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 0 });
  });
  after(() => ctx.close());

  it("counts it under its new grid and shows it to the new grid's worker, not the old one's", async () => {
    const db = ctx.database.db;
    const manager = await ctx.login('manager');
    // A household of a grid with a worker, and that worker.
    const home = await db
      .selectFrom('households')
      .innerJoin('grids', 'grids.id', 'households.grid_id')
      .innerJoin('grid_workers', 'grid_workers.grid_id', 'grids.id')
      .innerJoin('users', 'users.id', 'grid_workers.user_id')
      .innerJoin('communities', 'communities.id', 'grids.community_id')
      .select(['households.lat', 'households.lng', 'grids.id as gridId', 'grids.code', 'users.username'])
      .where('communities.code', '=', 'taoyuan')
      .where('households.lat', 'is not', null)
      .orderBy('households.id')
      .executeTakeFirstOrThrow();
    const lat = home.lat ?? 0;
    const lng = home.lng ?? 0;
    const filed = await ctx.call('POST', '/api/v1/work-orders', await ctx.login('agent'), {
      channel: 'hotline',
      description: '楼道灯不亮了',
      category: 'basic_living.property',
      location: { lat, lng },
    });
    assert.equal(filed.statusCode, 201, filed.body);
    const order = filed.json<{ id: string; gridId: string }>();
    assert.equal(order.gridId, home.gridId);
    const oldWorker = await ctx.login(home.username);

    // The grid shrinks away from the door; a new grid without a worker takes it.
    const grid = (code: string, ring: ReturnType<typeof square>) => ({
      type: 'Feature',
      properties: { code, name: `网格 ${code}` },
      geometry: { type: 'Polygon', coordinates: [ring] },
    });
    const moved = await ctx.call('POST', '/api/v1/grids/import?community=taoyuan', manager, {
      type: 'FeatureCollection',
      features: [
        grid(home.code, square(lng + 0.003, lat + 0.003, 0.0005)),
        grid('zz-new', square(lng, lat, 0.0004)),
      ],
    });
    assert.equal(moved.statusCode, 200, moved.body);
    const now = await db
      .selectFrom('work_orders')
      .select('grid_id')
      .where('id', '=', order.id)
      .executeTakeFirstOrThrow();
    assert.notEqual(now.grid_id, home.gridId, 'the import moved the open order');
    assert.equal(
      (await ctx.call('GET', `/api/v1/work-orders/${order.id}`, oldWorker)).statusCode,
      404,
      'the old grid worker no longer reads it',
    );

    const byGrid = await ctx.call('GET', '/api/v1/sla/compliance?community=taoyuan&by=grid', manager);
    assert.equal(byGrid.statusCode, 200, byGrid.body);
    assert.deepEqual(
      byGrid.json<{ rows: Array<{ key: string | null; total: number }> }>().rows.map((r) => [r.key, r.total]),
      [[now.grid_id, 1]],
      'compliance counts it under the grid it is in',
    );
    const mine = await ctx.call('GET', '/api/v1/sla/compliance?community=taoyuan&by=grid', oldWorker);
    assert.deepEqual(mine.json<{ rows: unknown[] }>().rows, [], "the old grid's worker counts it no more");
    const soon = await ctx.call(
      'GET',
      '/api/v1/sla/due-soon?community=taoyuan&withinMinutes=43200',
      oldWorker,
    );
    assert.equal(soon.statusCode, 200, soon.body);
    assert.deepEqual(
      soon.json<{ items: Array<{ orderId: string }> }>().items.map((i) => i.orderId),
      [],
      "nor lists it, with its description, among its grid's deadlines",
    );
    const all = await ctx.call('GET', '/api/v1/sla/due-soon?community=taoyuan&withinMinutes=43200', manager);
    assert.deepEqual(
      all
        .json<{ items: Array<{ orderId: string; gridId: string | null }> }>()
        .items.map((i) => [i.orderId, i.gridId]),
      [[order.id, now.grid_id]],
    );
  });
});

/**
 * The order list's `status`, `from` and `to` filters (shared by `GET /api/v1/work-orders`, its
 * CSV export and `linli export`): an unknown status is refused, times compare as instants
 * whatever their offset, and the range is `[from, to)`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestContext, TEST_NOW } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { insertOrders, listOrders, listQuery } from '../../src/modules/work-orders/work-order.repository.ts';
import type { ListFilter } from '../../src/modules/work-orders/work-order.repository.ts';
import { newId } from '../../src/platform/ids.ts';

describe('order list filters: status, from and to', () => {
  let ctx: TestContext;
  let manager: string;
  let orderId: string;
  before(async () => {
    ctx = await createTestContext({ orders: 8 });
    manager = await ctx.login('manager');
    const created = await ctx.call('POST', '/api/v1/work-orders', await ctx.login('agent'), {
      channel: 'hotline',
      description: '楼道灯坏了',
    });
    assert.equal(created.statusCode, 201, created.body);
    orderId = (created.json() as { id: string; createdAt: string }).id;
  });
  after(() => ctx.close());

  const ids = async (query: string) => {
    const res = await ctx.call('GET', `/api/v1/work-orders?limit=200&${query}`, manager);
    assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
    return (res.json() as { items: { id: string; status: string }[] }).items;
  };

  it('an unknown status, channel, urgency or category is refused with a 400 naming the field, on the list and the export', async () => {
    for (const [url, field] of [
      ['/api/v1/work-orders?status=bogus', 'status'],
      ['/api/v1/work-orders/export.csv?status=closed,bogus', 'status'],
      ['/api/v1/work-orders?channel=hotline,bogus', 'channel'],
      ['/api/v1/work-orders/export.csv?urgency=bogus', 'urgency'],
      ['/api/v1/work-orders?category=health,bogus', 'category'],
    ] as const) {
      const res = await ctx.call('GET', url, manager);
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      const body = res.json() as { error: { code: string; message: string; details: { field: string } } };
      assert.equal(body.error.code, 'invalid_input');
      assert.equal(body.error.details.field, field);
      assert.match(body.error.message, /"bogus"/);
    }
    const hotline = await ids('channel=hotline&urgency=normal,high');
    assert.ok(hotline.length > 0);
    const living = await ids('category=basic_living,health.checkup');
    assert.ok(living.length > 0);
    const open = await ids('status=submitted,accepted');
    assert.ok(open.length > 0);
    assert.ok(open.every((o) => ['submitted', 'accepted'].includes(o.status)));
  });

  it('from and to are instants: any offset, with or without milliseconds; to is exclusive', async () => {
    // The new order was created at TEST_NOW exactly (2026-11-20T02:00:00.000Z).
    const has = async (query: string) => (await ids(query)).some((o) => o.id === orderId);
    const plus8 = '2026-11-20T10:00:00%2B08:00';
    assert.equal(TEST_NOW, '2026-11-20T02:00:00.000Z');
    assert.ok(await has('from=2026-11-20T02:00:00Z'), 'from includes its own instant');
    assert.ok(await has(`from=${plus8}`), 'the same instant at +08:00');
    assert.ok(!(await has('to=2026-11-20T02:00:00Z')), 'to excludes its own instant');
    assert.ok(!(await has(`to=${plus8}`)));
    assert.ok(await has('to=2026-11-20T02:00:00.001Z'));
    assert.deepEqual(
      (await ids(`from=2026-11-01T00:00:00%2B08:00&to=${plus8}`)).map((o) => o.id),
      (await ids('from=2026-10-31T16:00:00Z&to=2026-11-20T02:00:00Z')).map((o) => o.id),
    );
  });

  it('an empty range is refused rather than answering nothing', async () => {
    const res = await ctx.call(
      'GET',
      '/api/v1/work-orders/export.csv?from=2026-12-04T00:00:00Z&to=2026-12-04T00:00:00Z',
      manager,
    );
    assert.equal(res.statusCode, 400, res.body);
    assert.equal((res.json() as { error: { details: { field: string } } }).error.details.field, 'from');
    const bad = await ctx.call('GET', '/api/v1/work-orders?from=yesterday', manager);
    assert.equal(bad.statusCode, 400);
  });

  it('a list over several communities merges the newest of each, and pages by the cursor', async () => {
    // Each community's page is read on its own and merged (`listOrders`): the result must be the
    // one list of all of them, in (created_at, id) order, across pages and with filters.
    const db = ctx.database.db;
    const communityIds = ctx.seed.communities.map((c) => c.id);
    assert.ok(communityIds.length >= 2);
    const tmpl = await db.selectFrom('work_orders').selectAll().executeTakeFirstOrThrow();
    const base = Date.parse('2025-06-01T00:00:00Z');
    // Interleaved in time, two at each instant (one per community), so that ids break the ties.
    await insertOrders(
      db,
      Array.from({ length: 40 }, (_, i) => {
        const at = new Date(base + Math.floor(i / 2) * 60_000).toISOString();
        return {
          ...tmpl,
          id: newId(base + i),
          number: `MERGE-${i}`,
          community_id: communityIds[i % 2]!,
          grid_id: null,
          assignee_id: null,
          status: i % 3 === 0 ? 'in_progress' : 'submitted',
          created_at: at,
          created_day: at.slice(0, 10),
          updated_at: at,
        };
      }),
    );
    const whole = async (f: Omit<ListFilter, 'limit' | 'cursor' | 'communityIds'>) => {
      let q = db.selectFrom('work_orders').select('id').where('community_id', 'in', communityIds);
      if (f.statuses) q = q.where('status', 'in', f.statuses);
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
      return rows.map((r) => r.id);
    };
    for (const f of [{}, { statuses: ['in_progress' as const] }]) {
      const paged: string[] = [];
      let cursor: ListFilter['cursor'];
      for (;;) {
        const page = await listOrders(db, { ...f, communityIds, limit: 7, ...(cursor ? { cursor } : {}) });
        paged.push(...page.map((o) => o.id));
        const last = page[page.length - 1];
        if (page.length < 7 || !last) break;
        cursor = { createdAt: last.created_at, id: last.id };
      }
      const expected = await whole(f);
      assert.ok(expected.length > 7, `${JSON.stringify(f)}: ${expected.length} orders`);
      assert.deepEqual(paged, expected, JSON.stringify(f));
    }
    // Each community is read newest first from its own range of the (community, created_at, id)
    // index; with `community_id IN (…)` both databases read every order of them and sorted.
    const compiled = listQuery(db, { communityIds, limit: 21 }).compile();
    let plan: string;
    if (ctx.database.dialect === 'postgres') {
      plan = await db.connection().execute(async (conn) => {
        // A small table is cheaper to scan; tell the planner not to, to see what it can use.
        await sql`set enable_seqscan = off`.execute(conn);
        const rows = await conn.executeQuery<{ 'QUERY PLAN': string }>({
          ...compiled,
          sql: `explain ${compiled.sql}`,
        });
        await sql`set enable_seqscan = on`.execute(conn);
        return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
      });
    } else {
      const rows = await db.executeQuery<{ detail: string }>({
        ...compiled,
        sql: `explain query plan ${compiled.sql}`,
      });
      plan = rows.rows.map((r) => r.detail).join('\n');
    }
    const ranges = plan.match(
      /(Index Scan Backward using|SEARCH \S+ USING INDEX) work_orders_community_created/g,
    );
    assert.equal(ranges?.length, communityIds.length, plan);
  });
});

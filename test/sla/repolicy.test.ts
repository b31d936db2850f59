/**
 * A change of category puts an order under another policy: the escalation under way was the old
 * policy's and stops (an order on time by the new one alerts nobody), and a breach already
 * announced stays in the figures. A supervision whose order has left is withdrawn, not overdue.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { SlaTables } from '../../src/modules/sla/sla.tables.ts';
import { act, addNoiseFastPolicy, auditOk, createOrder, reclassify, timelineTypes } from './sla-helpers.ts';

const MINUTE = 60_000;

describe('SLA after a change of category, and supervisions of orders that left', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext();
    await addNoiseFastPolicy(ctx);
  });
  after(() => ctx.close());

  const metrics = (orderId: string) =>
    ctx.database.db
      .withTables<SlaTables>()
      .selectFrom('sla_order_metrics')
      .selectAll()
      .where('work_order_id', '=', orderId)
      .executeTakeFirstOrThrow();

  it('stops the old escalation when the new policy finds the order on time, and keeps the breach counted', async () => {
    const agent = await ctx.login('agent');
    const order = await createOrder(ctx, agent, {
      channel: 'hotline',
      description: '楼上装修噪音很大',
      category: 'basic_living.noise',
      urgency: 'normal',
    });
    ctx.clock.advance(11 * MINUTE);
    await ctx.services.sla.timers.runDue();
    const breached = await metrics(order.id);
    assert.ok(breached.first_response_breached_at, 'late by the fast policy');
    assert.equal(breached.escalation_level, 'dispatcher');
    await reclassify(ctx, order.id, 'basic_living.appliance');
    const after = await metrics(order.id);
    assert.notEqual(after.policy_id, 'noise-fast');
    assert.equal(after.first_response_breached_at, breached.first_response_breached_at, 'the breach stays');
    // The old chain's next step was 5 minutes on: nothing climbs now, for an hour.
    for (let i = 0; i < 6; i++) {
      ctx.clock.advance(10 * MINUTE);
      await ctx.services.sla.timers.runDue();
    }
    const types = await timelineTypes(ctx, order.id);
    assert.equal(types.filter((t) => t === 'sla_escalated').length, 1, types.join());
    assert.equal((await metrics(order.id)).escalation_level, 'dispatcher');
    await auditOk(ctx, order.communityId);
  });

  it('withdraws a supervision whose order was cancelled before its deadline: nobody is alerted', async () => {
    const agent = await ctx.login('agent');
    const order = await createOrder(ctx, agent, {
      channel: 'hotline',
      description: '小区路灯不亮',
      category: 'basic_living.appliance',
      urgency: 'normal',
    });
    const manager = await ctx.login('manager');
    const issued = await ctx.call('POST', `/api/v1/work-orders/${order.id}/supervisions`, manager, {
      reason: '请尽快办理',
      dueInMinutes: 1,
    });
    assert.equal(issued.statusCode, 201, issued.body);
    await act(ctx, agent, order, 'cancel', { reason: '居民自行解决' });
    ctx.clock.advance(5 * MINUTE);
    await ctx.services.sla.timers.runDue();
    const types = await timelineTypes(ctx, order.id);
    assert.ok(!types.includes('supervision_overdue'), types.join());
    const list = (await ctx.call('GET', `/api/v1/supervisions?order=${order.id}`, manager)).json() as {
      status: string;
    }[];
    assert.equal(list[0]?.status, 'withdrawn');
    const alerts = await ctx.database.db
      .selectFrom('outbox')
      .select('template')
      .where('template', '=', 'supervision_overdue')
      .where('payload_json', 'like', `%${order.id}%`)
      .execute();
    assert.deepEqual(alerts, []);
  });
  it('a late order put on hold stays on the overdue list', async () => {
    const agent = await ctx.login('agent');
    let order = await createOrder(ctx, agent, {
      channel: 'hotline',
      description: '楼下夜间施工噪音',
      category: 'basic_living.noise',
      urgency: 'normal',
    });
    order = await act(ctx, agent, order, 'accept');
    ctx.clock.advance(31 * MINUTE);
    await ctx.services.sla.timers.runDue();
    const manager = await ctx.login('manager');
    const overdue = async () => {
      const r = await ctx.call(
        'GET',
        `/api/v1/sla/overdue?community=${order.communityId}&limit=500`,
        manager,
      );
      assert.equal(r.statusCode, 200, r.body);
      const v = r.json() as { items?: { orderId?: string; workOrderId?: string; id?: string }[] } | unknown[];
      const items = (Array.isArray(v) ? v : (v.items ?? [])) as Record<string, unknown>[];
      return items.some((i) => Object.values(i).includes(order.id));
    };
    assert.ok(await overdue(), 'late: listed');
    await act(ctx, agent, order, 'wait', { note: '等居民提供施工方电话' });
    assert.ok(await overdue(), 'on hold and late: still listed');
  });
});

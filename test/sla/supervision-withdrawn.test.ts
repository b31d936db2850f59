/**
 * A supervision (督办) whose order leaves (cancelled, merged, referred, dismissed, closed) is
 * withdrawn when the order leaves, on the order's timeline and in the audit chain, and its
 * deadline timer is cancelled: the open supervisions list shows only orders still to act on.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { SlaTables } from '../../src/modules/sla/sla.tables.ts';
import { act, auditOk, createOrder, timelineTypes } from './sla-helpers.ts';

describe('supervisions of orders that leave are withdrawn at once, and recorded', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext();
  });
  after(() => ctx.close());

  it('withdraws the open supervision when its order is cancelled; an answer to it is refused', async () => {
    const agent = await ctx.login('agent');
    const manager = await ctx.login('manager');
    const order = await createOrder(ctx, agent, {
      channel: 'hotline',
      description: '小区路灯不亮',
      category: 'basic_living.appliance',
      urgency: 'normal',
    });
    const issued = await ctx.call('POST', `/api/v1/work-orders/${order.id}/supervisions`, manager, {
      reason: '请尽快办理',
      dueInMinutes: 120,
    });
    assert.equal(issued.statusCode, 201, issued.body);
    const id = (issued.json() as { id: string }).id;
    await act(ctx, agent, order, 'cancel', { reason: '居民自行解决' });

    const list = (await ctx.call('GET', `/api/v1/supervisions?order=${order.id}`, manager)).json() as {
      status: string;
    }[];
    assert.deepEqual(
      list.map((s) => s.status),
      ['withdrawn'],
    );
    const open = (await ctx.call('GET', '/api/v1/supervisions?status=open', manager)).json() as {
      orderId: string;
    }[];
    assert.ok(!open.some((s) => s.orderId === order.id));
    assert.ok((await timelineTypes(ctx, order.id)).includes('supervision_withdrawn'));
    const audited = await ctx.database.db
      .selectFrom('audit_entries')
      .select('action')
      .where('entity_id', '=', order.id)
      .where('action', '=', 'sla.supervision_withdrawn')
      .execute();
    assert.equal(audited.length, 1);
    const timer = await ctx.database.db
      .withTables<SlaTables>()
      .selectFrom('sla_timers')
      .select('status')
      .where('key', '=', `supervision:${id}`)
      .executeTakeFirstOrThrow();
    assert.equal(timer.status, 'cancelled');
    const answered = await ctx.call('POST', `/api/v1/supervisions/${id}/respond`, manager, {
      response: '已处理',
    });
    assert.equal(answered.statusCode, 409, answered.body);
    assert.match(answered.body, /withdrawn/);
    await auditOk(ctx, order.communityId);
  });
});

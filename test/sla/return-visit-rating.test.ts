/** A "not fixed" reopen after a rating: its return visit (回访) records the rating the resident gave. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { act, createOrder } from './sla-helpers.ts';

describe('a return visit after a rated order is reopened', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext();
  });
  after(() => ctx.close());

  it('records the rating given, which the reopen clears from the order', async () => {
    const resident = await ctx.residentLogin('13800000001');
    const agent = await ctx.login('agent');
    const dispatcher = await ctx.login('dispatcher');
    const worker = await ctx.login('grid_worker');
    let o = await createOrder(ctx, resident, {
      channel: 'miniapp',
      description: '楼道灯不亮了',
      category: 'basic_living.water_electric',
    });
    if (o.status === 'submitted') o = await act(ctx, agent, o, 'accept');
    o = await act(ctx, dispatcher, o, 'dispatch', { assigneeId: await userId(ctx, 'grid_worker') });
    o = await act(ctx, worker, o, 'start');
    o = await act(ctx, worker, o, 'resolve', { note: '换了灯泡' });
    o = await act(ctx, resident, o, 'confirm', { rating: 5, comment: '修好了' });
    o = await act(ctx, resident, o, 'reopen', { reason: '第二天又不亮了' });
    const visits = (await ctx.call('GET', `/api/v1/return-visits?order=${o.id}`, agent)).json() as {
      reason: string;
      rating: number | null;
    }[];
    assert.deepEqual(
      visits.map((v) => [v.reason, v.rating]),
      [['reopen', 5]],
    );
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { createChannelAdapters } from '../../src/modules/notifications/adapters.ts';
import { deliverDue } from '../../src/modules/notifications/outbox.worker.ts';
import { runDigests } from '../../src/modules/notifications/digest.ts';
import { silentLogger } from '../../src/platform/context.ts';
import { act, createOrder } from './sla-helpers.ts';

/** Messages held for a digest are not lost when their recipient goes back to immediate delivery. */
describe('digest mode: held messages after a switch back to immediate delivery', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext();
  });
  after(() => ctx.close());

  const deliver = () =>
    deliverDue(
      ctx.database,
      ctx.clock,
      createChannelAdapters(ctx.database, ctx.clock, silentLogger).adapters,
      {
        limit: 500,
      },
    );
  const statusesOf = async (recipientId: string, template: string) =>
    (
      await ctx.database.db
        .selectFrom('outbox')
        .select('status')
        .where('recipient_id', '=', recipientId)
        .where('template', '=', template)
        .execute()
    ).map((r) => r.status);
  const inboxOf = async (token: string) =>
    (
      (await ctx.call('GET', '/api/v1/inbox', token)).json() as {
        items: { template: string; orderId: string | null }[];
      }
    ).items;

  it('delivers what was held, one by one, once its recipient switches back', async () => {
    const provider = await ctx.login('provider');
    const providerId = await userId(ctx, 'provider');
    const set = await ctx.call('PUT', '/api/v1/me/notification-preferences', provider, {
      mode: 'digest',
      digestMinutes: 60,
    });
    assert.equal(set.statusCode, 200, set.body);
    await deliver();

    const agent = await ctx.login('agent');
    const dispatcher = await ctx.login('dispatcher');
    const o = await createOrder(ctx, agent, {
      channel: 'hotline',
      description: '厨房水管漏水，水龙头关不紧',
      category: 'basic_living.water_electric',
    });
    await act(ctx, dispatcher, o, 'dispatch', { assigneeId: providerId });
    assert.equal((await deliver()).held, 1, 'the new order is held for the digest');
    assert.deepEqual(await statusesOf(providerId, 'order_assigned'), ['held']);

    const back = await ctx.call('PUT', '/api/v1/me/notification-preferences', provider, {
      mode: 'immediate',
    });
    assert.equal(back.statusCode, 200, back.body);
    await deliver();
    assert.deepEqual(await statusesOf(providerId, 'order_assigned'), ['delivered']);
    const items = await inboxOf(provider);
    assert.ok(
      items.some((i) => i.template === 'order_assigned'),
      'the "new order" message reached the inbox',
    );
    // Nothing is left for a digest to gather twice.
    ctx.clock.advance(2 * 3_600_000);
    assert.deepEqual(await runDigests(ctx.database, ctx.clock), { digests: 0, messages: 0 });
  });

  it('a message held just after the switch is sent by the next digest run', async () => {
    const worker = await ctx.login('grid_worker');
    const workerId = await userId(ctx, 'grid_worker');
    const dispatcher = await ctx.login('dispatcher');
    const agent = await ctx.login('agent');
    const o = await createOrder(ctx, agent, {
      channel: 'hotline',
      description: '楼下垃圾桶满了没人清',
      category: 'basic_living.sanitation',
    });
    await act(ctx, dispatcher, o, 'dispatch', { assigneeId: workerId });
    // A delivery run that read the old preference holds the message after the switch committed.
    await ctx.database.db
      .updateTable('outbox')
      .set({ status: 'held' })
      .where('recipient_id', '=', workerId)
      .where('template', '=', 'order_assigned')
      .execute();
    await runDigests(ctx.database, ctx.clock);
    await deliver();
    assert.deepEqual(await statusesOf(workerId, 'order_assigned'), ['delivered']);
    assert.ok((await inboxOf(worker)).some((i) => i.template === 'order_assigned'));
  });
});

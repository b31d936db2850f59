import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { createChannelAdapters } from '../../src/modules/notifications/adapters.ts';
import { deliverDue } from '../../src/modules/notifications/outbox.worker.ts';
import { silentLogger } from '../../src/platform/context.ts';
import { act, createOrder } from './sla-helpers.ts';

interface Inbox {
  items: { template: string; title: string; body: string; orderId: string | null }[];
}

/** The "new order" message speaks the assignee's language, and names the urgency in words. */
describe('the new-order message to an assignee', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 0 });
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

  async function assignedItem(username: string, urgency: string) {
    const token = await ctx.login(username);
    const o = await createOrder(ctx, await ctx.login('agent'), {
      channel: 'hotline',
      description: '厨房水管漏水，水龙头关不紧',
      category: 'basic_living.water_electric',
      urgency,
    });
    await act(ctx, await ctx.login('dispatcher'), o, 'dispatch', { assigneeId: await userId(ctx, username) });
    await deliver();
    const inbox = (await ctx.call('GET', '/api/v1/inbox', token)).json() as Inbox;
    const item = inbox.items.find((i) => i.template === 'order_assigned' && i.orderId === o.id);
    assert.ok(item, 'the message arrived');
    return item;
  }

  it('in English for someone who chose English', async () => {
    const provider = await ctx.login('provider');
    const set = await ctx.call('PUT', '/api/v1/me/notification-preferences', provider, { locale: 'en' });
    assert.equal(set.statusCode, 200, set.body);
    const item = await assignedItem('provider', 'high');
    assert.equal(item.title, 'New assignment');
    assert.match(item.body, /^You have been assigned \S+ \(urgency: high\)\.$/);
  });

  it('in Chinese words for the urgency by default', async () => {
    const item = await assignedItem('taoyuan-water-electric-1', 'high');
    assert.equal(item.title, '新派单');
    assert.match(item.body, /（紧急程度：紧急）。$/);
  });
});

/**
 * What a provider sees of the person an order is for: the phone to arrange the visit, and the
 * special groups (illness, disability, living alone) only where the service is care and only while
 * the work is open.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface Order {
  id: string;
  beneficiary: { phone: string | null; tags: string[] | null } | null;
}

describe('a provider and the special groups of the person served', () => {
  let ctx: TestContext;
  let agent: string;
  before(async () => {
    ctx = await createTestContext();
    agent = await ctx.login('agent');
  });
  after(() => ctx.close());

  it("a provider sees a person's special groups only for care, and only while the work is open", async () => {
    const provider = await ctx.login('provider');
    const providerId = await userId(ctx, 'provider');
    const dispatcher = await ctx.login('dispatcher');
    const view = async (id: string) =>
      (await ctx.call('GET', `/api/v1/work-orders/${id}`, provider)).json() as Order & {
        status: string;
        version: number;
      };
    // A repair: the phone to arrange the visit, no groups.
    const order = (
      await ctx.call('POST', '/api/v1/work-orders', agent, {
        channel: 'hotline',
        description: '老人家里燃气表没电了',
        residentId: await residentIdByPhone(ctx, '13800000001'),
        category: 'basic_living.heating_gas',
      })
    ).json() as Order;
    const sent = await ctx.call('POST', `/api/v1/work-orders/${order.id}/actions/dispatch`, dispatcher, {
      version: 1,
      assigneeId: providerId,
    });
    assert.equal(sent.statusCode, 200, sent.body);
    const repair = await view(order.id);
    assert.equal(repair.beneficiary?.phone, '13800000001');
    assert.equal(repair.beneficiary?.tags, null);
    const care = (
      await ctx.call('POST', '/api/v1/work-orders', agent, {
        channel: 'hotline',
        description: '老人需要上门助浴',
        residentId: await residentIdByPhone(ctx, '13800000001'),
        category: 'elderly_care',
      })
    ).json() as Order & { version: number };
    let v = care.version;
    for (const [action, by, body] of [
      ['dispatch', dispatcher, { assigneeId: providerId }],
      ['start', provider, {}],
    ] as const) {
      const r = await ctx.call('POST', `/api/v1/work-orders/${care.id}/actions/${action}`, by, {
        version: v,
        ...body,
      });
      assert.equal(r.statusCode, 200, r.body);
      v = (r.json() as { version: number }).version;
    }
    assert.deepEqual((await view(care.id)).beneficiary?.tags, ['elderly_alone', 'chronic_illness']);
    const done = await ctx.call('POST', `/api/v1/work-orders/${care.id}/actions/resolve`, provider, {
      version: v,
      note: '已助浴',
    });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal((await view(care.id)).beneficiary?.tags, null);
  });
});

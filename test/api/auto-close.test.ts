import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { SYSTEM } from '../../src/platform/auth/principal.ts';

describe('auto-close: a resolved order with no answer closes itself after N days', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 0, config: { autoCloseDays: 7 } });
  });
  after(() => ctx.close());

  it('closes after the configured days, records it and audits it', async () => {
    const agent = await ctx.login('agent');
    const dispatcher = await ctx.login('dispatcher');
    const worker = await ctx.login('grid_worker');
    let o = (
      await ctx.call('POST', '/api/v1/work-orders', agent, { channel: 'hotline', description: '路灯坏了' })
    ).json() as {
      id: string;
      version: number;
      status: string;
      closureReason: string | null;
    };
    const step = async (t: string, action: string, body: Record<string, unknown> = {}) => {
      const r = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/${action}`, t, {
        version: o.version,
        ...body,
      });
      assert.equal(r.statusCode, 200, r.body);
      o = r.json() as typeof o;
    };
    await step(agent, 'accept');
    await step(dispatcher, 'dispatch', { assigneeId: await userId(ctx, 'grid_worker') });
    await step(worker, 'start');
    await step(worker, 'resolve', { note: '换了灯' });
    ctx.clock.advance(6 * 86400_000);
    assert.equal(await ctx.services.workOrders.autoCloseDue(SYSTEM), 0);
    ctx.clock.advance(2 * 86400_000);
    assert.equal(await ctx.services.workOrders.autoCloseDue(SYSTEM), 1);
    // Eight days on, the morning's sessions have expired: sign in again.
    const after = (
      await ctx.call('GET', `/api/v1/work-orders/${o.id}`, await ctx.login('agent'))
    ).json() as typeof o;
    assert.equal(after.status, 'closed');
    assert.equal(after.closureReason, 'auto_closed');
    const v = (
      await ctx.call(
        'GET',
        `/api/v1/audit/verify?community=${ctx.seed.communities[0]?.id}`,
        await ctx.login('auditor'),
      )
    ).json() as {
      ok: boolean;
    };
    assert.equal(v.ok, true);
  });
});

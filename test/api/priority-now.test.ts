/**
 * The priority an open order shows now (`priorityNow`, staff view): the documented formula with
 * the waiting time so far, and the repeat reports (merged duplicates, "not fixed" reopens) the
 * order has had.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface View {
  id: string;
  version: number;
  status: string;
  priority: string;
  priorityScore: number | null;
  priorityNow?: { score: number | null; band: string };
}

const DAY = 86_400_000;

describe('priority now', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 0 });
  });
  after(() => ctx.close());

  it('counts the repeats with the waiting time: a low order reported four times reaches P3 after a week', async () => {
    const agent = await ctx.login('agent');
    const dispatcher = await ctx.login('dispatcher');
    const provider = await ctx.login('provider');
    const providerId = await userId(ctx, 'provider');
    const create = async (description: string) => {
      const r = await ctx.call('POST', '/api/v1/work-orders', agent, {
        channel: 'hotline',
        description,
        category: 'basic_living.property',
        urgency: 'low',
      });
      assert.equal(r.statusCode, 201, r.body);
      return r.json<View>();
    };
    const step = async (o: View, action: string, token: string, body: Record<string, unknown> = {}) => {
      const r = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/${action}`, token, {
        version: o.version,
        ...body,
      });
      assert.equal(r.statusCode, 200, `${action}: ${r.body}`);
      return r.json<View>();
    };

    // Reopened three times as "not fixed" the same morning: 5 (low) + 8 (three repeats) = 13, P4.
    let reopened = await create('楼道灯坏了');
    for (let i = 0; i < 3; i++) {
      reopened = await step(reopened, 'dispatch', dispatcher, { assigneeId: providerId });
      reopened = await step(reopened, 'resolve', provider, { note: '换了灯泡' });
      reopened = await step(reopened, 'reopen', agent, { reason: '还是不亮' });
    }
    // Three duplicates merged into it: the same repeats.
    const merged = await create('垃圾桶满了');
    for (let i = 0; i < 3; i++)
      await step(await create(`垃圾桶满了（又一位）${i}`), 'merge', agent, { mergeInto: merged.id });

    for (const o of [reopened, merged]) {
      const now = (await ctx.call('GET', `/api/v1/work-orders/${o.id}`, dispatcher)).json<View>();
      assert.equal(now.priority, 'P4');
      assert.equal(now.priorityScore, 13);
      assert.deepEqual(now.priorityNow, { score: 13, band: 'P4' });
    }

    // A week of waiting adds the whole 10 for a low order: 5 + 8 + 10 = 23, P3.
    ctx.clock.advance(7 * DAY);
    const staff = await ctx.login('dispatcher');
    for (const o of [reopened, merged]) {
      const now = (await ctx.call('GET', `/api/v1/work-orders/${o.id}`, staff)).json<View>();
      assert.deepEqual(now.priorityNow, { score: 23, band: 'P3' }, o.id);
    }
  });
});

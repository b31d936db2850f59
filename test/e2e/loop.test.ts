import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface Order {
  id: string;
  status: string;
  version: number;
  proxy: boolean;
  beneficiary: { id: string; tags: string[] | null } | null;
  allowedActions: string[];
  rating: number | null;
  timeline: { type: string; toStatus: string | null; visibility: string }[];
}

describe('the whole loop: hotline intake for an elderly resident → closed and rated; reopen', () => {
  let ctx: TestContext;
  let communityId: string;
  before(async () => {
    ctx = await createTestContext();
    communityId = ctx.seed.communities[0]?.id ?? '';
  });
  after(() => ctx.close());

  it('runs every step with a timeline, notifications and a verifying audit chain', async () => {
    const agent = await ctx.login('agent');
    const dispatcher = await ctx.login('dispatcher');
    const worker = await ctx.login('grid_worker');
    const elderly = await residentIdByPhone(ctx, '13800000001');
    const workerId = await userId(ctx, 'grid_worker');

    const before = await ctx.call(
      'GET',
      `/api/v1/audit/verify?community=${communityId}`,
      await ctx.login('auditor'),
    );
    const entriesBefore = (before.json() as { entries: number }).entries;

    // An agent takes the call of an elderly resident living alone (proxy submission).
    const created = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '王阿姨家厨房水管漏水，地上都是水',
      residentId: elderly,
      category: 'basic_living.water_electric',
      urgency: 'high',
      reporter: { name: '王阿姨女儿', phone: '13712340001', relation: '女儿' },
    });
    assert.equal(created.statusCode, 201, created.body);
    let o = created.json() as Order;
    assert.equal(o.status, 'submitted');
    assert.equal(o.proxy, true);
    assert.deepEqual(
      o.beneficiary?.tags,
      ['elderly_alone', 'chronic_illness'],
      'the agent sees consented tags',
    );

    const step = async (token: string, action: string, body: Record<string, unknown>) => {
      const res = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/${action}`, token, {
        version: o.version,
        ...body,
      });
      assert.equal(res.statusCode, 200, `${action}: ${res.body}`);
      o = res.json() as Order;
    };
    await step(agent, 'accept', {});
    assert.equal(o.status, 'accepted');
    await step(dispatcher, 'dispatch', { assigneeId: workerId });
    assert.equal(o.status, 'dispatched');
    assert.ok(o.allowedActions.length > 0);
    await step(worker, 'start', {});
    assert.equal(o.status, 'in_progress');
    await step(worker, 'resolve', { note: '更换了角阀，已不漏水' });
    assert.equal(o.status, 'resolved');

    // The resident confirms and rates on the phone.
    const resident = await ctx.residentLogin('13800000001');
    const mine = await ctx.call('GET', `/api/v1/work-orders/${o.id}`, resident);
    assert.equal(mine.statusCode, 200);
    const seen = mine.json() as Order;
    assert.ok(seen.allowedActions.includes('confirm'));
    assert.ok(
      seen.timeline.every((e) => e.visibility === 'public'),
      'a resident never sees internal events',
    );
    await step(resident, 'confirm', { rating: 5, comment: '师傅很快' });
    assert.equal(o.status, 'closed');
    assert.equal(o.rating, 5);
    assert.deepEqual(
      o.timeline.map((e) => e.type),
      ['created', 'accept', 'dispatch', 'start', 'resolve', 'confirm'],
      'the resident sees every step that changed the status (the dispatch without its internal note)',
    );
    const staffView = (await ctx.call('GET', `/api/v1/work-orders/${o.id}`, agent)).json() as Order;
    assert.deepEqual(
      staffView.timeline.map((e) => e.type),
      ['created', 'accept', 'dispatch', 'start', 'resolve', 'confirm'],
    );

    // A second order: resolved, then "not fixed" reopens it back to dispatch.
    const second = await ctx.call('POST', '/api/v1/work-orders', resident, {
      channel: 'miniapp',
      description: '楼道灯又坏了',
      category: 'basic_living.water_electric',
    });
    assert.equal(second.statusCode, 201, second.body);
    o = second.json() as Order;
    await step(agent, 'accept', {});
    await step(dispatcher, 'dispatch', { assigneeId: workerId });
    await step(worker, 'start', {});
    await step(worker, 'resolve', { note: '换了灯泡' });
    await step(resident, 'reopen', { reason: '第二天又不亮了' });
    assert.equal(o.status, 'accepted');
    const reopened = (await ctx.call('GET', `/api/v1/work-orders/${o.id}`, dispatcher)).json() as Order & {
      reopenCount: number;
      assignee: unknown;
    };
    assert.equal(reopened.reopenCount, 1);
    assert.equal(reopened.assignee, null, 'back to the dispatcher');

    // Notifications went to the outbox in the same transactions.
    const msgs = await ctx.database.db
      .selectFrom('outbox')
      .select(['template', 'channel'])
      .where('recipient_id', '=', elderly)
      .execute();
    assert.ok(msgs.some((m) => m.template === 'order_resolved'));
    assert.ok(
      msgs.some((m) => m.template === 'order_received' && m.channel === 'sms'),
      'hotline → SMS',
    );

    const verify = await ctx.call(
      'GET',
      `/api/v1/audit/verify?community=${communityId}`,
      await ctx.login('auditor'),
    );
    const v = verify.json() as { ok: boolean; entries: number; firstBadSeq: number | null };
    assert.equal(v.ok, true);
    assert.equal(v.firstBadSeq, null);
    assert.ok(v.entries >= entriesBefore + 12, 'at least one audit entry per change');
    const firstOrderActions = await ctx.database.db
      .selectFrom('audit_entries')
      .select('action')
      .where('entity_id', '=', created.json<Order>().id)
      .orderBy('seq')
      .execute();
    for (const a of ['created', 'accept', 'dispatch', 'start', 'resolve', 'confirm']) {
      assert.ok(
        firstOrderActions.some((e) => e.action === `work_order.${a}`),
        `audited: ${a}`,
      );
    }
  });
});

/**
 * A public reply is an update of the order (the update clock restarts): the stored update deadline
 * and the order's SLA timer move in the reply's own transaction, as a transition's would. An
 * internal note is no update: the resident hears nothing, and the deadline stays.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { act, addPolicy, auditOk, createOrder, timelineTypes } from './sla-helpers.ts';

const MINUTE = 60_000;

interface OrderSla {
  sla: { updateDueAt: string | null; firstResponse: { at: string | null } } | null;
  pendingTimers: { kind: string; dueAt: string }[];
}

describe('a public reply restarts the update clock at once; an internal note does not', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext();
    // Updates due every hour; the resolution far enough off that the update deadline is the
    // timer's next instant.
    await addPolicy(ctx, {
      id: 'parking-hourly-updates',
      category: 'basic_living.parking',
      priorityBand: '*',
      calendarId: '24x7',
      firstResponseMinutes: 30,
      resolutionMinutes: 2880,
      updateIntervalMinutes: 60,
      escalationStepMinutes: 60,
    });
  });
  after(() => ctx.close());

  const slaOf = async (orderId: string, token: string): Promise<OrderSla> => {
    const res = await ctx.call('GET', `/api/v1/work-orders/${orderId}/sla`, token);
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as OrderSla;
  };
  /** The instants of the breaches the order's timer holds (the update deadline's among them). */
  const breachesArmed = (v: OrderSla) =>
    v.pendingTimers.filter((t) => t.kind === 'breach').map((t) => t.dueAt);
  const note = async (orderId: string, token: string, visibility: 'public' | 'internal', text: string) => {
    const res = await ctx.call('POST', `/api/v1/work-orders/${orderId}/notes`, token, { text, visibility });
    assert.equal(res.statusCode, 201, res.body);
  };

  it('moves the update deadline and the timer on a public reply, not on an internal note', async () => {
    const agent = await ctx.login('agent');
    const manager = await ctx.login('manager');
    const created = await createOrder(ctx, agent, {
      channel: 'hotline',
      description: '车位被外来车辆占用',
      category: 'basic_living.parking',
      urgency: 'normal',
    });
    const order = await act(ctx, agent, created, 'accept');
    const acceptedAt = ctx.clock.now().getTime();
    const first = await slaOf(order.id, manager);
    assert.equal(first.sla?.updateDueAt, new Date(acceptedAt + 60 * MINUTE).toISOString());
    const resolutionDue = new Date(acceptedAt + 2880 * MINUTE).toISOString();
    assert.deepEqual(breachesArmed(first), [first.sla?.updateDueAt, resolutionDue]);

    ctx.clock.advance(20 * MINUTE);
    await note(order.id, agent, 'internal', '内部备注：已电话联系物业');
    const afterNote = await slaOf(order.id, manager);
    assert.equal(afterNote.sla?.updateDueAt, first.sla?.updateDueAt, 'an internal note is no update');
    assert.deepEqual(breachesArmed(afterNote), breachesArmed(first));

    ctx.clock.advance(10 * MINUTE);
    const repliedAt = ctx.clock.now().getTime();
    await note(order.id, agent, 'public', '已联系物业，正在处理');
    const afterReply = await slaOf(order.id, manager);
    const moved = new Date(repliedAt + 60 * MINUTE).toISOString();
    assert.equal(afterReply.sla?.updateDueAt, moved, 'the reply restarts the update clock');
    assert.deepEqual(breachesArmed(afterReply), [moved, resolutionDue], 'the timer follows the new deadline');

    // The old deadline passes unbreached; the new one is breached once, in its time.
    ctx.clock.advance(31 * MINUTE);
    await ctx.services.sla.timers.runDue();
    assert.ok(!(await timelineTypes(ctx, order.id)).includes('sla_breached'));
    ctx.clock.advance(30 * MINUTE);
    await ctx.services.sla.timers.runDue();
    const types = await timelineTypes(ctx, order.id);
    assert.equal(types.filter((t) => t === 'sla_breached').length, 1, types.join());
    await auditOk(ctx, order.communityId);
  });

  it('counts a reply before the order is accepted as no update: the update clock has not started', async () => {
    const agent = await ctx.login('agent');
    const manager = await ctx.login('manager');
    const order = await createOrder(ctx, agent, {
      channel: 'hotline',
      description: '小区门口车位被占',
      category: 'basic_living.parking',
      urgency: 'normal',
    });
    const before = await slaOf(order.id, manager);
    await note(order.id, agent, 'public', '已收到，稍后处理');
    const after = await slaOf(order.id, manager);
    assert.equal(after.sla?.updateDueAt, null);
    assert.deepEqual(after.pendingTimers, before.pendingTimers);
    assert.equal(after.sla?.firstResponse.at, null, 'a reply is no first response');
  });
});

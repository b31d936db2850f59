/**
 * An escalation for a late first response stops climbing once the order is answered (受理): what
 * it urged is done, and the resolution clock, still running, escalates on its own breach. Before,
 * the chain kept climbing a level each step up to the street and its supervision order (督办) for
 * an order already in hand.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { SlaTables } from '../../src/modules/sla/sla.tables.ts';
import { act, addNoiseFastPolicy, auditOk, createOrder, timelineTypes } from './sla-helpers.ts';

const MINUTE = 60_000;

describe('an escalation for a late first response ends with the answer', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext();
    // 10 minutes to answer, 30 to resolve, round the clock, a level every 5 minutes.
    await addNoiseFastPolicy(ctx);
  });
  after(() => ctx.close());

  const level = async (orderId: string) =>
    (
      await ctx.database.db
        .withTables<SlaTables>()
        .selectFrom('sla_order_metrics')
        .select('escalation_level')
        .where('work_order_id', '=', orderId)
        .executeTakeFirstOrThrow()
    ).escalation_level;
  const runFor = async (minutes: number) => {
    for (let i = 0; i < minutes; i++) {
      await ctx.services.sla.timers.runDue();
      ctx.clock.advance(MINUTE);
    }
  };
  const escalations = async (orderId: string) =>
    (await timelineTypes(ctx, orderId)).filter((t) => t === 'sla_escalated').length;

  it('climbs while nobody answers, stops when the order is accepted, and the resolution breach goes on', async () => {
    const agent = await ctx.login('agent');
    const created = await createOrder(ctx, agent, {
      channel: 'hotline',
      description: '楼上装修噪音很大',
      category: 'basic_living.noise',
      urgency: 'normal',
    });
    // Unanswered: breached at 10 minutes (dispatcher), a level more at 15 (community head).
    await runFor(17);
    assert.equal(await level(created.id), 'community_head');
    assert.equal(await escalations(created.id), 2);

    await act(ctx, agent, created, 'accept');
    // Minutes 17-29: the step to the street at 20 finds the order answered and does nothing.
    await runFor(12);
    assert.equal(await level(created.id), 'community_head');
    assert.equal(await escalations(created.id), 2);
    const manager = await ctx.login('manager');
    const view = (await ctx.call('GET', `/api/v1/work-orders/${created.id}/sla`, manager)).json() as {
      supervisions: unknown[];
    };
    assert.equal(view.supervisions.length, 0, 'no supervision order for an order in hand');

    // The resolution clock (30 minutes) still runs: its breach climbs on from where the chain is.
    await runFor(3);
    const types = await timelineTypes(ctx, created.id);
    assert.equal(types.filter((t) => t === 'sla_breached').length, 2);
    assert.equal(await level(created.id), 'street');
    await auditOk(ctx, created.communityId);
  });
});

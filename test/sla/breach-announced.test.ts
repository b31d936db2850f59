/**
 * A breach is announced and escalated whatever comes first after the deadline: the timer worker,
 * or a change to the order (an action a second after the deadline, a change of category into a
 * policy by which the order is already late). Whichever it is, the breach lands on the timeline,
 * in the audit chain and with the staff, and climbs the chain; an order that left by then alerts
 * nobody.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { SlaTables } from '../../src/modules/sla/sla.tables.ts';
import {
  act,
  addNoiseFastPolicy,
  addPolicy,
  auditOk,
  createOrder,
  reclassify,
  timelineTypes,
} from './sla-helpers.ts';
import type { OrderView } from './sla-helpers.ts';

const MINUTE = 60_000;

describe('breaches a change reveals are announced and escalated', () => {
  let ctx: TestContext;
  let agent: string;
  before(async () => {
    ctx = await createTestContext();
    await addNoiseFastPolicy(ctx);
    agent = await ctx.login('agent');
  });
  after(() => ctx.close());

  const metrics = (orderId: string) =>
    ctx.database.db
      .withTables<SlaTables>()
      .selectFrom('sla_order_metrics')
      .selectAll()
      .where('work_order_id', '=', orderId)
      .executeTakeFirstOrThrow();
  const noise = () =>
    createOrder(ctx, agent, {
      channel: 'hotline',
      description: '楼上装修噪音很大',
      category: 'basic_living.noise',
      urgency: 'normal',
    });
  /** Runs the timer worker every minute for `minutes`. */
  const runFor = async (minutes: number) => {
    for (let i = 0; i < minutes; i++) {
      await ctx.services.sla.timers.runDue();
      ctx.clock.advance(MINUTE);
    }
  };
  const count = (types: string[], type: string) => types.filter((t) => t === type).length;

  it('an action a second after the deadline, before the worker ran, drops no breach', async () => {
    let order: OrderView = await act(ctx, agent, await noise(), 'accept');
    await ctx.services.sla.timers.runDue();
    ctx.clock.advance(30 * MINUTE + 1000);
    // The resolution deadline passed a second ago; the agent parks the order, then takes it up.
    order = await act(ctx, agent, order, 'wait', { note: '等待居民提供照片' });
    order = await act(ctx, agent, order, 'resume');
    await runFor(20);
    const types = await timelineTypes(ctx, order.id);
    assert.equal(count(types, 'sla_breached'), 1, types.join());
    assert.ok(count(types, 'sla_escalated') >= 2, types.join());
    const m = await metrics(order.id);
    assert.ok(m.resolution_breached_at);
    assert.notEqual(m.escalation_level, null);
    await auditOk(ctx, order.communityId);
  });

  it('a change of category into a policy by which the order is already late announces the breach', async () => {
    const order = await createOrder(ctx, agent, {
      channel: 'hotline',
      description: '家里电器坏了',
      category: 'basic_living.appliance',
      urgency: 'normal',
    });
    ctx.clock.advance(60 * MINUTE);
    await ctx.services.sla.timers.runDue();
    assert.equal((await metrics(order.id)).escalation_level, null, 'on time by the office-hours policy');
    await reclassify(ctx, order.id, 'basic_living.noise');
    await runFor(2);
    const types = await timelineTypes(ctx, order.id);
    assert.ok(count(types, 'sla_breached') >= 1, types.join());
    const m = await metrics(order.id);
    assert.equal(m.policy_id, 'noise-fast');
    assert.equal(m.escalation_level, 'dispatcher');
    const alerts = await ctx.database.db
      .selectFrom('outbox')
      .select('template')
      .where('template', 'in', ['sla_breached', 'sla_escalated'])
      .where('payload_json', 'like', `%${order.id}%`)
      .execute();
    assert.ok(alerts.length >= 2, JSON.stringify(alerts));
    await auditOk(ctx, order.communityId);
  });

  it('announces each breach once when a reply moved an update deadline that fell due with it', async () => {
    await addPolicy(ctx, {
      id: 'parking-updates',
      category: 'basic_living.parking',
      priorityBand: '*',
      calendarId: '24x7',
      firstResponseMinutes: 10,
      resolutionMinutes: 30,
      updateIntervalMinutes: 20,
      escalationStepMinutes: 60,
    });
    const created = await createOrder(ctx, agent, {
      channel: 'hotline',
      description: '车位被占用',
      category: 'basic_living.parking',
      urgency: 'normal',
    });
    const order = await act(ctx, agent, created, 'accept');
    await ctx.services.sla.timers.runDue();
    ctx.clock.advance(15 * MINUTE);
    const reply = await ctx.call('POST', `/api/v1/work-orders/${order.id}/notes`, agent, {
      text: '已联系物业，正在处理',
      visibility: 'public',
    });
    assert.equal(reply.statusCode, 201, reply.body);
    // The worker wakes after both the old update deadline and the resolution deadline.
    ctx.clock.advance(16 * MINUTE);
    await runFor(3);
    const breaches = await ctx.database.db
      .selectFrom('work_order_events')
      .select('data_json')
      .where('work_order_id', '=', order.id)
      .where('type', '=', 'sla_breached')
      .execute();
    const clocks = breaches.map((b) => (JSON.parse(b.data_json ?? '{}') as { clock: string }).clock);
    // The update deadline moved to 35 minutes by the reply: not yet passed.
    assert.deepEqual(clocks, ['resolution']);
    assert.equal(count(await timelineTypes(ctx, order.id), 'sla_escalated'), 1);
  });

  it('a warning of the old policy that fell due unfired is not given under a longer one', async () => {
    const order = await act(ctx, agent, await noise(), 'accept');
    await ctx.services.sla.timers.runDue();
    // 23 minutes: the fast policy's resolution warning (at 22.5) is due; the worker has not run.
    ctx.clock.advance(23 * MINUTE);
    await reclassify(ctx, order.id, 'basic_living.appliance');
    await runFor(3);
    const types = await timelineTypes(ctx, order.id);
    assert.equal(count(types, 'sla_warning'), 0, types.join());
    assert.equal(count(types, 'sla_breached'), 0, types.join());
  });

  it('an order cancelled a second after its deadline alerts nobody afterwards', async () => {
    let order: OrderView = await act(ctx, agent, await noise(), 'accept');
    await ctx.services.sla.timers.runDue();
    ctx.clock.advance(30 * MINUTE + 1000);
    order = await act(ctx, agent, order, 'cancel', { reason: '居民撤回' });
    await runFor(20);
    const types = await timelineTypes(ctx, order.id);
    assert.equal(count(types, 'sla_breached'), 0, types.join());
    assert.equal(count(types, 'sla_escalated'), 0, types.join());
    assert.ok((await metrics(order.id)).resolution_breached_at, 'the breach stays in the figures');
  });
});

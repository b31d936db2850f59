/**
 * An order no policy covered when it was filed gets its SLA when a change of category or priority
 * brings it under one: timed from its filing, counted in the month and range it was filed in, and
 * a deadline it has already missed is announced.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { SlaTables } from '../../src/modules/sla/sla.tables.ts';
import {
  addPolicy,
  auditOk,
  createOrder,
  deploymentAdmin,
  reclassify,
  timelineTypes,
} from './sla-helpers.ts';

const DAY = 86_400_000;

describe('an SLA that starts after filing', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext();
  });
  after(() => ctx.close());

  it('counts the order from its filing, in its filing month', async () => {
    const admin = await deploymentAdmin(ctx);
    const gone = await ctx.call('DELETE', '/api/v1/sla/policies/default-p3', admin);
    assert.equal(gone.statusCode, 204, gone.body);
    const order = await createOrder(ctx, await ctx.login('agent'), {
      channel: 'hotline',
      description: '楼道堆放杂物',
      category: 'basic_living.property',
      urgency: 'normal',
    });
    const filed = await ctx.database.db
      .selectFrom('work_orders')
      .select(['created_at', 'priority'])
      .where('id', '=', order.id)
      .executeTakeFirstOrThrow();
    assert.equal(filed.priority, 'P3');
    const metrics = () =>
      ctx.database.db
        .withTables<SlaTables>()
        .selectFrom('sla_order_metrics')
        .selectAll()
        .where('work_order_id', '=', order.id)
        .executeTakeFirst();
    assert.equal(await metrics(), undefined, 'no policy covered it');

    ctx.clock.advance(15 * DAY);
    await addPolicy(ctx, {
      id: 'appliance-any',
      category: 'basic_living.appliance',
      priorityBand: '*',
      calendarId: 'office',
      firstResponseMinutes: 240,
      resolutionMinutes: 1350,
    });
    await reclassify(ctx, order.id, 'basic_living.appliance');
    const m = await metrics();
    assert.ok(m);
    assert.equal(m.policy_id, 'appliance-any');
    assert.equal(m.submitted_at, filed.created_at);
    assert.equal(m.month, '2026-11');
    assert.ok(m.resolution_breached_at, 'late by the policy, timed from filing');
    await ctx.services.sla.timers.runDue();
    assert.ok((await timelineTypes(ctx, order.id)).includes('sla_breached'), 'and told');
    await auditOk(ctx, order.communityId);
  });
});

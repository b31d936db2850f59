/**
 * The timer worker and order actions at once, on the same orders: firing locks the timers'
 * orders first, as every action does before it touches the order's SLA rows and its
 * community's audit head, so the two queue. (On PostgreSQL a batch that claimed its timers
 * with row locks and then took the audit head deadlocked with actions taking them the other
 * way round: 19 of 300 accepts answered 500.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { SlaTimerTable } from '../../src/modules/sla/sla.tables.ts';

interface Order {
  id: string;
  version: number;
}

describe('SLA timers and actions on the same orders at once', () => {
  let ctx: TestContext;
  let agent: string;
  let dispatcher: string;
  before(async () => {
    ctx = await createTestContext({ orders: 5 });
    [agent, dispatcher] = await Promise.all([ctx.login('agent'), ctx.login('dispatcher')]);
  });
  after(() => ctx.close());
  const timersDb = () => ctx.database.db.withTables<{ sla_timers: SlaTimerTable }>();

  it('every action and every timer goes through; nothing answers 500', async () => {
    for (let round = 0; round < 3; round++) {
      const orders: Order[] = [];
      for (let i = 0; i < 150; i++) {
        const res = await ctx.call('POST', '/api/v1/work-orders', agent, {
          channel: 'hotline',
          description: `第${round}轮第${i}单：小区门口的路灯不亮`,
          category: 'basic_living.property',
          urgency: 'normal',
        });
        assert.equal(res.statusCode, 201, res.body);
        orders.push(res.json() as Order);
      }
      // Every one of these orders' timers falls due now.
      await timersDb()
        .updateTable('sla_timers')
        .set({ due_at: ctx.clock.now().toISOString() })
        .where(
          'work_order_id',
          'in',
          orders.map((o) => o.id),
        )
        .where('status', '=', 'pending')
        .execute();
      const [timers, ...accepts] = await Promise.all([
        ctx.services.sla.timers.runDue(),
        ...orders.map((o) =>
          ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/accept`, dispatcher, { version: o.version }),
        ),
      ]);
      const codes = accepts.map((r) => r.statusCode);
      assert.deepEqual(
        codes.filter((c) => c !== 200),
        [],
        accepts.find((r) => r.statusCode !== 200)?.body,
      );
      assert.equal(timers.failed, 0);
      // Whatever a timer did not fire now (an action re-planned it) is there for the next run.
      await ctx.services.sla.timers.runDue();
      const left = await timersDb()
        .selectFrom('sla_timers')
        .select('id')
        .where(
          'work_order_id',
          'in',
          orders.map((o) => o.id),
        )
        .where('status', '=', 'pending')
        .where('due_at', '<=', ctx.clock.now().toISOString())
        .execute();
      assert.deepEqual(left, []);
    }
  });
});

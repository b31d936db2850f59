/**
 * A calendar or holiday change re-times the open orders on that calendar at once: their stored
 * deadlines (the overdue and due-soon lists read them) and their timers follow the new working
 * days, rather than holding the old ones until the order's next event.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { SlaTables } from '../../src/modules/sla/sla.tables.ts';
import { CN_HOLIDAY_FILES } from '../../src/modules/sla/holidays.ts';
import { entriesOfRow } from '../../src/modules/sla/sla.clock-timer.ts';
import { act, auditOk, createOrder, deploymentAdmin, sh, timelineTypes } from './sla-helpers.ts';

const OFFICE = [
  { start: '08:30', end: '12:00' },
  { start: '13:30', end: '17:30' },
];

describe('calendar and holiday changes re-time the open orders on the calendar', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext();
  });
  after(() => ctx.close());

  const sla = () => ctx.database.db.withTables<SlaTables>();
  const deadlines = async (orderId: string) => {
    const m = await sla()
      .selectFrom('sla_order_metrics')
      .select(['resolution_due_at', 'calendar_id'])
      .where('work_order_id', '=', orderId)
      .executeTakeFirstOrThrow();
    const timer = await sla()
      .selectFrom('sla_timers')
      .selectAll()
      .where('work_order_id', '=', orderId)
      .where('status', '=', 'pending')
      .where('kind', '=', 'sla_clocks')
      .executeTakeFirstOrThrow();
    const breach = entriesOfRow(timer).find((e) => e.clock === 'resolution' && e.kind === 'breach');
    return { calendar: m.calendar_id, stored: m.resolution_due_at, timer: breach?.at };
  };

  it('moves the deadline past a closure added to the calendar, and past a holiday a new notice adds', async () => {
    // Friday 20 November 2026, 10:00 in Shanghai: three working days of 7.5 hours end on Wednesday.
    assert.equal(ctx.clock.now().toISOString(), sh('2026-11-20T10:00'));
    const agent = await ctx.login('agent');
    const created = await createOrder(ctx, agent, {
      channel: 'hotline',
      description: '物业维修楼道灯',
      category: 'basic_living.property',
      urgency: 'normal',
    });
    const order = await act(ctx, agent, created, 'accept');
    const wednesday = sh('2026-11-25T10:00');
    assert.deepEqual(await deadlines(order.id), { calendar: 'office', stored: wednesday, timer: wednesday });

    const admin = await deploymentAdmin(ctx);
    const put = await ctx.call('PUT', '/api/v1/sla/calendars/office', admin, {
      name: '社区服务中心工作时间',
      mode: 'business',
      weekly: { 1: OFFICE, 2: OFFICE, 3: OFFICE, 4: OFFICE, 5: OFFICE },
      holidays: ['2026-11-23'],
      holidayRegion: 'cn',
    });
    assert.equal(put.statusCode, 200, put.body);
    const thursday = sh('2026-11-26T10:00');
    assert.deepEqual(await deadlines(order.id), { calendar: 'office', stored: thursday, timer: thursday });

    const file = CN_HOLIDAY_FILES[2026];
    assert.ok(file);
    const notice = { ...file, holidays: [...file.holidays, { date: '2026-11-24', name: '调整' }] };
    const imported = await ctx.call('PUT', '/api/v1/sla/holidays/cn/2026', admin, notice);
    assert.equal(imported.statusCode, 200, imported.body);
    const friday = sh('2026-11-27T10:00');
    assert.deepEqual(await deadlines(order.id), { calendar: 'office', stored: friday, timer: friday });

    // Thursday 11:00: the closure on Monday is lifted, and the deadline is an hour ago.
    ctx.clock.advance(Date.parse(sh('2026-11-26T11:00')) - ctx.clock.now().getTime());
    await ctx.services.sla.timers.runDue();
    assert.ok(!(await timelineTypes(ctx, order.id)).includes('sla_breached'));
    const lifted = await ctx.call('PUT', '/api/v1/sla/calendars/office', await deploymentAdmin(ctx), {
      name: '社区服务中心工作时间',
      mode: 'business',
      weekly: { 1: OFFICE, 2: OFFICE, 3: OFFICE, 4: OFFICE, 5: OFFICE },
      holidayRegion: 'cn',
    });
    assert.equal(lifted.statusCode, 200, lifted.body);
    await ctx.services.sla.timers.runDue();
    const m = await sla()
      .selectFrom('sla_order_metrics')
      .select(['resolution_due_at', 'resolution_breached_at', 'escalation_level'])
      .where('work_order_id', '=', order.id)
      .executeTakeFirstOrThrow();
    assert.equal(m.resolution_due_at, sh('2026-11-26T10:00'));
    assert.equal(m.resolution_breached_at, sh('2026-11-26T10:00'));
    assert.notEqual(m.escalation_level, null);
    assert.ok((await timelineTypes(ctx, order.id)).includes('sla_breached'));
    await auditOk(ctx, order.communityId);
  });
});

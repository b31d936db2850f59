import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { act, addPolicy, auditOk, createOrder, deploymentAdmin, sh, timelineTypes } from './sla-helpers.ts';

interface OrderSla {
  sla: {
    policyId: string;
    status: string;
    firstResponse: { dueAt: string; at: string | null; businessMinutes: number; met: boolean | null };
    resolution: {
      dueAt: string;
      at: string | null;
      businessMinutes: number;
      met: boolean | null;
      warnedAt: string | null;
      breachedAt: string | null;
    };
    pausedMinutes: number;
    pausedWallMinutes: number;
    escalationLevel: string | null;
  };
  escalations: { level: string }[];
  pendingTimers: { kind: string; dueAt: string }[];
}

describe('stored SLA metrics on a scripted order history with a pause over the National Day holiday', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext();
  });
  after(() => ctx.close());

  it('records deadlines, times taken, met flags and paused minutes; warns, breaches and escalates once', async () => {
    // Office hours 08:30-12:00, 13:30-17:30 with the CN holiday file: Oct 1-7 off, Sat Oct 10 worked (调休).
    await addPolicy(ctx, {
      id: 'appliance-any',
      category: 'basic_living.appliance',
      priorityBand: '*',
      calendarId: 'office',
      firstResponseMinutes: 120,
      resolutionMinutes: 600,
    });
    const agent = await ctx.login('agent');
    const dispatcher = await ctx.login('dispatcher');
    const worker = await ctx.login('grid_worker');
    const workerId = await userId(ctx, 'grid_worker');
    const sla = async (id: string) => {
      const res = await ctx.call('GET', `/api/v1/work-orders/${id}/sla`, dispatcher);
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as OrderSla;
    };

    ctx.clock.set(sh('2026-09-30T16:00')); // Wednesday before the holiday
    let o = await createOrder(ctx, agent, {
      channel: 'hotline',
      description: '冰箱不制冷，请师傅上门看看',
      residentId: await residentIdByPhone(ctx, '13800000003'),
      category: 'basic_living.appliance',
      urgency: 'normal',
    });
    let s = await sla(o.id);
    assert.equal(s.sla.policyId, 'appliance-any');
    // 90 minutes on Sep 30 (16:00-17:30), the other 30 after the holiday.
    assert.equal(s.sla.firstResponse.dueAt, sh('2026-10-08T09:00'));
    assert.deepEqual(s.pendingTimers.map((t) => t.kind).sort(), ['breach', 'breach', 'warn', 'warn']);

    ctx.clock.set(sh('2026-09-30T17:00'));
    o = await act(ctx, agent, o, 'accept');
    ctx.clock.set(sh('2026-09-30T17:15'));
    o = await act(ctx, agent, o, 'wait', { note: '请提供冰箱型号' });
    s = await sla(o.id);
    assert.equal(s.sla.status, 'paused');
    assert.deepEqual(s.pendingTimers, [], 'no timers run while the order waits on the resident');

    ctx.clock.set(sh('2026-10-08T10:00'));
    o = await act(ctx, agent, o, 'resume');
    // 75 minutes used before the pause, 525 left from Oct 8 10:00: 120 + 240 that day, 165 on Oct 9.
    s = await sla(o.id);
    assert.equal(s.sla.resolution.dueAt, sh('2026-10-09T11:15'));
    o = await act(ctx, dispatcher, o, 'dispatch', { assigneeId: workerId });
    o = await act(ctx, worker, o, 'start');

    // Due soon at 75 % (450 of 600 minutes): Oct 9 08:45.
    ctx.clock.set(sh('2026-10-09T09:00'));
    const warned = await ctx.services.sla.timers.runDue();
    assert.deepEqual([warned.fired, warned.failed], [1, 0]);
    assert.equal((await sla(o.id)).sla.resolution.warnedAt, sh('2026-10-09T09:00'));
    // The worker was down over the deadline: it catches up, records the breach and escalates.
    ctx.clock.set(sh('2026-10-09T12:00'));
    const run = await ctx.services.sla.timers.runDue();
    assert.deepEqual([run.fired, run.failed], [1, 0]);
    s = await sla(o.id);
    assert.equal(s.sla.resolution.breachedAt, sh('2026-10-09T11:15'));
    assert.equal(s.sla.escalationLevel, 'dispatcher');
    assert.deepEqual(
      s.escalations.map((e) => e.level),
      ['dispatcher'],
    );
    assert.deepEqual(
      s.pendingTimers.map((t) => t.kind),
      ['escalate'],
    );
    const again = await ctx.services.sla.timers.runDue();
    assert.equal(again.fired, 0, 'nothing fires twice');

    ctx.clock.set(sh('2026-10-10T10:00')); // the make-up Saturday is a working day
    o = await act(ctx, worker, o, 'resolve', { note: '更换温控器' });
    s = await sla(o.id);
    assert.equal(s.sla.status, 'resolved');
    assert.equal(s.sla.firstResponse.businessMinutes, 60);
    assert.equal(s.sla.firstResponse.met, true);
    assert.equal(s.sla.firstResponse.at, sh('2026-09-30T17:00'));
    // 75 + Oct 8 (120 + 240) + Oct 9 (450) + Oct 10 08:30-10:00 (90)
    assert.equal(s.sla.resolution.businessMinutes, 975);
    assert.equal(s.sla.resolution.met, false);
    assert.equal(s.sla.resolution.at, sh('2026-10-10T10:00'));
    // Paused: Sep 30 17:15-17:30 and Oct 8 08:30-10:00 in business time; 7 days 16 h 45 min on the wall.
    assert.equal(s.sla.pausedMinutes, 105);
    assert.equal(s.sla.pausedWallMinutes, 7 * 1440 + 16 * 60 + 45);
    assert.ok(!s.pendingTimers.some((t) => t.kind === 'escalate'), 'resolving stops the escalation');
    assert.ok(
      s.pendingTimers.some((t) => t.kind === 'auto_close'),
      'no answer → auto-close timer',
    );

    const types = await timelineTypes(ctx, o.id);
    for (const t of ['sla_warning', 'sla_breached', 'sla_escalated'])
      assert.equal(types.filter((x) => x === t).length, 1, `${t} once on the timeline`);
    const audit = await ctx.database.db
      .selectFrom('audit_entries')
      .select('action')
      .where('entity_id', '=', o.id)
      .execute();
    for (const a of ['sla.warning', 'sla.breached', 'sla.escalated'])
      assert.equal(audit.filter((x) => x.action === a).length, 1, `${a} once in the audit chain`);
    await auditOk(ctx, o.communityId);

    const staffMsgs = await ctx.database.db
      .selectFrom('outbox')
      .select(['template', 'recipient_id'])
      .where('template', 'in', ['sla_warning', 'sla_breached', 'sla_escalated'])
      .execute();
    assert.ok(staffMsgs.some((m) => m.template === 'sla_breached' && m.recipient_id === workerId));
    assert.ok(staffMsgs.some((m) => m.template === 'sla_escalated'));
  });

  it('lists overdue and due-soon orders and reports compliance by category, grid, provider and month', async () => {
    ctx.clock.set(sh('2026-11-23T09:00')); // Monday
    const dispatcher = await ctx.login('dispatcher');
    const agent = await ctx.login('agent');
    await addPolicy(ctx, {
      id: 'elevator-any',
      category: 'basic_living.elevator',
      priorityBand: '*',
      calendarId: '24x7',
      firstResponseMinutes: 30,
      resolutionMinutes: 120,
    });
    const late = await createOrder(ctx, agent, {
      channel: 'hotline',
      description: '电梯停在三楼不动了',
      category: 'basic_living.elevator',
      urgency: 'high',
    });
    ctx.clock.advance(130 * 60_000); // past both of its deadlines, dispatched on creation or not
    const soon = await createOrder(ctx, agent, {
      channel: 'hotline',
      description: '电梯按钮失灵',
      category: 'basic_living.elevator',
      urgency: 'high',
    });
    ctx.clock.advance(10 * 60_000);

    const overdue = (await ctx.call('GET', '/api/v1/sla/overdue', dispatcher)).json() as {
      items: { orderId: string; minutesLeft: number; clock: string }[];
    };
    const lateItem = overdue.items.find((i) => i.orderId === late.id);
    assert.ok(lateItem, 'the first order is past its first response');
    assert.ok(lateItem.minutesLeft < 0);
    assert.ok(!overdue.items.some((i) => i.orderId === soon.id));
    const dueSoon = (await ctx.call('GET', '/api/v1/sla/due-soon?withinMinutes=180', dispatcher)).json() as {
      items: { orderId: string; minutesLeft: number }[];
    };
    const soonItem = dueSoon.items.find((i) => i.orderId === soon.id);
    assert.ok(soonItem && soonItem.minutesLeft >= 0 && soonItem.minutesLeft <= 180);
    assert.ok(!dueSoon.items.some((i) => i.orderId === late.id), 'overdue is not due soon');
    const gridWorkerView = (
      await ctx.call('GET', '/api/v1/sla/overdue', await ctx.login('provider'))
    ).json() as { items: unknown[] };
    assert.deepEqual(gridWorkerView.items, [], 'a provider sees only their own work');

    for (const by of ['category', 'grid', 'provider', 'month']) {
      const res = await ctx.call('GET', `/api/v1/sla/compliance?by=${by}`, dispatcher);
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json() as {
        rows: { key: string | null; total: number; resolution: { rate: number | null } }[];
      };
      assert.ok(body.rows.length > 0, `rows by ${by}`);
      assert.ok(body.rows.every((r) => r.total > 0));
    }
    const byCat = (await ctx.call('GET', '/api/v1/sla/compliance?by=category', dispatcher)).json() as {
      rows: { key: string; label: string; resolution: { met: number; breached: number } }[];
    };
    const living = byCat.rows.find((r) => r.key === 'basic_living');
    assert.ok(living && living.label === '基本生活');
    assert.ok(living.resolution.breached >= 1, 'the scripted order missed its resolution target');
    const resident = await ctx.residentLogin('13800000001');
    assert.equal((await ctx.call('GET', '/api/v1/sla/compliance?by=month', resident)).statusCode, 403);
  });

  it('refuses bad SLA settings with a clear error naming the field', async () => {
    ctx.clock.set(sh('2026-11-24T09:00'));
    // Policies without a community, calendars and holiday files are shared: an admin of every community edits them.
    const admin = await deploymentAdmin(ctx);
    const base = {
      category: 'health',
      priorityBand: 'P2',
      calendarId: 'office',
      firstResponseMinutes: 60,
      resolutionMinutes: 600,
      escalationChain: ['dispatcher'],
    };
    const expect400 = async (method: string, url: string, body: unknown, field: string, code?: string) => {
      const res = await ctx.call(method, url, admin, body);
      assert.equal(res.statusCode, 400, res.body);
      const e = (res.json() as { error: { code: string; details: { field: string; code?: string } } }).error;
      assert.equal(e.code, 'validation_failed');
      assert.equal(e.details.field, field, res.body);
      if (code) assert.equal(e.details.code, code);
    };
    await expect400(
      'POST',
      '/api/v1/sla/policies',
      { ...base, firstResponseMinutes: 0 },
      'firstResponseMinutes',
      'policy_bad_target',
    );
    await expect400(
      'POST',
      '/api/v1/sla/policies',
      { ...base, resolutionMinutes: -5 },
      'resolutionMinutes',
      'policy_bad_target',
    );
    await expect400(
      'POST',
      '/api/v1/sla/policies',
      { ...base, calendarId: 'nope' },
      'calendarId',
      'policy_unknown_calendar',
    );
    await expect400(
      'POST',
      '/api/v1/sla/policies',
      { ...base, escalationChain: ['dispatcher', 'street', 'dispatcher'] },
      'escalationChain[2]',
      'escalation_loop',
    );
    await expect400('POST', '/api/v1/sla/policies', { ...base, category: 'gardening' }, 'category');
    // Two policies that continue with each other's chain loop.
    const a = await ctx.call('POST', '/api/v1/sla/policies', admin, {
      ...base,
      id: 'loop-a',
      escalationChain: ['grid_office', { next: 'default-p2' }],
    });
    assert.equal(a.statusCode, 201, a.body);
    const loop = await ctx.call('PUT', '/api/v1/sla/policies/default-p2', admin, {
      category: '*',
      priorityBand: 'P2',
      calendarId: 'office',
      firstResponseMinutes: 60,
      resolutionMinutes: 450,
      escalationChain: ['manager', { next: 'loop-a' }],
      escalationStepMinutes: 60,
    });
    assert.equal(loop.statusCode, 400, loop.body);
    assert.equal(
      (loop.json() as { error: { details: { code: string } } }).error.details.code,
      'escalation_loop',
    );
    assert.equal(
      (await ctx.call('POST', '/api/v1/sla/policies', await ctx.login('dispatcher'), base)).statusCode,
      403,
    );

    await expect400(
      'PUT',
      '/api/v1/sla/calendars/overlap',
      {
        name: 'bad',
        mode: 'business',
        weekly: {
          1: [
            { start: '09:00', end: '12:00' },
            { start: '11:00', end: '14:00' },
          ],
        },
      },
      'weekly.1[1]',
      'calendar_period_overlap',
    );
    await expect400(
      'PUT',
      '/api/v1/sla/calendars/tz',
      { name: 'bad', mode: '24x7', timeZone: 'Mars/Olympus' },
      'timeZone',
    );
    await expect400(
      'PUT',
      '/api/v1/sla/holidays/cn/2028',
      { year: 2027, source: 'x', holidays: [], workdays: [] },
      'year',
      'holiday_wrong_year',
    );
    await expect400(
      'PUT',
      '/api/v1/sla/holidays/cn/2028',
      { year: 2028, source: 'x', holidays: [{ date: '2027-12-31', name: 'x' }], workdays: [] },
      'holidays[0].date',
      'holiday_wrong_year',
    );
    const ok = await ctx.call('PUT', '/api/v1/sla/holidays/cn/2028', admin, {
      year: 2028,
      source: 'test notice',
      holidays: [{ date: '2028-01-03', name: '元旦' }],
      workdays: [{ date: '2028-01-08', name: '调休' }],
    });
    assert.equal(ok.statusCode, 200, ok.body);
    const files = (await ctx.call('GET', '/api/v1/sla/holidays', admin)).json() as {
      region: string;
      year: number;
    }[];
    assert.deepEqual(
      files.filter((f) => f.region === 'cn').map((f) => f.year),
      [2026, 2027, 2028],
    );
    const cal = await ctx.call('PUT', '/api/v1/sla/calendars/window', admin, {
      name: '窗口',
      mode: 'business',
      holidayRegion: 'cn',
      weekly: { 1: [{ start: '09:00', end: '17:00' }] },
    });
    assert.equal(cal.statusCode, 200, cal.body);
  });
});

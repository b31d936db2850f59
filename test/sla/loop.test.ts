import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { SlaTables } from '../../src/modules/sla/sla.tables.ts';
import { act, auditOk, createOrder, timelineTypes } from './sla-helpers.ts';
import type { OrderView } from './sla-helpers.ts';
import { CLOCK_TIMER_KIND, entriesOfRow } from '../../src/modules/sla/sla.clock-timer.ts';

const DAY = 86_400_000;

describe('closing the loop: confirm or auto-close, return visits (回访), satisfaction survey', () => {
  let ctx: TestContext;
  let workerId = '';
  before(async () => {
    ctx = await createTestContext();
    workerId = await userId(ctx, 'grid_worker');
  });
  after(() => ctx.close());

  const resolveOrder = async (token: string, body: Record<string, unknown>): Promise<OrderView> => {
    const agent = await ctx.login('agent');
    const dispatcher = await ctx.login('dispatcher');
    const worker = await ctx.login('grid_worker');
    let o = await createOrder(ctx, token, body);
    // Dispatch rules may already have dispatched it on creation; either way it goes to our worker.
    if (o.status === 'submitted') o = await act(ctx, agent, o, 'accept');
    o = await act(ctx, dispatcher, o, 'dispatch', { assigneeId: workerId });
    o = await act(ctx, worker, o, 'start');
    return act(ctx, worker, o, 'resolve', { note: '已处理' });
  };
  const pendingKinds = async (orderId: string) =>
    (
      await ctx.database.db
        .withTables<SlaTables>()
        .selectFrom('sla_timers')
        .selectAll()
        .where('work_order_id', '=', orderId)
        .where('status', '=', 'pending')
        .execute()
    )
      .flatMap((t) => (t.kind === CLOCK_TIMER_KIND ? entriesOfRow(t).map((e) => e.kind) : [t.kind]))
      .sort();
  const visits = async (token: string, orderId: string) =>
    (await ctx.call('GET', `/api/v1/return-visits?order=${orderId}`, token)).json() as {
      id: string;
      reason: string;
      status: string;
      rating: number | null;
    }[];

  it('a reopen creates a return visit that staff complete; the auto-close timer is cancelled', async () => {
    const resident = await ctx.residentLogin('13800000001');
    let o = await resolveOrder(resident, {
      channel: 'miniapp',
      description: '家里插座冒火花',
      category: 'basic_living.water_electric',
    });
    assert.deepEqual(await pendingKinds(o.id), ['auto_close', 'reminder']);
    o = await act(ctx, resident, o, 'reopen', { reason: '还是会冒火花' });
    const afterReopen = await pendingKinds(o.id);
    assert.ok(
      !afterReopen.includes('auto_close') && !afterReopen.includes('reminder'),
      'no auto-close after a reopen',
    );
    assert.ok(afterReopen.includes('breach'), 'the resolution clock runs again');
    const agent = await ctx.login('agent');
    const [visit] = await visits(agent, o.id);
    assert.ok(visit);
    assert.deepEqual([visit.reason, visit.status], ['reopen', 'open']);
    const done = await ctx.call('POST', `/api/v1/return-visits/${visit.id}/complete`, agent, {
      outcome: 'unsatisfied',
      satisfaction: 2,
      note: '已安排电工复查',
    });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal((done.json() as { status: string }).status, 'done');
    assert.equal(
      (await ctx.call('POST', `/api/v1/return-visits/${visit.id}/complete`, agent, { outcome: 'satisfied' }))
        .statusCode,
      409,
    );
    // The worker who did the job reads the order but does not make return visits: told why.
    assert.equal(
      (
        await ctx.call('POST', `/api/v1/return-visits/${visit.id}/complete`, await ctx.login('grid_worker'), {
          outcome: 'satisfied',
        })
      ).statusCode,
      403,
    );
    // A provider who may not read the order is told nothing exists, as for an unknown id.
    assert.equal(
      (
        await ctx.call('POST', `/api/v1/return-visits/${visit.id}/complete`, await ctx.login('provider'), {
          outcome: 'satisfied',
        })
      ).statusCode,
      404,
    );
    const types = await timelineTypes(ctx, o.id);
    assert.ok(types.includes('return_visit_created') && types.includes('return_visit_done'));
    await auditOk(ctx, o.communityId);
  });

  it('a low rating asks for a return visit; days later the resident gets the satisfaction question on their channel', async () => {
    const resident = await ctx.residentLogin('13800000001');
    let o = await resolveOrder(resident, {
      channel: 'miniapp',
      description: '楼下垃圾没人清理',
      category: 'basic_living.sanitation',
    });
    o = await act(ctx, resident, o, 'confirm', { rating: 2, comment: '拖了好几天' });
    const agent = await ctx.login('agent');
    assert.deepEqual(
      (await visits(agent, o.id)).map((v) => [v.reason, v.rating]),
      [['low_rating', 2]],
    );
    assert.deepEqual(await pendingKinds(o.id), ['survey']);

    ctx.clock.advance(3 * DAY + 60_000);
    const run = await ctx.services.sla.timers.runDue();
    assert.equal(run.failed, 0);
    const msg = await ctx.database.db
      .selectFrom('outbox')
      .select(['channel', 'recipient_id'])
      .where('template', '=', 'satisfaction_survey')
      .where('payload_json', 'like', `%${o.id}%`)
      .executeTakeFirstOrThrow();
    assert.equal(msg.channel, 'inapp', 'asked in the app, where the order was made');
    assert.equal(msg.recipient_id, await residentIdByPhone(ctx, '13800000001'));
    const me = await ctx.residentLogin('13800000001');
    const surveys = (await ctx.call('GET', '/api/v1/surveys?pending=true', me)).json() as {
      id: string;
      orderId: string;
    }[];
    const survey = surveys.find((s) => s.orderId === o.id);
    assert.ok(survey);
    const other = await ctx.residentLogin('13800000003');
    assert.equal(
      (await ctx.call('POST', `/api/v1/surveys/${survey.id}/answer`, other, { score: 5 })).statusCode,
      404,
    );
    const answered = await ctx.call('POST', `/api/v1/surveys/${survey.id}/answer`, me, {
      score: 1,
      comment: '不满意',
    });
    assert.equal(answered.statusCode, 200, answered.body);
    assert.equal(
      (await ctx.call('POST', `/api/v1/surveys/${survey.id}/answer`, me, { score: 3 })).statusCode,
      409,
    );
    const agent2 = await ctx.login('agent');
    assert.deepEqual((await visits(agent2, o.id)).map((v) => v.reason).sort(), [
      'low_rating',
      'low_satisfaction',
    ]);
    await auditOk(ctx, o.communityId);
  });

  it('no answer: a reminder, then the order closes itself after N days (a timer that survives restarts)', async () => {
    const agent = await ctx.login('agent');
    const residentId = await residentIdByPhone(ctx, '13800000003');
    const o = await resolveOrder(agent, {
      channel: 'hotline',
      description: '水表漏水',
      residentId,
      category: 'basic_living.water_electric',
    });
    ctx.clock.advance(6 * DAY + 60_000);
    await ctx.services.sla.timers.runDue();
    const reminder = await ctx.database.db
      .selectFrom('outbox')
      .select(['channel', 'address'])
      .where('template', '=', 'rate_reminder')
      .where('payload_json', 'like', `%${o.id}%`)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [reminder.channel, reminder.address],
      ['sms', '13800000003'],
      'a hotline caller is reminded by SMS',
    );
    ctx.clock.advance(DAY);
    const run = await ctx.services.sla.timers.runDue();
    assert.equal(run.failed, 0);
    const closed = await ctx.database.db
      .selectFrom('work_orders')
      .select(['status', 'closure_reason'])
      .where('id', '=', o.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual([closed.status, closed.closure_reason], ['closed', 'auto_closed']);
    assert.deepEqual(await pendingKinds(o.id), ['survey']);
    assert.equal((await ctx.services.sla.timers.runDue()).fired, 0, 'fired once');
    await auditOk(ctx, o.communityId);
  });
});

/**
 * Acceptance deadlines: a dispatcher's own choice that times out goes back to the dispatcher (not
 * to somebody the system picks); an order waiting on the resident holds its deadline.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { HAZARD, WATER, dispatchCalls, type Assignments, type Order } from './dispatch-helpers.ts';

describe('dispatch: acceptance deadlines', () => {
  let ctx: TestContext;
  let dispatcher: string;
  const { create, get, assignments, loginAs } = dispatchCalls(
    () => ctx,
    () => dispatcher,
  );

  before(async () => {
    ctx = await createTestContext();
    dispatcher = await ctx.login('dispatcher');
  });
  after(() => ctx.close());

  it("a dispatcher's own choice that is not accepted in time goes back to the dispatcher, said in seconds", async () => {
    const o = await create(WATER);
    const assignee = await userId(ctx, 'provider');
    const res = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/dispatch`, dispatcher, {
      version: o.version,
      assigneeId: assignee,
    });
    assert.equal(res.statusCode, 200, res.body);
    const [first] = await assignments(o.id);
    assert.equal(first?.lane, 'manual');
    ctx.clock.advance(Date.parse(first?.deadlineAt ?? '') - ctx.clock.now().getTime() + 1000);
    await ctx.services.dispatch.processDue();
    const back = await get(o.id);
    assert.equal(back.status, 'accepted', 'not passed on to somebody the system picks');
    assert.equal(back.assignee, null);
    assert.equal((await assignments(o.id)).length, 1);
    assert.ok((back.timeline ?? []).some((e) => e.type === 'transfer' && e.note?.includes('退回调度台')));
    // The assignee's late acceptance is refused: there is nothing left to accept.
    const late = await ctx.call(
      'POST',
      `/api/v1/work-orders/${o.id}/assignment/accept`,
      await loginAs(assignee),
    );
    // (no longer theirs to read: 404)
    assert.ok([403, 404, 409].includes(late.statusCode), late.body);
  });

  it('an order waiting on the resident holds its acceptance deadline, and the assignee accepts after it resumes', async () => {
    const o = await create(HAZARD);
    assert.equal(o.status, 'dispatched');
    const assignee = o.assignee?.id ?? '';
    const wait = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/wait`, dispatcher, {
      version: o.version,
      note: '请居民补充楼栋号',
    });
    assert.equal(wait.statusCode, 200, wait.body);
    // Hours pass while it waits: no timeout, the assignment stays open.
    for (let i = 0; i < 6; i++) {
      ctx.clock.advance(3_600_000);
      await ctx.services.dispatch.processDue();
    }
    assert.equal((await assignments(o.id)).at(-1)?.state, 'pending');
    const resumed = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/resume`, dispatcher, {
      version: (wait.json() as Order).version,
    });
    assert.equal(resumed.statusCode, 200, resumed.body);
    const r = resumed.json() as Order;
    assert.equal(r.status, 'dispatched');
    assert.equal(r.assignee?.id, assignee);
    const acc = await ctx.call(
      'POST',
      `/api/v1/work-orders/${o.id}/assignment/accept`,
      await loginAs(assignee),
    );
    assert.equal(acc.statusCode, 200, acc.body);
    assert.equal((acc.json() as Assignments).assignments.at(-1)?.state, 'accepted');
  });
  it('the next responder of the emergency lane after a timeout is alerted as the first was, and only they', async () => {
    const res = await ctx.call('POST', '/api/v1/work-orders', dispatcher, {
      channel: 'hotline',
      description: '独居老人在家突然晕倒，呼吸困难，需要急救',
      residentId: await residentIdByPhone(ctx, '13800000001'),
      category: 'safety_emergency.medical_emergency',
      urgency: 'critical',
    });
    assert.equal(res.statusCode, 201, res.body);
    const o = res.json() as Order;
    assert.equal(o.status, 'dispatched');
    const [first] = await assignments(o.id);
    ctx.clock.advance(Date.parse(first?.deadlineAt ?? '') - ctx.clock.now().getTime() + 1000);
    await ctx.services.dispatch.processDue();
    const next = await get(o.id);
    assert.equal(next.status, 'dispatched');
    assert.ok(next.assignee && next.assignee.id !== o.assignee?.id, 'another responder');
    const alerts = await ctx.database.db
      .selectFrom('outbox')
      .select(['template', 'channel', 'recipient_id', 'address'])
      .where('payload_json', 'like', `%${o.id}%`)
      .where('template', 'in', ['emergency_dispatch', 'emergency_contact_notice'])
      .execute();
    assert.ok(
      alerts.some(
        (m) =>
          m.template === 'emergency_dispatch' && m.channel === 'sms' && m.recipient_id === next.assignee?.id,
      ),
      JSON.stringify(alerts),
    );
    // The grid worker and the family were told once, with the first responder.
    const contact = await ctx.database.db
      .selectFrom('outbox')
      .select('id')
      .where('template', '=', 'emergency_contact_notice')
      .execute();
    assert.equal(contact.length, 1);
    const gridRows = (await assignments(o.id)).filter((a) => a.role === 'grid_worker');
    assert.equal(gridRows.length, 1);
  });
});

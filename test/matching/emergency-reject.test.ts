import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { dispatchCalls, type Order } from './dispatch-helpers.ts';

/**
 * A responder of the emergency lane who declines: the next responder is named at once and alerted
 * as the first was (an emergency SMS, as after a timeout), and the one who declined is answered
 * with the order as it now stands.
 */
describe('emergency lane: a rejection passes the order on with the same alert', () => {
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

  it('alerts the next responder by SMS and answers with the order dispatched to them', async () => {
    const o = await create({
      channel: 'hotline',
      description: '老人在家突然晕倒，呼吸困难',
      category: 'safety_emergency.medical_emergency',
      urgency: 'critical',
      location: { lat: 22.5604, lng: 113.9436 },
    });
    assert.equal(o.status, 'dispatched');
    const first = o.assignee?.id ?? '';
    const res = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/reject`, await loginAs(first), {
      version: o.version,
      reason: '我在外地，无法到场',
    });
    assert.equal(res.statusCode, 200, res.body);

    const now = await get(o.id);
    assert.equal(now.status, 'dispatched');
    const next = now.assignee?.id ?? '';
    assert.ok(next && next !== first, 'another responder has it');
    const answered = res.json() as Order;
    assert.deepEqual(
      { status: answered.status, version: answered.version, assignee: answered.assignee?.id },
      { status: now.status, version: now.version, assignee: next },
      'the answer is the order as committed',
    );
    const hist = await assignments(o.id);
    assert.deepEqual(
      hist.filter((a) => a.role === 'assignee').map((a) => [a.userId, a.lane, a.state]),
      [
        [first, 'emergency', 'rejected'],
        [next, 'emergency', 'pending'],
      ],
    );

    const alerts = await ctx.database.db
      .selectFrom('outbox')
      .select(['recipient_id', 'channel'])
      .where('template', '=', 'emergency_dispatch')
      .where('payload_json', 'like', `%${o.id}%`)
      .where('recipient_id', 'in', [first, next])
      .execute();
    assert.deepEqual(alerts.map((a) => [a.recipient_id === first ? 'first' : 'next', a.channel]).sort(), [
      ['first', 'sms'],
      ['next', 'sms'],
    ]);
    const timeline = ((await ctx.call('GET', `/api/v1/work-orders/${o.id}`, dispatcher)).json() as Order)
      .timeline;
    assert.equal(
      timeline?.filter((e) => e.type === 'emergency_lane').length,
      2,
      'each alert on the timeline',
    );
  });
});

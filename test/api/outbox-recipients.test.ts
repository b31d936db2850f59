/**
 * A queued message goes to its recipient as they are when it is sent: a resident's new phone, the
 * emergency contact on record now; an account deactivated or moved to another community since is
 * told nothing of the old community's orders (cancelled, with the reason). A one-time code goes to
 * the number it was asked for.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { createChannelAdapters } from '../../src/modules/notifications/adapters.ts';
import type { RecordingProvider } from '../../src/modules/notifications/adapters.ts';
import { NOT_SENT } from '../../src/modules/notifications/outbox.recipients.ts';
import { deliverDue } from '../../src/modules/notifications/outbox.worker.ts';
import { notifyResident } from '../../src/modules/notifications/notify.ts';
import { silentLogger } from '../../src/platform/context.ts';

interface Order {
  id: string;
  assignee: { id: string } | null;
}

describe('outbox: recipients resolved when a message is sent', () => {
  let ctx: TestContext;
  let admin: string;
  let agent: string;
  let sms: RecordingProvider;
  let adapters: ReturnType<typeof createChannelAdapters>['adapters'];

  before(async () => {
    ctx = await createTestContext({ orders: 0 });
    admin = await ctx.login('admin');
    agent = await ctx.login('agent');
    const set = createChannelAdapters(ctx.database, ctx.clock, silentLogger);
    adapters = set.adapters;
    sms = set.recorded.sms as RecordingProvider;
    // What the demo queued before the tests goes first, so each test sees its own messages.
    await deliverAll();
  });
  after(() => ctx.close());

  async function deliverAll(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const r = await deliverDue(ctx.database, ctx.clock, adapters, { limit: 200, digest: false });
      if (r.delivered + r.failed + r.cancelled === 0) return;
      ctx.clock.advance(3_600_000);
    }
  }
  const sentFor = (key: string) => sms.sent.filter((m) => m.key.startsWith(key)).map((m) => m.to);
  const outboxOf = (like: string) =>
    ctx.database.db
      .selectFrom('outbox')
      .select(['idempotency_key', 'recipient_id', 'status', 'last_error', 'channel'])
      .where('idempotency_key', 'like', like)
      .orderBy('idempotency_key')
      .execute();
  async function patchResident(id: string, body: Record<string, unknown>): Promise<void> {
    const res = await ctx.call('PATCH', `/api/v1/residents/${id}`, admin, body);
    assert.equal(res.statusCode, 200, res.body);
  }

  it("sends a resident's SMS to the phone they changed to after it was queued", async () => {
    const resident = await residentIdByPhone(ctx, '13800000003');
    const res = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '楼道灯坏了，晚上看不见',
      residentId: resident,
    });
    assert.equal(res.statusCode, 201, res.body);
    // A survey, as feedback queues it: with the phone the resident had then.
    const order = await ctx.database.db
      .selectFrom('work_orders')
      .selectAll()
      .where('id', '=', (res.json() as Order).id)
      .executeTakeFirstOrThrow();
    await notifyResident(
      ctx.database.db,
      order,
      'satisfaction_survey',
      { surveyId: 's1' },
      'survey:s1',
      ctx.clock.now().toISOString(),
    );
    const queued = await ctx.database.db
      .selectFrom('outbox')
      .select(['idempotency_key', 'address'])
      .where('recipient_id', '=', resident)
      .where('channel', '=', 'sms')
      .where('status', '=', 'pending')
      .execute();
    assert.ok(queued.length >= 2, 'the hotline caller is told by SMS');
    assert.ok(
      queued.some((m) => m.address === '13800000003'),
      'one written with the phone of then',
    );
    await patchResident(resident, { phone: '13911112222' });
    await deliverAll();
    for (const m of queued) assert.deepEqual(sentFor(m.idempotency_key), ['13911112222'], m.idempotency_key);
  });

  it('sends a one-time code to the number it was asked for, even after the resident changed phone', async () => {
    const resident = await residentIdByPhone(ctx, '13800000001');
    ctx.clock.advance(60_000);
    const asked = await ctx.call('POST', '/api/v1/auth/otp/request', undefined, { phone: '13800000001' });
    assert.equal(asked.statusCode, 200, asked.body);
    const [otp] = await outboxOf('otp:%');
    assert.ok(otp);
    await patchResident(resident, { phone: '13933334444' });
    await deliverAll();
    assert.deepEqual(sentFor(otp.idempotency_key), ['13800000001']);
    await patchResident(resident, { phone: '13800000001' });
  });

  it("sends the emergency contact's notice to the contact on record when it goes out", async () => {
    const elderly = await residentIdByPhone(ctx, '13800000001');
    const res = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '独居老人在家摔倒起不来，需要急救',
      residentId: elderly,
      category: 'safety_emergency.medical_emergency',
      urgency: 'critical',
    });
    assert.equal(res.statusCode, 201, res.body);
    const order = res.json() as Order;
    await patchResident(elderly, { emergencyContact: { name: '王小红', phone: '13755556666' } });
    await deliverAll();
    assert.deepEqual(sentFor(`emergency:${order.id}:contact`), ['13755556666']);
  });

  it('tells nobody deactivated or moved away of the old community’s emergency', async () => {
    const res = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '厨房煤气泄漏，味道很大',
      category: 'safety_emergency.gas_leak',
      urgency: 'critical',
      location: { lat: 22.5604, lng: 113.9436 },
    });
    assert.equal(res.statusCode, 201, res.body);
    const order = res.json() as Order;
    const alerts = await outboxOf(`emergency:${order.id}:%`);
    const responder = order.assignee?.id;
    const worker = alerts.find((m) => m.idempotency_key.includes(':grid:'))?.recipient_id;
    assert.ok(responder && worker, JSON.stringify(alerts));
    const longzhu = await ctx.database.db
      .selectFrom('communities')
      .select('id')
      .where('code', '=', 'longzhu')
      .executeTakeFirstOrThrow();
    const moved = await ctx.call('PATCH', `/api/v1/staff/${responder}`, await ctx.login('street_admin'), {
      communityIds: [longzhu.id],
    });
    assert.equal(moved.statusCode, 200, moved.body);
    const off = await ctx.call('PATCH', `/api/v1/staff/${worker}`, admin, { active: false });
    assert.equal(off.statusCode, 200, off.body);
    await deliverAll();
    assert.deepEqual(sentFor(`emergency:${order.id}:`), [], 'no SMS went out');
    const after = await outboxOf(`emergency:${order.id}:%`);
    assert.ok(after.length >= 3, JSON.stringify(after));
    for (const m of after) {
      assert.equal(m.status, 'cancelled', m.idempotency_key);
      assert.equal(
        m.last_error,
        m.recipient_id === worker ? NOT_SENT.deactivated : NOT_SENT.otherCommunity,
        m.idempotency_key,
      );
    }
  });
});

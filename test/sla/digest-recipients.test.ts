/**
 * A digest is gathered from what was held for a staff member, and checked as a message sent now
 * would be: items about orders of a community they no longer serve are cancelled with the reason,
 * not summed up for them; a deactivated account gets no digest at all.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { createChannelAdapters } from '../../src/modules/notifications/adapters.ts';
import { deliverDue } from '../../src/modules/notifications/outbox.worker.ts';
import { runDigests } from '../../src/modules/notifications/digest.ts';
import { notifyUsers } from '../../src/modules/notifications/notify.ts';
import { NOT_SENT } from '../../src/modules/notifications/outbox.recipients.ts';
import { silentLogger } from '../../src/platform/context.ts';
import { act, createOrder } from './sla-helpers.ts';

const MINUTE = 60_000;

describe('notifications: a digest holds only what its recipient may still be told', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 2 });
  });
  after(() => ctx.close());

  const heldOrCancelled = (recipient: string) =>
    ctx.database.db
      .selectFrom('outbox')
      .select(['id', 'template', 'status', 'last_error'])
      .where('recipient_id', '=', recipient)
      .where('status', 'in', ['held', 'cancelled', 'digested'])
      .orderBy('created_at')
      .execute();

  /** Puts a staff member in digest mode and sends what was waiting; `deliver` runs the outbox. */
  const inDigestMode = async (username: string, digestMinutes: number) => {
    const token = await ctx.login(username);
    const set = await ctx.call('PUT', '/api/v1/me/notification-preferences', token, {
      mode: 'digest',
      digestMinutes,
      locale: 'zh-CN',
    });
    assert.equal(set.statusCode, 200, set.body);
    const { adapters } = createChannelAdapters(ctx.database, ctx.clock, silentLogger);
    const deliver = () => deliverDue(ctx.database, ctx.clock, adapters, { limit: 500 });
    await deliver();
    return { id: await userId(ctx, username), deliver };
  };

  it('cancels the held items of a community the grid worker has left, and sums up the rest', async () => {
    const { id: workerId, deliver } = await inDigestMode('grid_worker', 60);

    const agent = await ctx.login('agent');
    const dispatcher = await ctx.login('dispatcher');
    for (let i = 0; i < 2; i++) {
      const o = await createOrder(ctx, agent, {
        channel: 'window',
        description: `楼道垃圾没人清 ${i}`,
        category: 'basic_living.sanitation',
      });
      await act(ctx, dispatcher, o, 'dispatch', { assigneeId: workerId });
    }
    // One message not about an order: it stays theirs wherever they serve.
    await ctx.database.db
      .transaction()
      .execute((trx) =>
        notifyUsers(
          trx,
          [workerId],
          { template: 'sla_escalated', key: 'digest-recipients-general', payload: { number: 'X-9' } },
          ctx.clock.now().toISOString(),
        ),
      );
    await deliver();
    const held = await heldOrCancelled(workerId);
    assert.equal(held.filter((m) => m.status === 'held').length, 3, JSON.stringify(held));

    // The grid worker moves to the other community before the digest is due.
    const longzhu = await ctx.database.db
      .selectFrom('communities')
      .select('id')
      .where('code', '=', 'longzhu')
      .executeTakeFirstOrThrow();
    const moved = await ctx.call('PATCH', `/api/v1/staff/${workerId}`, await ctx.login('street_admin'), {
      communityIds: [longzhu.id],
    });
    assert.equal(moved.statusCode, 200, moved.body);

    ctx.clock.advance(61 * MINUTE);
    assert.deepEqual(await runDigests(ctx.database, ctx.clock), { digests: 1, messages: 1 });
    const after = await heldOrCancelled(workerId);
    const assigned = after.filter((m) => m.template === 'order_assigned');
    assert.equal(assigned.length, 2);
    for (const m of assigned) {
      assert.equal(m.status, 'cancelled');
      assert.equal(m.last_error, NOT_SENT.otherCommunity);
    }
    assert.equal(after.find((m) => m.template === 'sla_escalated')?.status, 'digested');
    const digest = await ctx.database.db
      .selectFrom('outbox')
      .select('payload_json')
      .where('recipient_id', '=', workerId)
      .where('template', '=', 'digest')
      .executeTakeFirstOrThrow();
    assert.equal((JSON.parse(digest.payload_json) as { count: number }).count, 1);
  });

  it('gathers no digest for an account deactivated while its messages were held', async () => {
    const { id: providerId, deliver } = await inDigestMode('provider', 30);
    await ctx.database.db
      .transaction()
      .execute((trx) =>
        notifyUsers(
          trx,
          [providerId],
          { template: 'sla_escalated', key: 'digest-recipients-provider', payload: { number: 'X-10' } },
          ctx.clock.now().toISOString(),
        ),
      );
    await deliver();
    assert.equal((await heldOrCancelled(providerId)).filter((m) => m.status === 'held').length, 1);

    const off = await ctx.call('PATCH', `/api/v1/staff/${providerId}`, await ctx.login('admin'), {
      active: false,
    });
    assert.equal(off.statusCode, 200, off.body);
    ctx.clock.advance(31 * MINUTE);
    assert.deepEqual(await runDigests(ctx.database, ctx.clock), { digests: 0, messages: 0 });
    const rows = await heldOrCancelled(providerId);
    assert.deepEqual(
      rows.map((m) => [m.status, m.last_error]),
      [['cancelled', NOT_SENT.deactivated]],
    );
  });
});

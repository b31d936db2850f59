/**
 * A node's claim on the messages it is delivering lasts as long as its run may take: with a slow
 * provider, a run of many messages takes longer than a minute, and another node must not claim
 * (and send again) the messages still waiting their turn in it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { createChannelAdapters } from '../../src/modules/notifications/adapters.ts';
import type { SmsProvider } from '../../src/modules/notifications/adapters.ts';
import { deliverDue } from '../../src/modules/notifications/outbox.worker.ts';
import { enqueue } from '../../src/modules/notifications/outbox.repository.ts';
import { silentLogger } from '../../src/platform/context.ts';

describe('outbox: a slow run keeps its messages from other nodes', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 0 });
  });
  after(() => ctx.close());

  it('sends each message once when a second node runs while the first is still sending', async () => {
    // Whatever the seed left to send goes first, so the runs below see only these messages.
    await deliverDue(
      ctx.database,
      ctx.clock,
      createChannelAdapters(ctx.database, ctx.clock, silentLogger).adapters,
      {
        limit: 1000,
      },
    );
    const at = ctx.clock.now().toISOString();
    const keys = Array.from({ length: 12 }, (_, i) => `lease-test:${i}`);
    await ctx.database.db.transaction().execute(async (trx) => {
      for (const key of keys)
        await enqueue(
          trx,
          {
            idempotencyKey: key,
            channel: 'sms',
            recipientType: 'address',
            recipientId: null,
            address: '13900000000',
            template: 'order_received',
            locale: 'zh-CN',
            payload: { number: key },
          },
          at,
        );
    });

    const sent: string[] = [];
    const fast: SmsProvider = {
      send: async (_to, _text, key) => {
        sent.push(key);
      },
    };
    const nodeB = createChannelAdapters(ctx.database, ctx.clock, silentLogger, { sms: fast }).adapters;
    let secondRun: Promise<unknown> | undefined;
    let calls = 0;
    // Each message takes 9 s at the gateway, under the 10 s timeout: one at a time, twelve take
    // 108 s. Seven messages in, the second node's loop runs.
    const slow: SmsProvider = {
      send: async (_to, _text, key) => {
        ctx.clock.advance(9_000);
        calls += 1;
        if (calls === 7) {
          secondRun = deliverDue(ctx.database, ctx.clock, nodeB, { limit: 50 });
          await secondRun;
        }
        sent.push(key);
      },
    };
    const nodeA = createChannelAdapters(ctx.database, ctx.clock, silentLogger, { sms: slow }).adapters;
    await deliverDue(ctx.database, ctx.clock, nodeA, { limit: 50, concurrency: 1, timeoutMs: 10_000 });
    assert.ok(secondRun, 'the second node ran during the first one’s run');
    await secondRun;
    assert.deepEqual([...sent].sort(), [...keys].sort(), 'every message sent, none twice');
    const rows = await ctx.database.db
      .selectFrom('outbox')
      .select(['status', 'attempts'])
      .where('idempotency_key', 'in', keys)
      .execute();
    assert.ok(rows.every((r) => r.status === 'delivered' && r.attempts === 1));
  });
});

/**
 * Two app nodes on one database, each running its background loops: the loops of both nodes take
 * turns at the same moment, and each piece of work is still done once. On PostgreSQL the two
 * nodes' transactions run in parallel; on SQLite they take turns on the one connection, so there
 * the same runs check that the loops stay correct when they follow each other closely.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { createChannelAdapters } from '../../src/modules/notifications/adapters.ts';
import { deliverDue } from '../../src/modules/notifications/outbox.worker.ts';
import { runDigests } from '../../src/modules/notifications/digest.ts';
import { notifyUsers } from '../../src/modules/notifications/notify.ts';
import { silentLogger } from '../../src/platform/context.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import type { Database } from '../../src/platform/db/database.ts';

/** The second node's own connections to the same database (its own pool on PostgreSQL). */
async function secondConnection(ctx: TestContext): Promise<{ database: Database; close(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) return { database: ctx.database, close: async () => undefined };
  const schema = ctx.database.schema;
  const database = await openDatabase({ url, ...(schema ? { schema } : {}), poolSize: 5 });
  return { database, close: () => database.destroy() };
}

describe('background loops of two nodes at once', () => {
  let ctx: TestContext;
  let nodeB: { database: Database; close(): Promise<void> };
  before(async () => {
    ctx = await createTestContext({ orders: 0 });
    nodeB = await secondConnection(ctx);
  });
  after(async () => {
    await nodeB.close();
    await ctx.close();
  });

  it('a digest is sent once when both nodes gather it at the same moment', async () => {
    const worker = await ctx.login('grid_worker');
    const workerId = await userId(ctx, 'grid_worker');
    const set = await ctx.call('PUT', '/api/v1/me/notification-preferences', worker, {
      mode: 'digest',
      digestMinutes: 60,
      locale: 'zh-CN',
    });
    assert.equal(set.statusCode, 200, set.body);
    const { adapters } = createChannelAdapters(ctx.database, ctx.clock, silentLogger);
    const digests = async () =>
      (
        await ctx.database.db
          .selectFrom('outbox')
          .select('payload_json')
          .where('template', '=', 'digest')
          .where('recipient_id', '=', workerId)
          .execute()
      ).map((r) => (JSON.parse(r.payload_json) as { count: number }).count);
    for (let round = 0; round < 8; round++) {
      const at = ctx.clock.now().toISOString();
      await ctx.database.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 3; i++)
          await notifyUsers(
            trx,
            [workerId],
            {
              template: 'sla_warning',
              key: `digest-race-${round}-${i}`,
              payload: { number: `R-${round}-${i}` },
            },
            at,
          );
      });
      const held = await deliverDue(ctx.database, ctx.clock, adapters, { limit: 500 });
      assert.equal(held.held, 3);
      ctx.clock.advance(61 * 60_000);
      // Each node has its own clock: they never agree to the millisecond.
      const clockB = new ManualClock(new Date(ctx.clock.now().getTime() + 7));
      const before = (await digests()).length;
      const runs = await Promise.all([
        runDigests(ctx.database, ctx.clock),
        runDigests(nodeB.database, clockB),
      ]);
      const made = (await digests()).slice(before);
      assert.deepEqual(made, [3], `round ${round}: ${JSON.stringify(runs)}`);
      assert.equal(
        runs.reduce((n, r) => n + r.digests, 0),
        1,
      );
    }
  });
});

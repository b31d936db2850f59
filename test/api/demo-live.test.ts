/** The demo's calls of today: taken once, and counted only where they were taken. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { DEMO_LIVE_CALLS, missingDemoLiveCalls, takeDemoLiveCalls } from '../../src/seed/demo-live.ts';

describe('demo calls of today', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 2 });
  });
  after(() => ctx.close());

  it('a second start taking the same calls (another node, a race) takes none and says so', async () => {
    assert.equal((await missingDemoLiveCalls(ctx.database)).length, DEMO_LIVE_CALLS.length);
    assert.equal(await takeDemoLiveCalls(ctx.app), DEMO_LIVE_CALLS.length);
    // As a node that read "missing" before the first took them: its creates are replays.
    assert.equal(await takeDemoLiveCalls(ctx.app), 0);
    assert.deepEqual(await missingDemoLiveCalls(ctx.database), []);
    const orders = await ctx.database.db
      .selectFrom('work_orders')
      .select('id')
      .where(
        'description',
        'in',
        DEMO_LIVE_CALLS.map((c) => c.description),
      )
      .execute();
    assert.equal(orders.length, DEMO_LIVE_CALLS.length);
  });
});

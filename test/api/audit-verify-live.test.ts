/**
 * Verifying a chain that is being written: the walk reads the head first and the chain up to it,
 * so appends that commit during the walk (this node's requests, other nodes') are not taken for
 * a cut tail or an edited head, while rows written past the head without it still are.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { verifyChain } from '../../src/modules/audit/audit.repository.ts';

describe('audit verify during writes', () => {
  let ctx: TestContext;
  let agent: string;
  let c1: string;
  before(async () => {
    ctx = await createTestContext({ orders: 30 });
    agent = await ctx.login('agent');
    c1 = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
  });
  after(() => ctx.close());

  it('a chain appended to while it is walked verifies', async () => {
    const grew: boolean[] = [];
    for (let round = 0; round < 3; round++) {
      let done = false;
      const writes = Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          // Spread the creates over the walks.
          await new Promise((r) => setTimeout(r, i * 5));
          const res = await ctx.call('POST', '/api/v1/work-orders', agent, {
            channel: 'hotline',
            description: `第${round}轮第${i}单：楼道灯不亮`,
          });
          assert.equal(res.statusCode, 201, res.body);
        }),
      ).finally(() => (done = true));
      const results = [];
      // A walk gives the event loop a turn between pages, so the writes may all land during the
      // first; a second walk then sees the chain they grew.
      while (!done || results.length < 2) {
        results.push(await verifyChain(ctx.database.db, c1, { pageSize: 7 }));
        // On SQLite the queries answer at once: let the writes' timers run between walks.
        await new Promise((r) => setImmediate(r));
      }
      await writes;
      for (const r of results) assert.deepEqual([r.ok, r.problem], [true, null], JSON.stringify(r));
      const entries = results.map((r) => r.entries);
      grew.push(entries.some((n, i) => i > 0 && n > (entries[0] ?? 0)));
    }
    // The test means something only if walks ran while the chain grew. Under load a round's
    // creates may all land between two walks (a CI run on PostgreSQL saw 172, 172), so any round
    // will do.
    assert.ok(grew.includes(true), `the walks saw the chain grow in some round: ${grew}`);
    const api = await ctx.call('GET', `/api/v1/audit/verify?community=${c1}`, await ctx.login('auditor'));
    assert.equal((api.json() as { ok: boolean }).ok, true, api.body);
  });

  it('an entry written past the head, without it, is still found', async () => {
    const head = await ctx.database.db
      .selectFrom('audit_heads')
      .selectAll()
      .where('community_id', '=', c1)
      .executeTakeFirstOrThrow();
    const last = await ctx.database.db
      .selectFrom('audit_entries')
      .selectAll()
      .where('community_id', '=', c1)
      .where('seq', '=', head.seq)
      .executeTakeFirstOrThrow();
    await ctx.database.db
      .insertInto('audit_entries')
      .values({ ...last, seq: Number(head.seq) + 1 })
      .execute();
    const r = await verifyChain(ctx.database.db, c1, { pageSize: 7 });
    assert.deepEqual([r.ok, r.problem, r.firstBadSeq], [false, 'head', Number(head.seq) + 1]);
    await ctx.database.db
      .deleteFrom('audit_entries')
      .where('community_id', '=', c1)
      .where('seq', '=', Number(head.seq) + 1)
      .execute();
  });
});

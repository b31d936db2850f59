/**
 * The demo loads in several transactions; a first start stopped half way must be named as such,
 * not taken for a demo (it had 1,200 orders in one community, none in the other, and no street
 * administrator, and every later start said "the demo is already there").
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freshDatabase } from '../helpers.ts';
import { seedDemo } from '../../src/seed/demo.ts';

describe('demo seed: begun and done are recorded', () => {
  it('marks a complete demo done, and refuses to go on over one that was stopped half way', async () => {
    const fresh = await freshDatabase();
    try {
      const db = fresh.database.db;
      const mark = async () =>
        (await db.selectFrom('sequences').select('value').where('name', '=', 'demo_seed').executeTakeFirst())
          ?.value;
      const first = await seedDemo(fresh.database, { ordersPerCommunity: 3, historyDays: 5 });
      assert.equal(first.seeded, true);
      assert.equal(Number(await mark()), 2);
      assert.equal((await seedDemo(fresh.database, { ordersPerCommunity: 3, historyDays: 5 })).seeded, false);
      // As a first start stopped after its first transactions leaves it.
      await db.updateTable('sequences').set({ value: 1 }).where('name', '=', 'demo_seed').execute();
      await assert.rejects(
        seedDemo(fresh.database, { ordersPerCommunity: 3, historyDays: 5 }),
        /demo in this database is incomplete.*Delete the data folder/,
      );
    } finally {
      await fresh.dispose();
    }
  });
});

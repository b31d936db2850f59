import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { freshDatabase } from '../helpers.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import * as migration from '../../src/platform/db/migrations/2026120620_rollup_first_response.ts';
import * as firstResponseColumn from '../../src/platform/db/migrations/2026120870_dashboard_first_response.ts';
import { rollupMismatches } from '../rollups-check.ts';
import type { DB } from '../../src/platform/db/schema.ts';

const responded = async (db: Kysely<DB>) =>
  Number(
    (
      await db
        .selectFrom('order_rollups')
        .select((eb) => eb.fn.sum<number>('responded').as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const count = async (db: Kysely<DB>, where: (q: ReturnType<typeof base>) => ReturnType<typeof base>) =>
  Number(
    (
      await where(base(db))
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const base = (db: Kysely<DB>) => db.selectFrom('work_orders');

describe('migration 2026120620: a referral or dismissal straight from the queue is a first response on the dashboard', () => {
  it('refills the rollups under the new rule, and its triggers keep them', async () => {
    const fresh = await freshDatabase();
    try {
      const db = fresh.database.db;
      await seedDemo(fresh.database, { ordersPerCommunity: 80, now: new Date('2026-11-20T02:00:00.000Z') });
      // As the releases before migration 2026120870 left it.
      await firstResponseColumn.down(db as unknown as Kysely<unknown>);
      const accepted = await count(db, (q) => q.where('accepted_at', 'is not', null));
      const answeredUnaccepted = await count(db, (q) =>
        q.where('accepted_at', 'is', null).where('status', 'in', ['referred', 'not_actionable']),
      );
      assert.ok(
        answeredUnaccepted > 0,
        'precondition: the demo refers and dismisses some orders from the queue',
      );

      // The release before counted acceptance only.
      await migration.down(db as unknown as Kysely<unknown>);
      assert.equal(await responded(db), accepted);

      await migration.up(db as unknown as Kysely<unknown>);
      assert.equal(await responded(db), accepted + answeredUnaccepted);
      assert.deepEqual(await rollupMismatches(db, 'before_2026120870'), []);

      // The triggers count a referral from the queue when it happens, and not a cancellation.
      const two = await db
        .selectFrom('work_orders')
        .select('id')
        .where('accepted_at', 'is not', null)
        .orderBy('id')
        .limit(2)
        .execute();
      const ids = two.map((o) => o.id);
      assert.equal(ids.length, 2);
      await db
        .updateTable('work_orders')
        .set({ status: 'submitted', accepted_at: null, closed_at: null, resolved_at: null })
        .where('id', 'in', ids)
        .execute();
      const queued = await responded(db);
      assert.equal(queued, accepted + answeredUnaccepted - 2);
      const at = '2026-11-20T03:00:00.000Z';
      await db
        .updateTable('work_orders')
        .set({ status: 'referred', closed_at: at, referred_to: '区市政管理处' })
        .where('id', '=', ids[0] as string)
        .execute();
      await db
        .updateTable('work_orders')
        .set({ status: 'cancelled', closed_at: at })
        .where('id', '=', ids[1] as string)
        .execute();
      assert.equal(await responded(db), queued + 1);
      assert.deepEqual(await rollupMismatches(db, 'before_2026120870'), []);
      // The next release's rule fills its column and the rollups again.
      await firstResponseColumn.up(db as unknown as Kysely<unknown>);
      assert.deepEqual(await rollupMismatches(db), []);
    } finally {
      await fresh.dispose();
    }
  });
});

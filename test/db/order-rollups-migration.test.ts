import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { freshDatabase } from '../helpers.ts';
import { withSchemaLock } from '../../src/platform/db/database.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import * as migration from '../../src/platform/db/migrations/2026120510_order_rollups.ts';
import * as firstResponse from '../../src/platform/db/migrations/2026120620_rollup_first_response.ts';
import * as firstResponseColumn from '../../src/platform/db/migrations/2026120870_dashboard_first_response.ts';
import { localDay } from '../../src/modules/work-orders/work-order.number.ts';
import { rollupMismatches } from '../rollups-check.ts';

describe('migration 2026120510: dashboard rollups for a database that had orders before it', () => {
  it("gives every stored order its community's local day, fills the rollups, and keeps them after", async () => {
    const fresh = await freshDatabase();
    try {
      const db = fresh.database.db;
      await seedDemo(fresh.database, { ordersPerCommunity: 80, now: new Date('2026-11-20T02:00:00.000Z') });
      // A database as the release before left it, with one community in another time zone.
      await firstResponseColumn.down(db as unknown as Kysely<unknown>);
      await withSchemaLock(fresh.database, () => migration.down(db as unknown as Kysely<unknown>));
      const second = await db
        .selectFrom('communities')
        .select('id')
        .orderBy('code', 'desc')
        .executeTakeFirstOrThrow();
      await db
        .updateTable('communities')
        .set({ time_zone: 'America/New_York' })
        .where('id', '=', second.id)
        .execute();

      await withSchemaLock(fresh.database, () => migration.up(db as unknown as Kysely<unknown>));
      // And the later migrations that changed what counts as a first response, as a release runs them.
      await firstResponse.up(db as unknown as Kysely<unknown>);
      await firstResponseColumn.up(db as unknown as Kysely<unknown>);
      const zones = new Map(
        (await db.selectFrom('communities').select(['id', 'time_zone']).execute()).map((c) => [
          c.id,
          c.time_zone,
        ]),
      );
      const orders = await db
        .selectFrom('work_orders')
        .select(['community_id', 'created_at', 'created_day'])
        .execute();
      assert.ok(orders.length >= 160);
      for (const o of orders)
        assert.equal(o.created_day, localDay(o.created_at, zones.get(o.community_id) ?? ''), o.created_at);
      assert.deepEqual(await rollupMismatches(db), []);

      // The triggers work after the migration: a change moves the order's contribution.
      await db.updateTable('work_orders').set({ status: 'closed', rating: 2, reopen_count: 1 }).execute();
      assert.deepEqual(await rollupMismatches(db), []);
      const total = await db
        .selectFrom('order_rollups')
        .select((eb) => eb.fn.sum<number>('rated').as('rated'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(total.rated), orders.length);
    } finally {
      await fresh.dispose();
    }
  });
});

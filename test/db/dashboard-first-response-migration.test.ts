import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { freshDatabase } from '../helpers.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import { newId } from '../../src/platform/ids.ts';
import * as migration from '../../src/platform/db/migrations/2026120870_dashboard_first_response.ts';
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

describe('migration 2026120870: the dashboard answers an order as the SLA does, never a duplicate merged unanswered', () => {
  it("fills each order's first answer from its timeline, and refills the rollups under the new rule", async () => {
    const fresh = await freshDatabase();
    try {
      const db = fresh.database.db;
      const raw = db as unknown as Kysely<unknown>;
      await seedDemo(fresh.database, { ordersPerCommunity: 60, now: new Date('2026-11-20T02:00:00.000Z') });
      const answered = await db
        .selectFrom('work_orders')
        .select(['id', 'first_response_at'])
        .where('first_response_at', 'is not', null)
        .execute();
      assert.ok(answered.length > 0);
      await migration.down(raw);

      // Three orders of the release before, whose timelines say what became of them.
      const [follower, returned, bulk] = await db
        .selectFrom('work_orders')
        .select(['id', 'community_id', 'created_at'])
        .where('status', '=', 'closed')
        .orderBy('id')
        .limit(3)
        .execute();
      assert.ok(follower && returned && bulk);
      const target = answered.find((o) => ![follower.id, returned.id, bulk.id].includes(o.id));
      assert.ok(target);
      const later = (o: { created_at: string }, minutes: number) =>
        new Date(Date.parse(o.created_at) + minutes * 60_000).toISOString();
      const timeline = async (
        o: { id: string; community_id: string },
        steps: Array<[type: string, from: string | null, to: string, at: string, data: object]>,
      ) => {
        await db.deleteFrom('work_order_events').where('work_order_id', '=', o.id).execute();
        for (const [type, from, to, at, data] of steps)
          await db
            .insertInto('work_order_events')
            .values({
              id: newId(Date.parse(at)),
              work_order_id: o.id,
              community_id: o.community_id,
              type,
              from_status: from,
              to_status: to,
              actor_type: 'system',
              actor_id: null,
              actor_name: 'system',
              note: null,
              visibility: 'internal',
              data_json: JSON.stringify(data),
              created_at: at,
            })
            .execute();
      };
      // Merged unanswered, then taken along when its target was referred: answered by the old rule.
      await timeline(follower, [
        ['created', null, 'submitted', follower.created_at, {}],
        ['merge', 'submitted', 'duplicate', later(follower, 10), { mergeInto: target.id }],
        ['refer', 'duplicate', 'referred', later(follower, 90), { followed: target.id }],
      ]);
      await db
        .updateTable('work_orders')
        .set({
          status: 'referred',
          merged_into: target.id,
          accepted_at: null,
          resolved_at: null,
          rating: null,
          closed_at: later(follower, 90),
        })
        .where('id', '=', follower.id)
        .execute();
      // Merged unanswered, back to work when its target was cancelled (its acceptance stamped then), dispatched.
      await timeline(returned, [
        ['created', null, 'submitted', returned.created_at, {}],
        ['merge', 'submitted', 'duplicate', later(returned, 5), { mergeInto: target.id }],
        ['reopen', 'duplicate', 'accepted', later(returned, 60), { unmergedFrom: target.id }],
        ['dispatch', 'accepted', 'dispatched', later(returned, 120), {}],
      ]);
      await db
        .updateTable('work_orders')
        .set({
          status: 'dispatched',
          merged_into: null,
          accepted_at: later(returned, 60),
          resolved_at: null,
          rating: null,
          closed_at: null,
        })
        .where('id', '=', returned.id)
        .execute();
      // Loaded in bulk without a timeline: the rule before holds.
      await db.deleteFrom('work_order_events').where('work_order_id', '=', bulk.id).execute();
      await db
        .updateTable('work_orders')
        .set({ accepted_at: later(bulk, 7) })
        .where('id', '=', bulk.id)
        .execute();
      assert.deepEqual(await rollupMismatches(db, 'before_2026120870'), []);
      const before = await responded(db);

      await migration.up(raw);
      const rows = new Map(
        (await db.selectFrom('work_orders').select(['id', 'first_response_at']).execute()).map((o) => [
          o.id,
          o.first_response_at,
        ]),
      );
      assert.equal(rows.get(follower.id), null, 'the duplicate that followed a referral was never answered');
      assert.equal(rows.get(returned.id), null, 'nor the one sent back to work');
      assert.equal(rows.get(bulk.id), later(bulk, 7), 'an order without a timeline: its acceptance');
      for (const o of answered)
        if (![follower.id, returned.id, bulk.id].includes(o.id))
          assert.equal(rows.get(o.id), o.first_response_at, `order ${o.id}: as the lifecycle set it`);
      assert.equal(await responded(db), before - 2);
      assert.deepEqual(await rollupMismatches(db), []);

      // The triggers follow the column.
      await db
        .updateTable('work_orders')
        .set({ first_response_at: later(follower, 1) })
        .where('id', '=', follower.id)
        .execute();
      assert.equal(await responded(db), before - 1);
      assert.deepEqual(await rollupMismatches(db), []);

      await migration.down(raw);
      assert.deepEqual(await rollupMismatches(db, 'before_2026120870'), []);
      await migration.up(raw);
      assert.deepEqual(await rollupMismatches(db), []);
    } finally {
      await fresh.dispose();
    }
  });
});

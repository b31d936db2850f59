/**
 * The search text of orders written before `search_text` existed: the migration fills it for
 * every description that holds contact data (on both databases, in pages), and only for those.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { freshDatabase } from '../helpers.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import { backfillSearchText } from '../../src/platform/db/migrations/2026120580_search_text.ts';
import { backfillFoldedText } from '../../src/platform/db/migrations/2026120650_search_width.ts';
import type { Database } from '../../src/platform/db/database.ts';

describe('migration 2026120580: search text of existing orders', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let database: Database;
  before(async () => {
    fresh = await freshDatabase();
    database = fresh.database;
    await seedDemo(database, { ordersPerCommunity: 1200, now: new Date('2026-11-20T02:00:00Z') });
  });
  after(() => fresh.dispose());

  it('blanks contact data of old descriptions, across pages, and leaves the rest null', async () => {
    const db = database.db;
    const ids = (await db.selectFrom('work_orders').select('id').orderBy('id').execute()).map((r) => r.id);
    assert.ok(ids.length > 2000, 'more orders than one page');
    // Three old orders with numbers typed in, one in the second page, as a pre-migration row is.
    const typed = [ids[3], ids[1500], ids[ids.length - 1]] as string[];
    for (const [i, id] of typed.entries()) {
      await db
        .updateTable('work_orders')
        .set({ description: `第${i}单 回电1391234567${i} 身份证44030119900101123${i}` })
        .where('id', '=', id)
        .execute();
    }
    await db.updateTable('work_orders').set({ search_text: null }).execute();
    await backfillSearchText(db as unknown as Kysely<unknown>);
    const rows = await db
      .selectFrom('work_orders')
      .select(['id', 'search_text'])
      .where('search_text', 'is not', null)
      .orderBy('id')
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r.search_text]));
    for (const [i, id] of typed.entries()) assert.equal(byId.get(id), `第${i}单 回电*** 身份证***`);
    const demoTyped = rows.filter((r) => !typed.includes(r.id));
    for (const r of demoTyped) assert.match(r.search_text ?? '', /\*\*\*/);
  });

  it('migration 2026120650 folds full-width digits and letters of old orders, across pages, and only theirs', async () => {
    const db = database.db;
    const ids = (await db.selectFrom('work_orders').select('id').orderBy('id').execute()).map((r) => r.id);
    const wide = [ids[5], ids[1700], ids[ids.length - 2]] as string[];
    for (const [i, id] of wide.entries()) {
      await db
        .updateTable('work_orders')
        .set({
          description: `${i}号 ３号楼ＷｉＦｉ坏了 回电1391234567${i}`,
          address: i === 1 ? '桃源村' : `桃源村５栋${i}`,
        })
        .where('id', '=', id)
        .execute();
    }
    // As rows written before the columns existed: nothing folded, search text unfolded.
    await db
      .updateTable('work_orders')
      .set({ description_folded: null, address_folded: null, search_text: null })
      .execute();
    await backfillSearchText(db as unknown as Kysely<unknown>);
    await backfillFoldedText(db as unknown as Kysely<unknown>);
    const rows = await db
      .selectFrom('work_orders')
      .select(['id', 'description_folded', 'address_folded', 'search_text'])
      .where((eb) => eb.or([eb('description_folded', 'is not', null), eb('address_folded', 'is not', null)]))
      .orderBy('id')
      .execute();
    assert.deepEqual(
      rows.map((r) => r.id),
      [...wide].sort(),
    );
    for (const [i, id] of wide.entries()) {
      const r = rows.find((x) => x.id === id);
      assert.equal(r?.description_folded, `${i}号 3号楼WiFi坏了 回电1391234567${i}`);
      assert.equal(r?.address_folded, i === 1 ? null : `桃源村5栋${i}`);
      assert.equal(r?.search_text, `${i}号 3号楼WiFi坏了 回电***`);
    }
  });
});

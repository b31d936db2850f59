/**
 * Photo files no order points at (a node that died between writing a report's photos and
 * committing it) are removed once old enough; files of orders, and recent files that a create
 * may still be committing, stay. The same with photos on disk and in the database.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { plainPng } from '../image-fixtures.ts';
import { ORPHAN_AGE_MS, sweepOrphanPhotos } from '../../src/modules/work-orders/photo-sweep.ts';
import type { StoredFileTables } from '../../src/platform/files.database.ts';

for (const fileStore of ['disk', 'database'] as const) {
  describe(`orphan photo files (${fileStore} store)`, () => {
    let ctx: TestContext;
    before(async () => {
      ctx = await createTestContext({ orders: 0, config: { fileStore } });
    });
    after(() => ctx.close());

    /** Makes a file look written at `at`, as a node that died then would have left it. */
    const age = async (key: string, at: Date) => {
      if (fileStore === 'disk') return utimesSync(join(ctx.deps.config.filesDir, key), at, at);
      await ctx.database.db
        .withTables<StoredFileTables>()
        .updateTable('stored_files')
        .set({ created_at: at.toISOString() })
        .where('key', '=', key)
        .execute();
    };

    it("removes old files no order names, and keeps orders' photos and recent files", async () => {
      const agent = await ctx.login('agent');
      const made = await ctx.call('POST', '/api/v1/work-orders', agent, {
        channel: 'hotline',
        description: '照片清理测试：楼道墙皮脱落',
        photos: [{ contentType: 'image/png', dataBase64: plainPng().toString('base64') }],
      });
      assert.equal(made.statusCode, 201, made.body);
      const [photo] = await ctx.database.db.selectFrom('work_order_photos').select('file_key').execute();
      assert.ok(photo);
      // What a node that died before its commit leaves: old files, one just written.
      const orphans = Array.from({ length: 3 }, (_, i) => `photos/0000aaaa/0000aaaa-orphan-old-${i}`);
      for (const key of [...orphans, 'photos/0000aaaa/0000aaaa-orphan-new'])
        await ctx.deps.files.put(key, plainPng());
      const old = new Date(Date.now() - ORPHAN_AGE_MS - 60_000);
      for (const key of [photo.file_key, ...orphans]) await age(key, old);

      assert.equal(await sweepOrphanPhotos(ctx.database.db, ctx.deps.files, Date.now()), 3);
      for (const key of orphans) assert.equal(await ctx.deps.files.get(key), null, `${key} removed`);
      assert.ok(await ctx.deps.files.get('photos/0000aaaa/0000aaaa-orphan-new'), 'too recent to judge');
      assert.ok(await ctx.deps.files.get(photo.file_key), "an order's photo stays");
      assert.equal(await sweepOrphanPhotos(ctx.database.db, ctx.deps.files, Date.now()), 0);
      const served = await ctx.call(
        'GET',
        `/api/v1/work-orders/${(made.json() as { id: string }).id}`,
        agent,
      );
      const url = (served.json() as { photos: { url: string }[] }).photos[0]?.url ?? '';
      assert.equal((await ctx.call('GET', url, agent)).statusCode, 200);
    });
  });
}

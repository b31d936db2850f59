/**
 * Photo files no order points at (a node that died between writing a report's photos and
 * committing it) are removed once old enough; files of orders, and recent files that a create
 * may still be committing, stay.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { plainPng } from '../image-fixtures.ts';
import { ORPHAN_AGE_MS, sweepOrphanPhotos } from '../../src/modules/work-orders/photo-sweep.ts';

describe('orphan photo files', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 0 });
  });
  after(() => ctx.close());

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
    const root = join(ctx.dataDir, 'files');
    // What a node that died before its commit leaves: one old file, one just written.
    await ctx.deps.files.put('photos/0000aaaa/0000aaaa-orphan-old', plainPng());
    await ctx.deps.files.put('photos/0000aaaa/0000aaaa-orphan-new', plainPng());
    const old = new Date(Date.now() - ORPHAN_AGE_MS - 60_000);
    for (const key of [photo.file_key, 'photos/0000aaaa/0000aaaa-orphan-old'])
      utimesSync(join(root, key), old, old);

    assert.equal(await sweepOrphanPhotos(ctx.database.db, ctx.deps.files, Date.now()), 1);
    assert.equal(existsSync(join(root, 'photos/0000aaaa/0000aaaa-orphan-old')), false);
    assert.equal(existsSync(join(root, 'photos/0000aaaa/0000aaaa-orphan-new')), true, 'too recent to judge');
    assert.equal(existsSync(join(root, photo.file_key)), true, "an order's photo stays");
    assert.equal(await sweepOrphanPhotos(ctx.database.db, ctx.deps.files, Date.now()), 0);
  });
});

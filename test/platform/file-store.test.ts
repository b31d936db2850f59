/**
 * The file store's contract, kept by the disk store and by the database store (on the database of
 * this run: SQLite, or PostgreSQL with DATABASE_URL): what is put is got back byte for byte,
 * replaced whole, listed under its prefix without its bytes and by age, and gone once deleted; a
 * missing key is null, and deleting it is no error.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freshDatabase } from '../helpers.ts';
import { DiskFileStore } from '../../src/platform/files.ts';
import type { FileStore } from '../../src/platform/files.ts';
import { DatabaseFileStore } from '../../src/platform/files.database.ts';

const listAll = async (store: FileStore, prefix: string, options = {}) => {
  const pages: string[][] = [];
  for await (const page of store.list(prefix, options)) pages.push(page.map((f) => f.key));
  return pages;
};

for (const kind of ['disk', 'database'] as const) {
  describe(`the ${kind} file store`, () => {
    let fresh: Awaited<ReturnType<typeof freshDatabase>>;
    let clock = Date.now();
    let store: FileStore;
    before(async () => {
      fresh = await freshDatabase();
      store =
        kind === 'disk'
          ? new DiskFileStore(join(fresh.dataDir, 'files'))
          : new DatabaseFileStore(fresh.database.db, () => clock);
    });
    after(() => fresh.dispose());

    it('gives back what was put, byte for byte, and null for a key never put', async () => {
      const photo = randomBytes(5 * 1024 * 1024); // the largest photo accepted
      await store.put('photos/aaaa0001/aaaa0001-x', photo);
      const got = await store.get('photos/aaaa0001/aaaa0001-x');
      assert.ok(got && got.equals(photo));
      assert.equal(await store.get('photos/aaaa0001/aaaa0001-missing'), null);
      const empty = Buffer.alloc(0);
      await store.put('photos/aaaa0001/aaaa0001-empty', empty);
      assert.equal((await store.get('photos/aaaa0001/aaaa0001-empty'))?.length, 0);
    });

    it('replaces a file put again under its key', async () => {
      await store.put('photos/aaaa0002/aaaa0002-y', Buffer.from('first'));
      await store.put('photos/aaaa0002/aaaa0002-y', Buffer.from('second, longer'));
      assert.equal((await store.get('photos/aaaa0002/aaaa0002-y'))?.toString(), 'second, longer');
    });

    it('deletes a file, and a missing one without an error', async () => {
      await store.put('photos/aaaa0003/aaaa0003-z', Buffer.from('z'));
      await store.delete('photos/aaaa0003/aaaa0003-z');
      assert.equal(await store.get('photos/aaaa0003/aaaa0003-z'), null);
      await store.delete('photos/aaaa0003/aaaa0003-z');
      await store.delete('photos/never/never-put');
    });

    it('lists the files under a prefix only, in pages, and those older than a time', async () => {
      await store.put('other/bbbb0001/not-a-photo', Buffer.from('o'));
      await store.put('photosish/bbbb0001/not-under-photos', Buffer.from('o'));
      const keys = (await listAll(store, 'photos')).flat().sort();
      assert.deepEqual(keys, [
        'photos/aaaa0001/aaaa0001-empty',
        'photos/aaaa0001/aaaa0001-x',
        'photos/aaaa0002/aaaa0002-y',
      ]);
      assert.deepEqual(await listAll(store, 'nothing-here'), []);

      const pages = await listAll(store, 'photos', { pageSize: 2 });
      assert.deepEqual(
        pages.map((p) => p.length),
        [2, 1],
      );
      assert.deepEqual(pages.flat().sort(), keys, 'each file once across pages');

      for await (const page of store.list('photos'))
        for (const f of page) assert.ok(Math.abs(f.modifiedAt - Date.now()) < 60_000, `${f.key} written now`);
      const cut = Date.now() + 60_000;
      assert.equal((await listAll(store, 'photos', { modifiedBefore: cut })).flat().length, 3);
      assert.deepEqual(await listAll(store, 'photos', { modifiedBefore: Date.now() - 60_000 }), []);
    });

    it('keeps listing when files are deleted between pages', async () => {
      for (let i = 0; i < 5; i++) await store.put(`paged/cccc/c-${i}`, Buffer.from(String(i)));
      const seen: string[] = [];
      for await (const page of store.list('paged', { pageSize: 2 }))
        for (const f of page) {
          seen.push(f.key);
          await store.delete(f.key);
        }
      assert.equal(seen.length, 5);
      assert.deepEqual(await listAll(store, 'paged'), []);
    });

    if (kind === 'database')
      it('dates each file by the time it was written, which a later write moves', async () => {
        clock = Date.parse('2026-01-01T00:00:00Z');
        await store.put('dated/d/old', Buffer.from('old'));
        clock = Date.now();
        await store.put('dated/d/new', Buffer.from('new'));
        const [page] = await listAll(store, 'dated', { modifiedBefore: Date.parse('2026-06-01T00:00:00Z') });
        assert.deepEqual(page, ['dated/d/old']);
        await store.put('dated/d/old', Buffer.from('old, again'));
        assert.deepEqual(
          await listAll(store, 'dated', { modifiedBefore: Date.parse('2026-06-01T00:00:00Z') }),
          [],
        );
      });
  });
}

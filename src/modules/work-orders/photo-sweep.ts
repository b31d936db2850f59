/**
 * Photo files that no order points at. A create writes its photos before its order commits, so
 * that an order never points at a missing file; a create that is refused or answered with an
 * earlier order removes its files itself, but a node that dies between the write and the commit
 * leaves them behind: residents' photos that nothing shows and nobody can delete. This sweep
 * removes such files once they are old enough that no create can still be on its way.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { FileStore } from '../../platform/files.ts';

/** Files younger than this may belong to a create still being committed, on this node or another. */
export const ORPHAN_AGE_MS = 60 * 60 * 1000;

/**
 * Removes photo files written more than `olderThanMs` before `now` that no photo row names;
 * answers how many. Works a page of keys at a time (never a file's bytes), whichever the store.
 */
export async function sweepOrphanPhotos(
  db: Kysely<DB>,
  files: FileStore,
  now: number,
  olderThanMs = ORPHAN_AGE_MS,
): Promise<number> {
  let removed = 0;
  for await (const page of files.list('photos', { modifiedBefore: now - olderThanMs })) {
    if (page.length === 0) continue;
    const kept = new Set(
      (
        await db
          .selectFrom('work_order_photos')
          .select('file_key')
          .where(
            'file_key',
            'in',
            page.map((f) => f.key),
          )
          .execute()
      ).map((r) => r.file_key),
    );
    for (const f of page) {
      if (kept.has(f.key)) continue;
      await files.delete(f.key);
      removed += 1;
    }
  }
  return removed;
}

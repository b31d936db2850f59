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

/** Removes photo files older than `olderThanMs` that no photo row names; answers how many. */
export async function sweepOrphanPhotos(
  db: Kysely<DB>,
  files: FileStore,
  now: number,
  olderThanMs = ORPHAN_AGE_MS,
): Promise<number> {
  const old = (await files.list('photos')).filter((f) => now - f.modifiedAt > olderThanMs);
  let removed = 0;
  for (let i = 0; i < old.length; i += 500) {
    const chunk = old.slice(i, i + 500);
    const kept = new Set(
      (
        await db
          .selectFrom('work_order_photos')
          .select('file_key')
          .where(
            'file_key',
            'in',
            chunk.map((f) => f.key),
          )
          .execute()
      ).map((r) => r.file_key),
    );
    for (const f of chunk) {
      if (kept.has(f.key)) continue;
      await files.delete(f.key);
      removed += 1;
    }
  }
  return removed;
}

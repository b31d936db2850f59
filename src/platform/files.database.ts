/**
 * Uploaded files kept in the database (`stored_files`, migration `2026120600_stored_files`), so
 * that every app node serves every file: on disk, a photo taken by one node was a 404 on the
 * others. The default with PostgreSQL (several stateless nodes); the disk store stays the default
 * on SQLite (one machine). Photos are at most 5 MB, and each call moves one file: a listing
 * reads keys and times only.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DB } from './db/schema.ts';
import { LIST_PAGE_SIZE } from './files.ts';
import type { FileStore, ListOptions, StoredFile } from './files.ts';

export type StoredFileTables = {
  stored_files: { key: string; data: Buffer; size_bytes: number; created_at: string };
};

export class DatabaseFileStore implements FileStore {
  private readonly t: Kysely<DB & StoredFileTables>;

  /** `now` stamps each write, as a file's modification time does on disk (the sweep compares it). */
  constructor(
    db: Kysely<DB>,
    private readonly now: () => number = Date.now,
  ) {
    this.t = db.withTables<StoredFileTables>();
  }

  async put(key: string, data: Buffer): Promise<void> {
    if (key === '') throw new Error('a file key may not be empty');
    // One statement: a reader sees the old row or the new one, never half a file.
    await this.t
      .insertInto('stored_files')
      .values({
        key,
        data,
        size_bytes: data.length,
        created_at: new Date(this.now()).toISOString(),
      })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          // From the row offered, so the bytes are sent once, not twice.
          data: eb.ref('excluded.data'),
          size_bytes: eb.ref('excluded.size_bytes'),
          created_at: eb.ref('excluded.created_at'),
        })),
      )
      .execute();
  }

  async get(key: string): Promise<Buffer | null> {
    const row = await this.t
      .selectFrom('stored_files')
      .select('data')
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row) return null;
    // Both drivers answer a Buffer; a copy would double a 5 MB photo for nothing.
    return Buffer.isBuffer(row.data) ? row.data : Buffer.from(row.data);
  }

  async delete(key: string): Promise<void> {
    await this.t.deleteFrom('stored_files').where('key', '=', key).execute();
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<StoredFile[]> {
    const { modifiedBefore, pageSize = LIST_PAGE_SIZE } = options;
    const start = `${prefix}/`;
    // Pages by key (the primary key's order, whatever the collation), after the last key seen,
    // so files deleted between pages move nothing. substr rather than LIKE: a key holding `_` or
    // `%` needs no escaping, and SQLite's LIKE ignores case.
    let after = '';
    for (;;) {
      let q = this.t
        .selectFrom('stored_files')
        .select(['key', 'created_at'])
        .where(sql<string>`substr(key, 1, ${sql.lit(start.length)})`, '=', start)
        .where('key', '>', after)
        .orderBy('key')
        .limit(pageSize);
      if (modifiedBefore !== undefined && Number.isFinite(modifiedBefore))
        q = q.where('created_at', '<', new Date(modifiedBefore).toISOString());
      const rows = await q.execute();
      if (rows.length === 0) return;
      yield rows.map((r) => ({ key: r.key, modifiedAt: Date.parse(r.created_at) }));
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]?.key ?? '';
    }
  }
}

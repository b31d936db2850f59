import { PostgresAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * `stored_files`: uploaded files (photos) kept in the database, so that every app node serves
 * every file (`src/platform/files.database.ts`). Keyed by the file key; the bytes are `bytea` on
 * PostgreSQL and a `blob` on SQLite, with their size and when they were written (ISO-8601 text,
 * as every time), which the photo sweep reads to leave files a create may still be committing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable('stored_files')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('data', pg ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // Photos are JPEG, PNG, WebP or GIF: already compressed. EXTERNAL keeps them out of line
  // (TOAST) without PostgreSQL first trying to compress every one of them.
  if (pg) await sql`alter table stored_files alter column data set storage external`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('stored_files').execute();
}

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

import { PostgresAdapter, type Kysely } from 'kysely';

/** Whether a Kysely handle (the database, a transaction or a connection) talks to PostgreSQL. */
export const isPostgres = <T>(db: Kysely<T>): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

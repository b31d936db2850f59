/**
 * Progress of a migration's data work. Kysely calls a migration's `up(db)` with nothing else, so
 * whoever migrates (the command line, `linli serve`) hands its progress reporter to
 * `migrateToLatest`, which keeps it for the run in an `AsyncLocalStorage`; a migration that
 * reads a table a page at a time asks for a meter and counts its rows on it. Without a reporter
 * (tests, the server built in-process) the meter counts nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Counts one migration's rows: `update` after each page, `finish` at the end. */
export interface MigrationMeter {
  update(done: number, total?: number): void;
  finish(): void;
}

/** Starts a meter for one migration's work: what it does ("indexing the search") and what it counts ("orders"). */
export type MigrationProgress = (label: string, unit: string, total?: number) => MigrationMeter;

const current = new AsyncLocalStorage<MigrationProgress>();

const silent: MigrationMeter = { update() {}, finish() {} };

/** Runs `work` (a migration run) with `progress` as the reporter its migrations find. */
export function withMigrationProgress<T>(progress: MigrationProgress | undefined, work: () => Promise<T>) {
  return progress ? current.run(progress, work) : work();
}

/** A meter for the running migration's work; one that counts nothing when nobody asked for progress. */
export function migrationMeter(label: string, unit: string, total?: number): MigrationMeter {
  return current.getStore()?.(label, unit, total) ?? silent;
}

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
/** Runs holding `current` now: the storage is switched off when the last one ends (see below). */
let running = 0;

const silent: MigrationMeter = { update() {}, finish() {} };

/**
 * Runs `work` (a migration run) with `progress` as the reporter its migrations find.
 *
 * An `AsyncLocalStorage` that has run once turns on Node's promise hooks for the whole process
 * and leaves them on: every promise the server made afterwards paid for them (about 4% of an
 * order's intake in a profile of a node started by `linli serve`, whose start-up migrates with a
 * reporter). So the storage is switched off again when no run holds it.
 */
export async function withMigrationProgress<T>(
  progress: MigrationProgress | undefined,
  work: () => Promise<T>,
): Promise<T> {
  if (!progress) return work();
  running++;
  try {
    return await current.run(progress, work);
  } finally {
    if (--running === 0) current.disable();
  }
}

/** A meter for the running migration's work; one that counts nothing when nobody asked for progress. */
export function migrationMeter(label: string, unit: string, total?: number): MigrationMeter {
  return current.getStore()?.(label, unit, total) ?? silent;
}

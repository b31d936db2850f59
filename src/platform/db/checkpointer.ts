/**
 * SQLite WAL checkpoints on a worker thread.
 *
 * In WAL mode every commit appends pages to the log; a checkpoint copies them back into the
 * database file and, with `synchronous = NORMAL`, waits for both files to reach the disk. By
 * default SQLite does that inside whichever commit crosses 1,000 log pages, on the thread that
 * committed: under intake load every twentieth batch of orders, and every request in it, waits
 * for two fsyncs. Here a worker thread with its own connection runs a PASSIVE checkpoint a few
 * times a second (PASSIVE never blocks writers or readers), and the main connection's
 * automatic checkpoints are turned off while the worker runs. If the worker fails, automatic
 * checkpoints come back on, so the log can never grow without bound.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

// CommonJS run with `eval`: a worker needs no file of its own, in the bundle or from source.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
let runs = 0;
let report = false;
const tick = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    runs++;
    if (report) parentPort.postMessage({ type: 'checkpoint', runs, log: r.log, checkpointed: r.checkpointed });
    report = false;
  } catch (e) {
    parentPort.postMessage({ type: 'error', message: String(e && e.message || e) });
  }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m === 'report') report = true;
  if (m !== 'stop') return;
  clearInterval(timer);
  tick();
  db.close();
  parentPort.postMessage({ type: 'stopped', runs });
  parentPort.close();
});
`;

export interface CheckpointReport {
  runs: number;
  /** Frames in the log and frames copied back at the last checkpoint. */
  log: number;
  checkpointed: number;
}

export interface Checkpointer {
  /** Runs a last checkpoint, stops the worker and restores automatic checkpoints. */
  stop(): Promise<void>;
  /** Resolves at the worker's next checkpoint (tests). */
  next(): Promise<CheckpointReport>;
}

export function startCheckpointer(
  sqlite: SQLite.Database,
  file: string,
  options: { intervalMs?: number; onError?: (message: string) => void } = {},
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const waiting: Array<(r: CheckpointReport) => void> = [];
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver, file, intervalMs: options.intervalMs ?? 200 },
    // It holds a connection and a timer: a few MB of heap at most.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
  });
  let running = true;
  const fallBack = (message: string) => {
    if (!running) return;
    running = false;
    if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
    options.onError?.(message);
  };
  worker.on('message', (m: { type: string; message?: string } & CheckpointReport) => {
    if (m.type === 'checkpoint') for (const w of waiting.splice(0)) w(m);
    else if (m.type === 'error') options.onError?.(`WAL checkpoint failed: ${m.message ?? ''}`);
  });
  worker.on('error', (e) => fallBack(`WAL checkpointer stopped: ${e.message}; checkpoints run inline`));
  worker.on('exit', (code) => {
    if (running) fallBack(`WAL checkpointer exited (${code}); checkpoints run inline`);
  });
  // The worker does not keep the process alive on its own: the server's socket does.
  worker.unref();
  sqlite.pragma('wal_autocheckpoint = 0');
  return {
    next: () =>
      new Promise<CheckpointReport>((resolve) => {
        // Someone is waiting for the worker: keep the process alive until it answers.
        worker.ref();
        waiting.push((r) => {
          worker.unref();
          resolve(r);
        });
        worker.postMessage('report');
      }),
    stop: async () => {
      if (!running) return;
      running = false;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.ref();
      worker.postMessage('stop');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
      await worker.terminate();
      if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
    },
  };
}

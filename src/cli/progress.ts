/**
 * Progress of a long command-line job, on standard error (standard output stays the job's own:
 * an export to stdout is the file). On a terminal one line is rewritten a few times a second; in
 * a log or a pipe a line is written every few seconds, and none at all for a job that ends
 * sooner, so short runs and scripts that read the output see nothing new.
 */

export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** What is counted, plural: "orders", "entries". */
  unit: string;
  /** The whole, when it is known beforehand. */
  total?: number | null;
  sink?: ProgressSink;
  now?: () => number;
  /** Between two lines on a terminal. */
  ttyEveryMs?: number;
  /** Between two lines in a log, and before the first. */
  logEveryMs?: number;
}

export interface Progress {
  /** `done` so far (of `total`, when the whole is learnt on the way); writes a line when one is due. */
  update(done: number, total?: number): void;
  /** Clears the terminal line (the command prints its own result). */
  finish(): void;
}

const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return s ? `${m} min ${s} s` : `${m} min`;
}

/**
 * One progress line: how many of how many, the share, the rate and the time left at that rate.
 * Pure, so the wording is tested without a clock.
 */
export function progressLine(
  label: string,
  unit: string,
  done: number,
  total: number | null | undefined,
  elapsedMs: number,
): string {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? done / seconds : 0;
  const parts = [`${label}: ${thousands(done)}`];
  if (total && total > 0) {
    const share = Math.min(100, Math.floor((done / total) * 100));
    parts[0] += ` of ${thousands(total)} ${unit} (${share} %)`;
  } else parts[0] += ` ${unit}`;
  if (rate > 0 && seconds >= 1) parts.push(`${thousands(rate)}/s`);
  if (total && rate > 0 && done < total && seconds >= 1)
    parts.push(`about ${duration((total - done) / rate)} left`);
  return parts.join(', ');
}

export function startProgress(label: string, options: ProgressOptions): Progress {
  const sink = options.sink ?? process.stderr;
  const now = options.now ?? Date.now;
  const tty = sink.isTTY === true;
  const every = tty ? (options.ttyEveryMs ?? 250) : (options.logEveryMs ?? 5_000);
  const started = now();
  let next = started + every;
  let shown = false;
  let whole = options.total;
  return {
    update(done, total) {
      if (total !== undefined) whole = total;
      const t = now();
      if (t < next) return;
      next = t + every;
      const line = progressLine(label, options.unit, done, whole, t - started);
      sink.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
      shown = true;
    },
    finish() {
      if (tty && shown) sink.write('\r\x1b[K');
    },
  };
}

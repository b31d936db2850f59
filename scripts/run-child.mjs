// Runs a child process that the caller stands for: its signals (SIGINT, SIGTERM, SIGHUP) are
// passed on, and the caller exits with the child's code once it ends.
import { spawn } from 'node:child_process';

/** Spawns `command` with `args`; forwards the signals; resolves to the child's exit code. */
export function runForwarding(command, args, options) {
  const child = spawn(command, args, options);
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, forward);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      resolve(code ?? (signal ? 1 : 0));
    }),
  );
}

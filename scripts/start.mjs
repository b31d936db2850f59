#!/usr/bin/env node
// `npm start`: builds the web apps and the server bundle when missing or older than their
// sources, then serves the whole product with the demo community on first run.
import { existsSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runForwarding } from './run-child.mjs';
import { buildServer } from './build-server.mjs';

function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}
const stale = (output, ...sources) =>
  !existsSync(output) || Math.max(...sources.map(newest)) > statSync(output).mtimeMs;

if (existsSync('web/index.html') && stale('dist/web/index.html', 'web')) {
  console.log('building the web apps…');
  const r = spawnSync(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (stale('dist/server/linli.mjs', 'src')) {
  console.log('building the server…');
  await buildServer();
}
// V8 settings the server runs with (scripts/server-node-flags.json): a young generation of
// 2 × 8 MB instead of 2 × 16 MB keeps the resident size under load about 15 MB lower.
const nodeFlags = JSON.parse(readFileSync('scripts/server-node-flags.json', 'utf8'));
// Environment the server starts with (scripts/server-env.json), unless the operator set it:
// two malloc arenas instead of one per thread keep the resident size under load about 13 MB lower.
const serverEnv = JSON.parse(readFileSync('scripts/server-env.json', 'utf8'));
// The server runs as a child that `npm start` waits for, passing on the signals it gets: a
// SIGTERM to `npm start` (a service manager, a container stop) used to leave the server running.
process.exit(
  await runForwarding(
    process.execPath,
    [...nodeFlags, 'dist/server/linli.mjs', 'serve', '--demo', ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...serverEnv, ...process.env } },
  ),
);

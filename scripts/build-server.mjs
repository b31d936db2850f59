#!/usr/bin/env node
// Bundles the server and CLI into dist/server/linli.mjs (dependencies stay in node_modules),
// so production runs plain JavaScript: faster start and about half the memory of compiling
// TypeScript on the fly. The shipped classifier model is copied beside the bundle.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

export async function buildServer() {
  await build({
    entryPoints: ['src/cli/main.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: 'dist/server/linli.mjs',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  mkdirSync('dist/server/models', { recursive: true });
  copyFileSync('src/modules/classification/models/default.json', 'dist/server/models/default.json');
}

if (import.meta.url === `file://${process.argv[1]}`) await buildServer();

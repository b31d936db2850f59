/**
 * A file written whole (`writeWhole`: a part file renamed when complete) leaves no part file
 * behind when the process is stopped by a signal half way; an export's part file held the names
 * and addresses written so far.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('writeWhole and signals', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`removes the part file when ${signal} stops the writer`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'linli-whole-'));
      try {
        const file = join(dir, 'export.csv');
        const program = `
          import { writeWhole } from './src/platform/files.ts';
          import { writeFileSync } from 'node:fs';
          await writeWhole(${JSON.stringify(file)}, async (part) => {
            writeFileSync(part, 'number,address\\r\\n');
            console.log('writing');
            await new Promise(() => setInterval(() => {}, 1000));
          });`;
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.includes('writing')) resolve();
          });
          child.once('exit', () => reject(new Error(`ended first: ${out}`)));
        });
        assert.equal(readdirSync(dir).filter((f) => f.endsWith('.part')).length, 1, 'writing a part file');
        child.kill(signal);
        assert.equal(await exited, signal === 'SIGINT' ? 130 : 143, out);
        assert.deepEqual(readdirSync(dir), [], 'nothing left');
        assert.equal(existsSync(file), false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

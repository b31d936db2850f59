import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freshDatabase } from '../helpers.ts';

/**
 * Migrating with a progress reporter (what `linli serve` and `linli migrate` do) keeps the
 * reporter in an AsyncLocalStorage, which turns Node's promise hooks on for the whole process.
 * The server then paid for them on every promise of every request for the rest of its life (about
 * 4% of an order's intake). Measured in a process of its own: the test runner has hooks of its own.
 */
describe('migrating with progress reports', () => {
  it('leaves no promise hook on in the process once the run is over', async () => {
    const fresh = await freshDatabase({ migrate: false });
    try {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...(fresh.database.schema
          ? { LINLI_DB_SCHEMA: fresh.database.schema }
          : { SQLITE_FILE: join(fresh.dataDir, 'hooks.sqlite') }),
        START_AT: '0',
        PROGRESS: '1',
      };
      const out = await new Promise<string>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'test/db/migrate-child.ts'], { env });
        let text = '';
        child.stdout.on('data', (d: Buffer) => (text += d.toString()));
        child.stderr.on('data', (d: Buffer) => (text += d.toString()));
        child.once('exit', () => resolve(text));
      });
      const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
        applied?: number;
        meters?: number;
        asyncId?: number;
      };
      assert.ok((result.applied ?? 0) > 10, out);
      // The reporter was used: the run held the storage (the search index's migration asks for a meter).
      assert.ok((result.meters ?? 0) >= 1, out);
      assert.equal(result.asyncId, 0, 'a promise continuation after the run has an async id: hooks are on');
    } finally {
      await fresh.dispose();
    }
  });
});

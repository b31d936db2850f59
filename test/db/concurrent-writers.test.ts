/**
 * A transaction that reads and then writes, while another process holds a write transaction on
 * the same database (the command line beside a running server, a second node): it waits for the
 * lock and commits. On SQLite a transaction that began deferred failed at once with "database is
 * locked" instead (its read snapshot went stale when the other committed, and SQLite does not
 * wait for that); transactions now begin immediate.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freshDatabase } from '../helpers.ts';
import { openDatabase } from '../../src/platform/db/database.ts';

describe('two processes writing one database', () => {
  it('a read-then-write transaction waits for the other writer and commits', async () => {
    const fresh = await freshDatabase();
    const file = join(fresh.dataDir, 'test.sqlite');
    // On SQLite, a second handle on the file, as another process has.
    const mine = fresh.database.schema ? fresh.database : await openDatabase({ sqliteFile: file });
    try {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...(fresh.database.schema ? { LINLI_DB_SCHEMA: fresh.database.schema } : { SQLITE_FILE: file }),
        HOLD_MS: '800',
      };
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/db/hold-write-child.ts'], { env });
      let out = '';
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('holding')) resolve();
        });
        child.once('exit', () => reject(new Error(`child ended first: ${out}`)));
      });
      // Read, let the other commit, then write: the deferred begin failed exactly here.
      await mine.db.transaction().execute(async (trx) => {
        await trx.selectFrom('sequences').selectAll().execute();
        await new Promise((r) => setTimeout(r, 1200));
        await trx.insertInto('sequences').values({ name: 'mine', value: 2 }).execute();
      });
      assert.equal(await exited, 0, out);
      const names = (await mine.db.selectFrom('sequences').select('name').execute()).map((r) => r.name);
      assert.ok(names.includes('mine'));
      assert.ok(names.some((n) => n.startsWith('held:')));
    } finally {
      if (mine !== fresh.database) await mine.destroy();
      await fresh.dispose();
    }
  });
});

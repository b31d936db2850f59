import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { startCheckpointer } from './checkpointer.ts';

function walDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'linli-ckpt-'));
  const file = join(dir, 'db.sqlite');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.exec('create table t (id integer primary key, body text not null)');
  return { dir, file, sqlite };
}

const autocheckpoint = (sqlite: SQLite.Database) =>
  Number(sqlite.pragma('wal_autocheckpoint', { simple: true }));

test('a worker thread copies the log back while commits go on; inline checkpoints return when it stops', async () => {
  const { dir, file, sqlite } = walDatabase();
  try {
    const ckpt = startCheckpointer(sqlite, file, { intervalMs: 20 });
    assert.equal(autocheckpoint(sqlite), 0, 'no checkpoint inside commits while the worker runs');
    const insert = sqlite.prepare('insert into t (body) values (?)');
    const body = 'x'.repeat(2000);
    // About 3,000 pages of log: three times what an inline checkpoint would let through.
    for (let batch = 0; batch < 60; batch++) {
      sqlite.transaction(() => {
        for (let i = 0; i < 100; i++) insert.run(body);
      })();
    }
    let report = await ckpt.next();
    for (let i = 0; i < 50 && report.checkpointed < report.log; i++) report = await ckpt.next();
    assert.ok(report.log > 0, 'the log had frames');
    assert.equal(report.checkpointed, report.log, 'every frame copied back to the database file');
    await ckpt.stop();
    assert.equal(autocheckpoint(sqlite), 1000);
    assert.equal(Number(sqlite.prepare('select count(*) from t').pluck().get()), 6000);
    // The database file holds the rows now, not only the log.
    assert.ok(statSync(file).size > 6000 * 2000);
  } finally {
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('when the worker cannot run, commits checkpoint inline again and the failure is reported', async () => {
  const { dir, sqlite } = walDatabase();
  try {
    const problems: string[] = [];
    const ckpt = startCheckpointer(sqlite, join(dir, 'missing.sqlite'), {
      intervalMs: 20,
      onError: (m) => problems.push(m),
    });
    for (let i = 0; i < 100 && problems.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0] ?? '', /checkpoints run inline/);
    assert.equal(autocheckpoint(sqlite), 1000);
    await ckpt.stop();
  } finally {
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * `linli import residents --file F`: a file past the importer's size limit is refused before it
 * is read (a 770 MB file was read whole, then refused as not being text), and a spreadsheet's
 * trailing header comma and rows of commas are taken as the API takes them.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliHarness } from './cli-harness.ts';

describe('linli import residents: the file', () => {
  const h = cliHarness('import');
  after(() => h.cleanUp());

  it('refuses a file over the limit by its size, naming the file, its size and the limit', () => {
    h.seedDemo();
    // 800 MiB that take no disk (a sparse file): reading it whole would take as much memory.
    const big = join(h.dataDir, 'huge.csv');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, 800 * 1024 * 1024);
    closeSync(fd);
    const t0 = Date.now();
    const r = h.linli(['import', 'residents', '--community', 'taoyuan', '--file', big]);
    assert.equal(r.status, 1, r.stdout);
    assert.match(
      r.stderr,
      /huge\.csv: the file is 800 MiB \(838,860,800 bytes\); an import takes a file of at most 10 MiB and 10,000 rows: split it/,
    );
    assert.doesNotMatch(r.stderr, /binary|not text/);
    assert.ok(Date.now() - t0 < 20_000);
  });

  it('skips the rows of commas a spreadsheet writes and ignores the header’s empty last column', async () => {
    h.seedDemo();
    const file = join(h.dataDir, 'sheet.csv');
    writeFileSync(
      file,
      'name,phone,address,\r\n郑一,13911130001,桃源村8栋101室,\r\n,,,\r\n郑二,13911130002,桃源村8栋102室,\r\n,,,\r\n',
    );
    const dry = h.linli(['import', 'residents', '--community', 'taoyuan', '--file', file, '--dry-run']);
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /sheet\.csv: skipped 2 empty rows/);
    assert.match(dry.stdout, /dry run: 2 rows, 0 problems/);
    const done = h.linli(['import', 'residents', '--community', 'taoyuan', '--file', file]);
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stdout, /imported 2 residents/);
    const rows = await h.sqlOn(`select name from residents where phone in ('13911130001', '13911130002')`);
    assert.equal(rows.length, 2);
  });
});

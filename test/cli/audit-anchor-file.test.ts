/**
 * `linli audit anchor --file F` and `linli audit verify`: a file in a folder that does not exist
 * is refused (a mistyped path made a new tree of folders), a chain that does not verify is not
 * anchored, and a cut tail is named by the anchored entry past the chain's end.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliHarness } from './cli-harness.ts';

describe('linli audit anchor and verify', () => {
  const h = cliHarness('anchor');
  after(() => h.cleanUp());
  const file = join(h.dataDir, 'kept-anchors.jsonl');
  const lines = () => readFileSync(file, 'utf8').trim().split('\n');
  const longzhu = "(select id from communities where code = 'longzhu')";

  it('refuses --file in a folder that does not exist, creating nothing', () => {
    h.seedDemo();
    const typo = join(h.dataDir, 'no-such', 'folder', 'anchors.jsonl');
    const r = h.linli(['audit', 'anchor', '--file', typo]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /--file .*no-such\/folder\/anchors\.jsonl: the folder .*no-such\/folder does not exist/,
    );
    assert.equal(existsSync(join(h.dataDir, 'no-such')), false, 'no folder was made');
  });

  it('names the anchored seq past the end of a cut chain', async () => {
    h.seedDemo();
    const a = h.linli(['audit', 'anchor', '--file', file, '--community', 'longzhu']);
    assert.equal(a.status, 0, a.stderr);
    const anchored = (JSON.parse(lines()[0] ?? '') as { seq: number }).seq;
    // The last three entries cut, and the head rewritten to the new end: the hashes alone agree.
    const end = anchored - 3;
    await h.sqlOn(`delete from audit_entries where community_id = ${longzhu} and seq > ${end}`);
    await h.sqlOn(
      `update audit_heads set seq = ${end}, entry_hash = (select e.entry_hash from audit_entries e where e.community_id = audit_heads.community_id and e.seq = ${end}) where community_id = ${longzhu}`,
    );
    const r = h.linli(['audit', 'verify', '--community', 'longzhu', '--anchors', file]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `^longzhu\\tBROKEN\\tthe chain no longer holds anchored entry ${anchored} \\(${end} verified entries\\): .*cut`,
      ),
    );
  });

  it('refuses to anchor a chain that does not verify, naming the community and the first bad seq', async () => {
    h.seedDemo();
    const before = readFileSync(file, 'utf8');
    await h.sqlOn(
      "update audit_entries set action = 'x' where seq = 3 and community_id = (select id from communities where code = 'taoyuan')",
    );
    const r = h.linli(['audit', 'anchor', '--file', file]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(r.stdout, '', 'no anchor printed');
    assert.match(r.stderr, /^taoyuan: the chain does not verify \(first bad seq 3\)$/m);
    assert.match(r.stderr, /nothing anchored/);
    assert.equal(readFileSync(file, 'utf8'), before, 'nothing appended');
    const one = h.linli(['audit', 'anchor', '--file', file, '--community', 'taoyuan']);
    assert.equal(one.status, 1, one.stdout + one.stderr);
    assert.equal(readFileSync(file, 'utf8'), before, 'nothing appended');
  });
});

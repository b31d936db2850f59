/**
 * Signed checkpoints on the command line: `linli audit anchor` signs what it appends with the
 * node's key, `linli audit keys` gives the public key to hand to a witness, the witness checks a
 * checkpoint with `linli audit check-checkpoint` and the two files alone, and `linli audit
 * verify` refuses an anchor file with a signed line changed afterwards.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliHarness } from './cli-harness.ts';

describe('linli audit: signed checkpoints', () => {
  const h = cliHarness('checkpoint');
  after(() => h.cleanUp());
  const anchors = join(h.dataDir, 'kept.jsonl');
  const pub = join(h.dataDir, 'node.pub.pem');
  const checkpoint = join(h.dataDir, 'checkpoint.json');

  it('signs the anchors it appends, and prints the public key to give witnesses', () => {
    h.seedDemo();
    const a = h.linli(['audit', 'anchor', '--file', anchors, '--community', 'taoyuan']);
    assert.equal(a.status, 0, a.stderr);
    const line = JSON.parse(readFileSync(anchors, 'utf8').trim()) as { keyId: string; sig: string };
    assert.match(line.keyId, /^[0-9a-f]{16}$/);
    assert.equal(Buffer.from(line.sig, 'base64').length, 64);

    const k = h.linli(['audit', 'keys']);
    assert.equal(k.status, 0, k.stderr);
    const [first, ...pem] = k.stdout.trim().split('\n');
    assert.match(first ?? '', new RegExp(`^${line.keyId}\\ted25519\\t`));
    assert.match(pem.join('\n'), /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----$/);
    writeFileSync(pub, pem.join('\n') + '\n');
  });

  it('lets a witness check a kept checkpoint with the public key alone, and finds one changed', () => {
    const line = readFileSync(anchors, 'utf8').trim();
    writeFileSync(checkpoint, line);
    const ok = h.linli(['audit', 'check-checkpoint', '--checkpoint', checkpoint, '--public-key', pub], {
      DATABASE_URL: '',
      LINLI_DATA_DIR: join(h.dataDir, 'no-database-here'),
    });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(
      ok.stdout,
      /^ok\tcommunity .*, seq \d+, hash [0-9a-f]{64}, at .*, signed by [0-9a-f]{16}\n$/,
    );

    const o = JSON.parse(line) as { seq: number };
    writeFileSync(checkpoint, JSON.stringify({ ...o, seq: o.seq + 1 }));
    const bad = h.linli(['audit', 'check-checkpoint', '--checkpoint', checkpoint, '--public-key', pub]);
    assert.equal(bad.status, 1, bad.stdout);
    assert.match(bad.stderr, /BAD: the signature does not hold/);

    const missing = h.linli(['audit', 'check-checkpoint', '--checkpoint', checkpoint]);
    assert.equal(missing.status, 2);
    const noKey = h.linli([
      'audit',
      'check-checkpoint',
      '--checkpoint',
      checkpoint,
      '--public-key',
      join(h.dataDir, 'none.pem'),
    ]);
    assert.equal(noKey.status, 1);
    assert.match(noKey.stderr, /cannot read the public key .*none\.pem \(ENOENT\)/);
  });

  it('refuses to verify with an anchor file whose signed line was changed afterwards', () => {
    const ok = h.linli(['audit', 'verify', '--community', 'taoyuan', '--anchors', anchors]);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const line = JSON.parse(readFileSync(anchors, 'utf8').trim()) as { at: string };
    writeFileSync(anchors, JSON.stringify({ ...line, at: '2020-01-01T00:00:00.000Z' }) + '\n');
    const r = h.linli(['audit', 'verify', '--community', 'taoyuan', '--anchors', anchors]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /the anchor of seq \d+ at 2020-01-01T00:00:00.000Z does not match its signature: it was changed after it was signed/,
    );
  });
});

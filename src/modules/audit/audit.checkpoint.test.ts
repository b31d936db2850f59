import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import {
  checkpointSignatureValid,
  checkpointText,
  ed25519PublicKey,
  parseCheckpoint,
  signCheckpoint,
  signingKeyOf,
} from './audit.checkpoint.ts';
import type { SigningKey } from './audit.checkpoint.ts';
import { AnchorFormatError, badlySigned, formatAnchor, parseAnchors } from './audit.anchors.ts';

/** RFC 8032, section 7.1, test 1: a fixed Ed25519 key, so signatures are known in advance. */
const RFC8032_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC8032_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

function keyFromSeed(seedHex: string): SigningKey {
  const privateKey = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seedHex, 'hex')]),
    format: 'der',
    type: 'pkcs8',
  });
  return signingKeyOf(privateKey);
}

const fixed = keyFromSeed(RFC8032_SEED);
const head = {
  communityId: 'c0ffee00-0000-4000-8000-000000000001',
  seq: 1234,
  entryHash: 'ab'.repeat(32),
  at: '2026-12-07T03:00:00.000Z',
};

describe('signed checkpoints', () => {
  it('is the standard Ed25519 key of RFC 8032', () => {
    const raw = fixed.publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
    assert.equal(raw.toString('hex'), RFC8032_PUBLIC);
  });

  it('signs a fixed text of five lines, the same bytes every time', () => {
    assert.equal(
      checkpointText(head),
      `linli-audit-checkpoint/1\ncommunity ${head.communityId}\nseq 1234\nhash ${'ab'.repeat(32)}\nat 2026-12-07T03:00:00.000Z\n`,
    );
    // Ed25519 is deterministic: a change of the text's format changes this signature.
    // (`openssl pkeyutl -verify -rawin` accepts it over the text above.)
    const s = signCheckpoint(head, fixed);
    assert.deepEqual(s, {
      keyId: '06e3fd8fda29bb60',
      signature: '+5uGNtiMV4P5lH1bHLQBtRNxUdLyHaaF9ywrhPwUkNL2EcNgAjBjjbUtT9qD6a7ivnJiK9VIQic/D5APuaA0Dw==',
    });
    assert.ok(checkpointSignatureValid(head, s.signature, fixed.publicKey));
  });

  it('does not hold for any field changed, another key, or a damaged signature', () => {
    const { signature } = signCheckpoint(head, fixed);
    const changed = [
      { ...head, communityId: 'c0ffee00-0000-4000-8000-000000000002' },
      { ...head, seq: 1235 },
      { ...head, entryHash: 'ac' + 'ab'.repeat(31) },
      { ...head, at: '2026-12-07T03:00:01.000Z' },
    ];
    for (const c of changed) assert.equal(checkpointSignatureValid(c, signature, fixed.publicKey), false);
    const other = generateKeyPairSync('ed25519').publicKey;
    assert.equal(checkpointSignatureValid(head, signature, other), false);
    const flipped = Buffer.from(signature, 'base64');
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    assert.equal(checkpointSignatureValid(head, flipped.toString('base64'), fixed.publicKey), false);
    assert.equal(checkpointSignatureValid(head, 'not base64', fixed.publicKey), false);
    assert.equal(checkpointSignatureValid(head, '', fixed.publicKey), false);
  });

  it('reads a checkpoint as the head endpoint, a webhook or an anchor file gives it', () => {
    const { keyId, signature } = signCheckpoint(head, fixed);
    const fromHead = parseCheckpoint(JSON.stringify({ ...head, code: 'taoyuan', keyId, signature }));
    const fromHook = parseCheckpoint(
      JSON.stringify({ id: 'm1', event: 'audit.anchor', data: { ...head, keyId, signature } }),
    );
    const fromFile = parseCheckpoint(formatAnchor({ ...head, code: 'taoyuan', keyId, sig: signature }));
    for (const p of [fromHead, fromHook, fromFile]) {
      assert.ok(p.ok, JSON.stringify(p));
      assert.deepEqual(p.checkpoint, { ...head, keyId, signature });
    }
    assert.deepEqual(parseCheckpoint(JSON.stringify(head)), {
      ok: false,
      problem: 'not signed (no signature)',
    });
    assert.deepEqual(parseCheckpoint('{'), { ok: false, problem: 'not JSON' });
    assert.equal(parseCheckpoint(JSON.stringify({ ...head, seq: 0, keyId, signature })).ok, false);
    assert.equal(parseCheckpoint(JSON.stringify({ ...head, keyId: 'XYZ', signature })).ok, false);
  });

  it('takes only Ed25519 public keys', () => {
    assert.ok(ed25519PublicKey(fixed.publicKeyPem));
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    assert.equal(ed25519PublicKey(rsa.toString()), null);
    assert.equal(ed25519PublicKey('not a key'), null);
  });
});

describe('signed anchor file lines', () => {
  it('keep their signature through the file, and a line without one still reads', () => {
    const { keyId, signature } = signCheckpoint(head, fixed);
    const [signed, plain] = parseAnchors(
      `${formatAnchor({ ...head, keyId, sig: signature })}\n${formatAnchor({ ...head, seq: 1 })}\n`,
    );
    assert.deepEqual(signed, { ...head, keyId, sig: signature });
    assert.deepEqual(plain, { ...head, seq: 1 });
  });

  it('refuse a line whose signature fields are damaged, naming the line', () => {
    const line = JSON.stringify({ v: 1, ...head, keyId: fixed.keyId, sig: 'short' });
    assert.throws(
      () => parseAnchors(`\n${line}\n`),
      (e: unknown) => e instanceof AnchorFormatError && e.line === 2,
    );
    const half = JSON.stringify({ v: 1, ...head, keyId: fixed.keyId });
    assert.throws(() => parseAnchors(half), AnchorFormatError);
  });

  it('finds a signed line changed after signing, and one signed by a key no node has', () => {
    const { keyId, signature } = signCheckpoint(head, fixed);
    const keys = [{ keyId: fixed.keyId, publicKey: fixed.publicKeyPem }];
    const good = { ...head, keyId, sig: signature };
    const unsigned = { ...head, seq: 7 };
    assert.deepEqual(badlySigned([good, unsigned], keys), []);
    const edited = { ...good, seq: 1300 };
    assert.deepEqual(badlySigned([good, edited], keys), [{ anchor: edited, reason: 'bad_signature' }]);
    assert.deepEqual(badlySigned([good], []), [{ anchor: good, reason: 'unknown_key' }]);
  });
});

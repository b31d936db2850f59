/**
 * Signed checkpoints end to end: the node's key (made on first start, kept in its file), the
 * public keys endpoint, the signed head, signed anchors in the file and in `audit.anchor`
 * webhooks, and a signed anchor line changed afterwards — on the database the suite runs on.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { anchorHeads } from '../../src/modules/audit/audit.anchoring.ts';
import { readAnchorFile } from '../../src/modules/audit/audit.anchor-file.ts';
import { checkpointSignatureValid, ed25519PublicKey } from '../../src/modules/audit/audit.checkpoint.ts';
import { SigningKeyError, loadOrCreateSigningKey } from '../../src/modules/audit/audit.signing-key.ts';

interface SignedHead {
  communityId: string;
  seq: number;
  entryHash: string;
  at: string;
  keyId: string;
  signature: string;
}

interface KeyView {
  keyId: string;
  algorithm: string;
  publicKey: string;
  createdAt: string;
  current: boolean;
}

describe('signed audit checkpoints', () => {
  let ctx: TestContext;
  let taoyuan: string;
  let file: string;
  before(async () => {
    ctx = await createTestContext({ orders: 4 });
    taoyuan = ctx.seed.communities[0]?.id ?? '';
    file = ctx.deps.config.auditAnchorFile ?? '';
  });
  after(() => ctx.close());

  const publicKey = async () => {
    const r = await ctx.call('GET', '/api/v1/audit/keys');
    assert.equal(r.statusCode, 200, r.body);
    const keys = r.json() as KeyView[];
    const current = keys.find((k) => k.current);
    assert.ok(current, 'the node names its own key');
    const key = ed25519PublicKey(current.publicKey);
    assert.ok(key);
    return { keyId: current.keyId, key, keys };
  };

  it('makes the node key on first start, readable by its owner only, and publishes its public half to anyone', async () => {
    const keyFile = ctx.deps.config.auditSigningKeyFile ?? '';
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.match(readFileSync(keyFile, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
    const { keyId, keys } = await publicKey();
    assert.equal(keyId, ctx.services.auditSigner?.keyId);
    assert.equal(keys.length, 1);
    assert.deepEqual(Object.keys(keys[0] ?? {}).sort(), [
      'algorithm',
      'createdAt',
      'current',
      'keyId',
      'publicKey',
    ]);
    assert.equal(keys[0]?.algorithm, 'ed25519');
    assert.doesNotMatch(JSON.stringify(keys), /PRIVATE/);
    // The same file gives the same key (a restart, or a second node given the file).
    assert.equal(loadOrCreateSigningKey(keyFile).keyId, keyId);
  });

  it('signs the head it shows: the signature holds under the published key, for exactly those fields', async () => {
    const auditor = await ctx.login('auditor');
    const r = await ctx.call('GET', '/api/v1/audit/head?community=taoyuan', auditor);
    assert.equal(r.statusCode, 200, r.body);
    const h = r.json() as SignedHead;
    const { keyId, key } = await publicKey();
    assert.equal(h.keyId, keyId);
    assert.ok(checkpointSignatureValid(h, h.signature, key));
    assert.equal(checkpointSignatureValid({ ...h, seq: h.seq - 1 }, h.signature, key), false);
    assert.equal(
      checkpointSignatureValid({ ...h, communityId: ctx.seed.communities[1]?.id ?? '' }, h.signature, key),
      false,
    );
  });

  it('signs the anchors it writes to its file and sends to witnesses', async () => {
    const admin = await ctx.login('admin');
    const sub = await ctx.call('POST', '/api/v1/webhooks', admin, {
      url: 'https://witness.example.org/linli',
      events: ['audit.anchor'],
    });
    assert.equal(sub.statusCode, 201, sub.body);
    const run = await anchorHeads(ctx.database.db, {
      file,
      at: ctx.clock.now().toISOString(),
      signer: ctx.services.auditSigner,
    });
    assert.equal(run.anchored.length, 2);
    const { keyId, key } = await publicKey();
    const lines = readAnchorFile(file);
    assert.equal(lines.length, 2);
    for (const a of lines) {
      assert.equal(a.keyId, keyId);
      assert.ok(checkpointSignatureValid(a, a.sig ?? '', key), `line of ${a.code ?? ''}`);
    }
    const [msg] = await ctx.database.db
      .selectFrom('outbox')
      .select('payload_json')
      .where('template', '=', 'audit.anchor')
      .execute();
    const data = JSON.parse(msg?.payload_json ?? '{}') as SignedHead;
    assert.equal(data.communityId, taoyuan);
    assert.equal(data.keyId, keyId);
    assert.ok(checkpointSignatureValid(data, data.signature, key), 'the witness can check what it was sent');

    const auditor = await ctx.login('auditor');
    const ok = await ctx.call('GET', `/api/v1/audit/verify?community=${taoyuan}`, auditor);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().ok, true);
  });

  it('treats a signed anchor line changed afterwards as a damaged file, and uses none of it', async () => {
    const original = readFileSync(file, 'utf8');
    const auditor = await ctx.login('auditor');
    try {
      // Whoever rewrote the chain moves its anchor to match: the hash changes, the signature cannot follow.
      const lines = original
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const mine = lines.find((l) => l.communityId === taoyuan);
      assert.ok(mine);
      mine.entryHash = 'f'.repeat(64);
      writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      const r = await ctx.call('GET', `/api/v1/audit/verify?community=${taoyuan}`, auditor);
      assert.equal(r.statusCode, 503, r.body);
      assert.match(r.json().error.message, /damaged .*changed after it was signed/);

      // An anchor signed by a key no node has recorded.
      mine.entryHash = JSON.parse(
        original
          .trim()
          .split('\n')
          .find((l) => l.includes(taoyuan)) ?? '{}',
      ).entryHash;
      mine.keyId = '0123456789abcdef';
      writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      const u = await ctx.call('GET', `/api/v1/audit/verify?community=${taoyuan}`, auditor);
      assert.equal(u.statusCode, 503, u.body);
      assert.match(u.json().error.message, /names a signing key no node has \(0123456789abcdef\)/);
    } finally {
      writeFileSync(file, original);
    }
    const back = await ctx.call('GET', `/api/v1/audit/verify?community=${taoyuan}`, auditor);
    assert.equal(back.json().ok, true);
  });

  it('refuses a key file that is not an Ed25519 private key, naming it', () => {
    const rsa = join(ctx.dataDir, 'rsa.pem');
    writeFileSync(
      rsa,
      generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    assert.throws(
      () => loadOrCreateSigningKey(rsa),
      (e: unknown) =>
        e instanceof SigningKeyError && /rsa\.pem is a rsa key; it must be Ed25519/.test(e.message),
    );
    const junk = join(ctx.dataDir, 'junk.pem');
    writeFileSync(junk, 'hello');
    assert.throws(() => loadOrCreateSigningKey(junk), /junk\.pem is not a PEM private key/);
  });
});

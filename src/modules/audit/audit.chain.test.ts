import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json.ts';
import { GENESIS_HASH, buildEntry, chainStart, checkEntry, linkJson } from './audit.chain.ts';
import type { AuditEntry } from './audit.chain.ts';

const fields = (seq: number) => ({
  communityId: 'c1',
  seq,
  createdAt: `2026-11-20T02:00:0${seq % 10}.000Z`,
  actor: 'user:agent',
  action: 'work_order.created',
  entityType: 'work_order',
  entityId: `o${seq}`,
});

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const e = buildEntry(fields(i), { n: i, text: '漏水' }, prev);
    out.push(e);
    prev = e.entryHash;
  }
  return out;
}

function verify(entries: AuditEntry[]): number | null {
  let c = chainStart();
  for (const e of entries) {
    const next = checkEntry(c, e);
    if (!next) return c.expectedSeq;
    c = next;
  }
  return null;
}

describe('canonical JSON', () => {
  it('sorts keys, drops undefined, keeps arrays in order', () => {
    assert.equal(
      canonicalJson({ b: 1, a: [3, { d: null, c: 'x' }], u: undefined }),
      '{"a":[3,{"c":"x","d":null}],"b":1}',
    );
    assert.equal(canonicalJson(1e21), '1e+21');
    assert.equal(canonicalJson('中文"'), '"中文\\""');
    assert.throws(() => canonicalJson(Number.NaN));
  });
  it('is independent of key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (o) => {
        const reversed = Object.fromEntries(Object.entries(o).reverse());
        assert.equal(canonicalJson(o), canonicalJson(reversed));
        assert.deepEqual(JSON.parse(canonicalJson(o)), JSON.parse(JSON.stringify(o)));
      }),
    );
  });
  it('orders members by UTF-16 code units, as the built-in string sort does, for few keys and many', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.integer(), { maxKeys: 40 }), (o) => {
        const members = Object.keys(o)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${String(o[k])}`);
        assert.equal(canonicalJson(o), `{${members.join(',')}}`);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the linked object of an entry', () => {
  it('is exactly the canonical JSON of its fields with the payload digest and previous hash', () => {
    fc.assert(
      fc.property(
        fc.record({
          communityId: fc.string(),
          seq: fc.integer({ min: 1 }),
          createdAt: fc.string(),
          actor: fc.string({ unit: 'binary' }),
          action: fc.string(),
          entityType: fc.string(),
          entityId: fc.string(),
        }),
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
        (f, digest, prev) => {
          assert.equal(
            linkJson(f, digest, prev),
            canonicalJson({ ...f, payloadDigest: digest, prevHash: prev }),
          );
        },
      ),
    );
    // Fields beyond the known ones still count.
    const extra = { ...fields(1), note: 'x' };
    assert.equal(linkJson(extra, 'd', 'p'), canonicalJson({ ...extra, payloadDigest: 'd', prevHash: 'p' }));
  });
});

describe('audit hash chain', () => {
  it('a built chain verifies', () => assert.equal(verify(chain(20)), null));
  it('detects an edited field', () => {
    const c = chain(10);
    c[4] = { ...c[4]!, actor: 'user:intruder' };
    assert.equal(verify(c), 5);
  });
  it('detects an edited payload', () => {
    const c = chain(10);
    c[6] = { ...c[6]!, payloadJson: '{"n":7,"text":"已修好"}' };
    assert.equal(verify(c), 7);
  });
  it('detects a deleted row', () => {
    const c = chain(10);
    c.splice(3, 1);
    assert.equal(verify(c), 4);
  });
  it('detects reordered rows', () => {
    const c = chain(10);
    [c[2], c[3]] = [c[3]!, c[2]!];
    assert.equal(verify(c), 3);
  });
  it('detects an inserted row even with renumbered seqs', () => {
    const c = chain(10);
    const forged = buildEntry(fields(5), { forged: true }, c[3]!.entryHash);
    const rest = c.slice(4).map((e) => ({ ...e, seq: e.seq + 1 }));
    assert.equal(verify([...c.slice(0, 4), forged, ...rest]), 6);
  });
});

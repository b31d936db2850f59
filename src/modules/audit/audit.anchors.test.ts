import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  AnchorFormatError,
  anchorIndex,
  anchorProblem,
  formatAnchor,
  latestAnchors,
  parseAnchors,
} from './audit.anchors.ts';
import type { Anchor } from './audit.anchors.ts';

const H1 = 'a'.repeat(64);
const H2 = 'b'.repeat(64);
const anchor = (seq: number, entryHash = H1, communityId = 'c1'): Anchor => ({
  communityId,
  code: 'taoyuan',
  seq,
  entryHash,
  at: '2026-12-05T00:00:00.000Z',
});

test('an anchor line reads back as the anchor it was written from', () => {
  const arb = fc.record({
    communityId: fc.string({ minLength: 1, maxLength: 40 }),
    code: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
    seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    entryHash: fc.stringMatching(/^[0-9a-f]{64}$/),
    at: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  });
  fc.assert(
    fc.property(fc.array(arb, { maxLength: 5 }), (anchors) => {
      // Plain objects, without the optional member when it is absent (fast-check's records have no prototype).
      const clean = anchors.map(({ code, ...rest }) =>
        code === undefined ? { ...rest } : { ...rest, code },
      );
      const text = clean.map((a) => formatAnchor(a) + '\n').join('');
      assert.deepEqual(parseAnchors(text), clean);
    }),
  );
});

test('a line cut short by a crash is skipped; any other damage is refused with its line number', () => {
  const good = formatAnchor(anchor(3));
  const torn = good.slice(0, 30);
  assert.deepEqual(parseAnchors(`${good}\n${torn}\n${formatAnchor(anchor(4))}\n`), [anchor(3), anchor(4)]);
  assert.deepEqual(parseAnchors(`${good}\n\n   \n`), [anchor(3)]);

  const refused = (text: string, line: number, reason: RegExp) =>
    assert.throws(
      () => parseAnchors(text),
      (e: unknown) => e instanceof AnchorFormatError && e.line === line && reason.test(e.message),
    );
  refused(`${good}\nhello\n`, 2, /not JSON/);
  refused(`${good}\n[1,2]\n`, 2, /not an object/);
  refused(JSON.stringify({ ...JSON.parse(good), v: 2 }), 1, /unknown anchor version 2/);
  refused(JSON.stringify({ ...JSON.parse(good), seq: 0 }), 1, /seq/);
  refused(JSON.stringify({ ...JSON.parse(good), seq: 1.5 }), 1, /seq/);
  refused(JSON.stringify({ ...JSON.parse(good), entryHash: H1.toUpperCase() }), 1, /entryHash/);
  refused(JSON.stringify({ ...JSON.parse(good), communityId: '' }), 1, /communityId/);
  refused(JSON.stringify({ ...JSON.parse(good), at: 5 }), 1, /at missing/);
});

test('anchorProblem names the field', () => {
  assert.equal(anchorProblem({ seq: 1, entryHash: H1 }), null);
  assert.match(anchorProblem({ seq: -1, entryHash: H1 }) ?? '', /seq/);
  assert.match(anchorProblem({ seq: 2, entryHash: 'xyz' }) ?? '', /entryHash/);
});

test('the index keeps every hash anchored at a seq; the latest anchor per community is the highest seq', () => {
  const idx = anchorIndex([anchor(1), anchor(2), anchor(2, H2), anchor(2)]);
  assert.deepEqual([...(idx.get(1) ?? [])], [H1]);
  assert.deepEqual([...(idx.get(2) ?? [])].sort(), [H1, H2]);
  const latest = latestAnchors([anchor(5), anchor(9, H2), anchor(7), anchor(2, H1, 'c2')]);
  assert.equal(latest.get('c1')?.seq, 9);
  assert.equal(latest.get('c1')?.entryHash, H2);
  assert.equal(latest.get('c2')?.seq, 2);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { foldWidth, searchPatterns } from './work-order.filters.ts';
import { communityToken, orderTokens, queryTokens } from './work-order.search-tokens.ts';

const asciiLower = (t: string) => t.replace(/[A-Z]+/g, (s) => s.toLowerCase());

test('an order holds its community token and the pairs of each run of letters and digits', () => {
  const tokens = orderTokens('c-1', ['楼道灯坏了，晚上', null, 'TY-20261205-000123']);
  assert.ok(tokens.includes(communityToken('c-1')));
  assert.notEqual(communityToken('c-1'), communityToken('c-2'));
  // 楼道 道灯 灯坏 坏了 | 晚上 — and no pair across the comma.
  const [q] = queryTokens(['楼道'])!;
  assert.ok(tokens.includes(q![0]!));
  assert.equal(queryTokens(['了，晚']), null);
  const across = queryTokens(['了晚'])![0]!;
  assert.ok(!tokens.includes(across[0]!), 'a pair across punctuation is not indexed');
  // Every token is plain ASCII letters and digits, whatever the text.
  for (const t of orderTokens('社区/1', ['𠮷野家 Ω ① ＡＢ', '—', 'x'])) assert.match(t, /^[a-z0-9]+$/);
});

test('a query without a pair cannot use the index', () => {
  assert.equal(queryTokens(['灯']), null);
  assert.equal(queryTokens(['，。']), null);
  assert.equal(queryTokens(['a b']), null);
  assert.equal(queryTokens([]), null);
  // One pattern without a pair makes the whole search read the orders (its matches are unknown).
  assert.equal(queryTokens(['楼道', '灯']), null);
  assert.equal(queryTokens(['楼道', '灯泡'])?.length, 2);
});

test('an ASCII run with a separator on both sides is also looked up whole', () => {
  const order = orderTokens('c', ['TY-20261205-000123']);
  const [full] = queryTokens(['ty-20261205-000123'])!;
  const [open] = queryTokens(['20261205'])!;
  assert.deepEqual(
    full!.filter((t) => t.startsWith('w')),
    orderTokens('c', ['20261205']).filter((t) => t.startsWith('w')),
    'the bounded 20261205 whole, and neither end run',
  );
  assert.equal(open!.filter((t) => t.startsWith('w')).length, 0);
  for (const t of full!) assert.ok(order.includes(t));
  // Not bounded on a side: the run may continue in the text, so only its pairs are asked.
  for (const t of queryTokens(['Y-2026'])![0]!) assert.ok(order.includes(t));
  for (const t of queryTokens(['-0001'])![0]!) assert.ok(order.includes(t));
});

// The index's one promise: every order the list's LIKE matches is a candidate. LIKE compares
// the stored searched text and the pattern with ASCII letters in either case.
const alphabet = fc.constantFrom(
  ...'楼道灯坏了漏水电梯停一二三号栋单元老人独居aAbBzZ09１２ＡＢ，。、-_/ ()%·①𠮷Ωω'.split(''),
  '𠮷',
);
const text = fc.array(alphabet, { minLength: 0, maxLength: 30 }).map((cs) => cs.join(''));

test('property: every text that contains a query holds all the tokens of one of its patterns', () => {
  fc.assert(
    fc.property(text, text, fc.nat(), fc.nat(), (a, b, i, j) => {
      const stored = foldWidth(a); // as the list searches it
      const chars = Array.from(stored);
      const from = chars.length ? i % chars.length : 0;
      const to = from + (chars.length ? j % (chars.length - from + 1) : 0);
      const query = chars.slice(from, to).join('') || b;
      b = foldWidth(b);
      const tokens = new Set(orderTokens('c', [stored, b]));
      const patterns = searchPatterns(query);
      const alternatives = queryTokens(patterns);
      if (alternatives === null) return;
      patterns.forEach((p, k) => {
        const matches = asciiLower(stored).includes(asciiLower(p)) || asciiLower(b).includes(asciiLower(p));
        if (matches)
          for (const t of alternatives[k]!)
            assert.ok(tokens.has(t), `${JSON.stringify(p)} in ${JSON.stringify(stored)}`);
      });
    }),
    { numRuns: 3000 },
  );
});

test('digits after a separator are looked up by the beginning of a run of digits', () => {
  const order = new Set(orderTokens('c', ['BENCH-0000999990', '房号 -123abc']));
  const [q] = queryTokens(['BENCH-000099999'])!;
  const [plainPairs] = queryTokens(['000099999'])!;
  const extra = q!.filter((t) => !plainPairs!.includes(t) && !t.startsWith('g'));
  assert.equal(extra.length, 1, 'one token for the beginning 000099999');
  for (const t of q!) assert.ok(order.has(t));
  // A run that begins with digits and goes on in letters.
  for (const t of queryTokens(['-123'])![0]!) assert.ok(order.has(t));
  // Not the beginning of a run: no such token.
  assert.equal(
    queryTokens(['0099999'])![0]!.some((t) => t.startsWith('p')),
    false,
  );
  assert.equal(
    queryTokens(['H-99999'])![0]!.some((t) => !order.has(t)),
    true,
    '99999 does not begin a run of BENCH-0000999990',
  );
});

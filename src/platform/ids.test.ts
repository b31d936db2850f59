import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { newId } from './ids.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('property: ids are UUIDv7 text whose first 48 bits are the milliseconds given', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (ms) => {
      const id = newId(ms);
      assert.match(id, UUID_V7);
      assert.equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), ms);
    }),
    { numRuns: 2000 },
  );
});

test('ids sort by time and do not repeat across many pool refills', () => {
  const seen = new Set<string>();
  let prev = '';
  const t0 = Date.UTC(2026, 10, 21);
  for (let i = 0; i < 20_000; i++) {
    const id = newId(t0 + i);
    assert.ok(id > prev, `${id} sorts after ${prev}`);
    assert.ok(!seen.has(id));
    seen.add(id);
    prev = id;
  }
  // Within one millisecond ids still differ (their random part).
  const same = new Set(Array.from({ length: 1000 }, () => newId(t0)));
  assert.equal(same.size, 1000);
});

test('ids of one millisecond sort in the order they were made, and stay unique and UUIDv7', () => {
  for (let round = 0; round < 20; round++) {
    const ms = Date.now() + round * 10;
    const ids = Array.from({ length: 1000 }, () => newId(ms));
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids.slice(0, 5)) {
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16), ms);
    }
  }
  // Past a millisecond's 4,096, ids are random again, still unique.
  const many = Array.from({ length: 6000 }, () => newId(Date.now() + 1_000));
  assert.equal(new Set(many).size, many.length);
});

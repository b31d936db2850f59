import { test } from 'node:test';
import assert from 'node:assert/strict';
import { charProfile, cosine, haversineM, suggestDuplicates } from './duplicates.ts';

const t0 = new Date('2026-03-01T08:00:00Z');
const hoursLater = (h: number): Date => new Date(t0.getTime() + h * 3_600_000);

test('same problem, same place, same day ranks first with its parts', () => {
  const order = { text: '3号楼电梯坏了，老人下不了楼', lat: 28.2, lng: 112.9, createdAt: hoursLater(2) };
  const out = suggestDuplicates(order, [
    { id: 'a', text: '3号楼的电梯又坏了', lat: 28.2001, lng: 112.9001, createdAt: t0 },
    { id: 'b', text: '3号楼电梯坏了', lat: 28.3, lng: 113.0, createdAt: hoursLater(-24 * 10) },
    { id: 'c', text: '想报名社区合唱团', lat: 28.2, lng: 112.9, createdAt: t0 },
  ]);
  assert.deepEqual(
    out.map((s) => s.id),
    ['a', 'b'],
  );
  const a = out[0];
  assert.ok(a && a.score > 0.4 && a.parts.text >= 0.45 && a.parts.near > 0.9);
  assert.ok(a.distanceM !== null && a.distanceM < 20);
  assert.equal(a.hoursApart, 2);
});

test('without a location the place part is neutral; limit and threshold apply', () => {
  const order = { text: '楼道灯坏了', createdAt: t0 };
  const cands = Array.from({ length: 8 }, (_, i) => ({
    id: `x${i}`,
    text: '楼道的灯坏了好几天',
    createdAt: hoursLater(i),
  }));
  const out = suggestDuplicates(order, cands, { limit: 3 });
  assert.equal(out.length, 3);
  assert.equal(out[0]?.parts.near, 0.5);
  assert.equal(out[0]?.id, 'x0');
  assert.deepEqual(suggestDuplicates(order, cands, { minScore: 0.99 }), []);
});

test('text similarity is normalised and symmetric', () => {
  const a = charProfile('电梯坏了');
  const b = charProfile('電梯壞了');
  assert.ok(Math.abs(cosine(a, b) - 1) < 1e-9, 'traditional text is the same after normalisation');
  assert.equal(cosine(charProfile('abc'), charProfile('')), 0);
  assert.ok(Math.abs(haversineM(0, 0, 0, 1) - 111_195) < 10);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progressLine, startProgress } from './progress.ts';

test('a progress line gives the count, the share, the rate and the time left', () => {
  assert.equal(
    progressLine('exporting', 'orders', 120_000, 300_000, 10_000),
    'exporting: 120,000 of 300,000 orders (40 %), 12,000/s, about 15 s left',
  );
  assert.equal(
    progressLine('exporting', 'orders', 100_000, 1_000_000, 10_000),
    'exporting: 100,000 of 1,000,000 orders (10 %), 10,000/s, about 1 min 30 s left',
  );
  // Without a whole, no share and no time left; under a second, no rate yet.
  assert.equal(progressLine('verifying', 'entries', 5_000, null, 2_000), 'verifying: 5,000 entries, 2,500/s');
  assert.equal(
    progressLine('verifying', 'entries', 5_000, 10_000, 500),
    'verifying: 5,000 of 10,000 entries (50 %)',
  );
  // Done: 100 %, nothing left to estimate; never above 100 % if more came than counted.
  assert.equal(progressLine('exporting', 'orders', 10, 10, 2_000), 'exporting: 10 of 10 orders (100 %), 5/s');
  assert.equal(progressLine('exporting', 'orders', 12, 10, 2_000), 'exporting: 12 of 10 orders (100 %), 6/s');
  assert.equal(progressLine('exporting', 'orders', 0, 0, 0), 'exporting: 0 orders');
});

function sink(isTTY: boolean) {
  const written: string[] = [];
  return { written, write: (s: string) => written.push(s), isTTY };
}

test('in a log a line comes every few seconds, and none for a job that ends sooner', () => {
  let t = 0;
  const s = sink(false);
  const p = startProgress('exporting', {
    unit: 'orders',
    total: 100,
    sink: s,
    now: () => t,
    logEveryMs: 5_000,
  });
  for (t = 0; t < 5_000; t += 1_000) p.update(t / 100);
  assert.deepEqual(s.written, [], 'nothing in the first 5 s');
  t = 5_000;
  p.update(50);
  t = 6_000;
  p.update(60);
  t = 10_000;
  p.update(100);
  p.finish();
  assert.deepEqual(s.written, [
    'exporting: 50 of 100 orders (50 %), 10/s, about 5 s left\n',
    'exporting: 100 of 100 orders (100 %), 10/s\n',
  ]);
});

test('on a terminal one line is rewritten and cleared at the end; the whole may be learnt on the way', () => {
  let t = 0;
  const s = sink(true);
  const p = startProgress('verifying taoyuan', { unit: 'entries', sink: s, now: () => t, ttyEveryMs: 250 });
  t = 100;
  p.update(10, 1_000);
  t = 300;
  p.update(20, 1_000);
  t = 400;
  p.update(30, 1_000);
  t = 600;
  p.update(40);
  p.finish();
  assert.deepEqual(s.written, [
    '\r\x1b[Kverifying taoyuan: 20 of 1,000 entries (2 %)',
    '\r\x1b[Kverifying taoyuan: 40 of 1,000 entries (4 %)',
    '\r\x1b[K',
  ]);
  // A job that showed nothing clears nothing.
  const quiet = sink(true);
  startProgress('x', { unit: 'rows', sink: quiet, now: () => 0 }).finish();
  assert.deepEqual(quiet.written, []);
});

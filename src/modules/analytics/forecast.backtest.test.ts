import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accuracyOf,
  blocks,
  interval,
  intervalCoverage,
  intervalFrom,
  movingAverage,
  origins,
  quantile,
  scores,
  seasonalNaive,
  seasonalScale,
} from './forecast.backtest.ts';
import type { OriginRun } from './forecast.backtest.ts';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);

test('the baselines forecast the same weekday of the last week, and the mean of the last 28 days', () => {
  // Days 0..34: day i holds i.
  const counts = Array.from({ length: 35 }, (_, i) => i);
  assert.deepEqual(seasonalNaive(counts, 30, 9), [23, 24, 25, 26, 27, 28, 29, 23, 24]);
  // Days 2..29 hold 2..29: mean 15.5.
  assert.deepEqual(movingAverage(counts, 30, 3), [15.5, 15.5, 15.5]);
  // Fewer than 28 days: the mean of what there is.
  assert.deepEqual(movingAverage([1, 2, 3], 3, 1), [2]);
});

test('origins step back a week from the last whole horizon, keeping enough history before each', () => {
  assert.deepEqual(origins(100, 14, 28, 12), [30, 37, 44, 51, 58, 65, 72, 79, 86]);
  assert.deepEqual(origins(100, 14, 28, 3), [72, 79, 86]);
  assert.deepEqual(origins(41, 14, 28, 12), [], 'no origin keeps 28 days and sees 14');
});

test('scores on a hand-computed tiny series', () => {
  const actual = [4, 0, 2, 6];
  const forecast = [2, 0, 3, 6];
  // |e| = 2, 0, 1, 0 → MAE 0.75. sMAPE: 2·2/6 + 0 (both zero) + 2·1/5 + 0 = 0.6667 + 0.4 → /4 → 26.667 %.
  const s = scores(actual, forecast, 1.5);
  close(s.mae, 0.75, 'MAE');
  close(s.smape, (100 * (4 / 6 + 2 / 5)) / 4, 'sMAPE');
  close(s.mase ?? NaN, 0.5, 'MASE = MAE / scale');
  assert.equal(scores(actual, forecast, null).mase, null);
});

test('the seasonal scale is the mean week-on-week change, of days or of 7-day blocks', () => {
  // 14 days: the second week is the first plus 2 each day → every change is 2.
  const days = [1, 2, 3, 4, 5, 6, 7, 3, 4, 5, 6, 7, 8, 9];
  close(seasonalScale(days, 1) ?? NaN, 2, 'daily');
  // Blocks: 28 and 42 → one change of 14. A leading partial block is dropped.
  close(seasonalScale([99, ...days], 7) ?? NaN, 14, 'weekly');
  assert.equal(seasonalScale([5, 5, 5, 5, 5, 5, 5, 5], 1), null, 'no change: no scale');
  assert.deepEqual(blocks([1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 9], 7), [7, 14]);
});

test('accuracy: MAE of the model and both baselines over every origin, and whether it beats them', () => {
  const runs: OriginRun[] = [
    { originDay: 0, actual: [4, 6], model: [5, 6], seasonalNaive: [2, 9], movingAverage: [5, 5] },
    { originDay: 7, actual: [2, 2], model: [2, 3], seasonalNaive: [4, 6], movingAverage: [5, 5] },
  ];
  const { accuracy } = accuracyOf(runs, 2);
  assert.equal(accuracy.origins, 2);
  assert.equal(accuracy.points, 4);
  close(accuracy.model.mae, 0.5, 'model |e| 1,0,0,1');
  close(accuracy.seasonalNaive.mae, 2.75, 'naive |e| 2,3,2,4');
  close(accuracy.movingAverage.mae, 2, 'average |e| 1,1,3,3');
  close(accuracy.model.mase ?? NaN, 0.25, 'MASE');
  assert.equal(accuracy.beatsBaselines, true);
  close(accuracy.skill ?? NaN, 0.75, 'skill: 1 − 0.5 / 2, against the better baseline');
  const worse = accuracyOf(
    runs.map((r) => ({ ...r, model: r.actual.map((y) => y + 3) })),
    2,
  ).accuracy;
  assert.equal(worse.beatsBaselines, false, 'MAE 3 is above the moving average’s 2');
  assert.ok((worse.skill ?? 0) < 0);
});

test('intervals: quantiles of errors scaled by the square root of the forecast, never below 0', () => {
  close(quantile([3, 1, 2, 4], 0.5), 2.5, 'median');
  close(quantile([0, 10], 0.1), 1, 'linear between order statistics');
  const width = intervalFrom(Array.from({ length: 11 }, (_, i) => i - 5)); // −5 … 5
  close(width.low, -4, '10th percentile');
  close(width.high, 4, '90th percentile');
  const b = interval(25, width);
  close(b.low, 25 - 4 * 5, 'low');
  close(b.high, 25 + 4 * 5, 'high');
  assert.equal(interval(0.25, width).low, 0, 'a count is never negative');
});

test('interval coverage judges each origin by the other origins’ errors', () => {
  // Two origins; the first's errors are 0, the second's large: each judged by the other's band.
  const runs: OriginRun[] = [
    { originDay: 0, actual: [4, 4], model: [4, 4], seasonalNaive: [0, 0], movingAverage: [0, 0] },
    { originDay: 7, actual: [10, 0], model: [4, 4], seasonalNaive: [0, 0], movingAverage: [0, 0] },
  ];
  // Origin 0 judged by errors ±3, ±2 → inside; origin 1 judged by errors 0 → band [4, 4] → both outside.
  close(intervalCoverage(runs) ?? NaN, 0.5, 'two of four inside');
  assert.equal(intervalCoverage(runs.slice(0, 1)), null, 'one origin has no other to learn from');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePriority, priorityBand } from './priority.ts';

test('urgency alone sets the base score and band', () => {
  assert.deepEqual(computePriority({ urgency: 'critical' }), {
    score: 60,
    band: 'P1',
    parts: { urgency: 60, vulnerability: 0, repeats: 0, waiting: 0 },
  });
  assert.equal(computePriority({ urgency: 'high' }).band, 'P2');
  assert.equal(computePriority({ urgency: 'normal' }).band, 'P3');
  assert.equal(computePriority({ urgency: 'low' }).band, 'P4');
});

test('special groups add points, capped at 20; unknown tags count 0', () => {
  const p = computePriority({ urgency: 'normal', specialGroups: ['elderly_alone', 'disability'] });
  assert.equal(p.parts.vulnerability, 18);
  assert.equal(p.score, 38);
  const capped = computePriority({
    urgency: 'normal',
    specialGroups: [
      'elderly_alone',
      'disability',
      'chronic_illness',
      'low_income',
      'left_behind_child',
      'vip',
    ],
  });
  assert.equal(capped.parts.vulnerability, 20);
  assert.equal(capped.band, 'P2');
});

test('repeat reports add 4·log2(1+n), capped at 10', () => {
  assert.equal(computePriority({ urgency: 'low', repeatCount: 1 }).parts.repeats, 4);
  assert.equal(computePriority({ urgency: 'low', repeatCount: 3 }).parts.repeats, 8);
  assert.equal(computePriority({ urgency: 'low', repeatCount: 100 }).parts.repeats, 10);
  assert.equal(computePriority({ urgency: 'low', repeatCount: -2 }).parts.repeats, 0);
});

test('waiting adds up to 10 against the patience of the urgency', () => {
  assert.equal(computePriority({ urgency: 'high', waitingHours: 12 }).parts.waiting, 5);
  assert.equal(computePriority({ urgency: 'high', waitingHours: 48 }).parts.waiting, 10);
  assert.equal(computePriority({ urgency: 'normal', waitingHours: 36 }).parts.waiting, 5);
});

test('a high order for a vulnerable, repeatedly reported, waiting resident becomes P1; score ≤ 100', () => {
  const p = computePriority({
    urgency: 'high',
    specialGroups: ['elderly_alone'],
    repeatCount: 1,
    waitingHours: 24,
  });
  assert.equal(p.score, 64);
  assert.equal(p.band, 'P1');
  const max = computePriority({
    urgency: 'critical',
    specialGroups: ['elderly_alone', 'disability', 'left_behind_child'],
    repeatCount: 50,
    waitingHours: 10,
  });
  assert.equal(max.score, 100);
});

test('score is monotone in every input', () => {
  const order = ['low', 'normal', 'high', 'critical'] as const;
  for (let i = 1; i < order.length; i++) {
    assert.ok(
      computePriority({ urgency: order[i] as (typeof order)[number] }).score >
        computePriority({ urgency: order[i - 1] as (typeof order)[number] }).score,
    );
  }
  assert.equal(priorityBand(59.9), 'P2');
  assert.equal(priorityBand(19), 'P4');
});

test('a suspected emergency is prioritised as critical (P1) until a person decides', () => {
  const suspected = computePriority({ urgency: 'high', suspectedEmergency: true });
  assert.deepEqual([suspected.band, suspected.parts.urgency], ['P1', 60]);
  // Its patience is an emergency's: an hour's wait already counts in full.
  const waited = computePriority({ urgency: 'high', suspectedEmergency: true, waitingHours: 1 });
  assert.equal(waited.parts.waiting, 10);
  assert.equal(computePriority({ urgency: 'high' }).band, 'P2');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TARGET_MINUTES, selectPolicy, unreachableTargets, validatePolicies } from './sla.policy.ts';
import type { SlaPolicy } from './sla.policy.ts';
import { buildCalendar, buildChinaCalendar, buildPolicy } from './sla.fixtures.ts';

const fieldsOf = (policies: SlaPolicy[], calendarIds?: string[]) => {
  const r = validatePolicies(policies, calendarIds ? { calendarIds } : {});
  return r.ok ? [] : r.errors.map((e) => [e.code, e.field]);
};

test('a valid set gets the default warning ratio', () => {
  const r = validatePolicies([
    buildPolicy(),
    buildPolicy({ id: 'p1', priorityBand: 'P1', warnAtRatio: 0.5 }),
  ]);
  assert.ok(r.ok);
  assert.deepEqual(
    r.value.map((p) => p.warnAtRatio),
    [0.75, 0.5],
  );
});

test('zero, negative and non-finite targets are refused by field', () => {
  assert.deepEqual(
    fieldsOf([
      buildPolicy({
        firstResponseMinutes: 0,
        resolutionMinutes: -5,
        updateIntervalMinutes: Number.POSITIVE_INFINITY,
      }),
    ]),
    [
      ['policy_bad_target', 'policies[0].firstResponseMinutes'],
      ['policy_bad_target', 'policies[0].resolutionMinutes'],
      ['policy_bad_target', 'policies[0].updateIntervalMinutes'],
    ],
  );
  assert.deepEqual(fieldsOf([buildPolicy({ firstResponseMinutes: 600, resolutionMinutes: 300 })]), [
    ['policy_bad_target', 'policies[0].firstResponseMinutes'],
  ]);
});

test('a target longer than a year of minutes is refused by field', () => {
  assert.equal(MAX_TARGET_MINUTES, 525_600);
  assert.deepEqual(fieldsOf([buildPolicy({ resolutionMinutes: MAX_TARGET_MINUTES })]), []);
  assert.deepEqual(
    fieldsOf([
      buildPolicy({
        firstResponseMinutes: MAX_TARGET_MINUTES + 1,
        resolutionMinutes: 1e8,
        updateIntervalMinutes: 1e12,
      }),
    ]),
    [
      ['policy_bad_target', 'policies[0].firstResponseMinutes'],
      ['policy_bad_target', 'policies[0].resolutionMinutes'],
      ['policy_bad_target', 'policies[0].updateIntervalMinutes'],
    ],
  );
});

test('a target its calendar cannot reach within ten years is named; office hours reach a year of minutes', () => {
  const from = Date.parse('2026-12-07T10:00:00+08:00');
  const targets = { resolutionMinutes: MAX_TARGET_MINUTES, escalationStepMinutes: 120 };
  assert.deepEqual(unreachableTargets(buildChinaCalendar(), from, targets), []);
  // Half an hour a week: ten years hold about 15,700 minutes of it.
  const sparse = buildCalendar({ weekly: { 1: [{ start: '09:00', end: '09:30' }] } });
  assert.deepEqual(unreachableTargets(sparse, from, { firstResponseMinutes: 15_000 }), []);
  assert.deepEqual(
    unreachableTargets(sparse, from, targets).map((i) => [i.code, i.field]),
    [['policy_bad_target', 'resolutionMinutes']],
  );
});

test('bad bands, ratios, duplicate ids and scopes, unknown calendars are refused', () => {
  const bad = buildPolicy({ priorityBand: 'P9' as SlaPolicy['priorityBand'], warnAtRatio: 1 });
  assert.deepEqual(fieldsOf([bad, buildPolicy({ calendarId: 'nowhere' })], ['office']), [
    ['policy_invalid_field', 'policies[0].priorityBand'],
    ['policy_bad_ratio', 'policies[0].warnAtRatio'],
    ['policy_duplicate_id', 'policies[1].id'],
    ['policy_unknown_calendar', 'policies[1].calendarId'],
  ]);
  assert.deepEqual(fieldsOf([buildPolicy({ id: 'a' }), buildPolicy({ id: 'b' })]), [
    ['policy_duplicate_scope', 'policies[1].category'],
  ]);
});

test('an escalation loop between policies is refused', () => {
  assert.deepEqual(
    fieldsOf([
      buildPolicy({ id: 'a', escalationChain: ['dispatcher', { next: 'b' }] }),
      buildPolicy({ id: 'b', category: 'health', escalationChain: ['street', { next: 'a' }] }),
    ]),
    [
      ['escalation_loop', 'policies[0].escalationChain'],
      ['escalation_loop', 'policies[1].escalationChain'],
    ],
  );
});

test('the most specific policy wins: category, then band, then community, then channel', () => {
  const policies = [
    buildPolicy({ id: 'any' }),
    buildPolicy({ id: 'p1', priorityBand: 'P1' }),
    buildPolicy({ id: 'living', category: 'basic_living' }),
    buildPolicy({ id: 'lift', category: 'basic_living.elevator' }),
    buildPolicy({ id: 'lift-p1', category: 'basic_living.elevator', priorityBand: 'P1' }),
    buildPolicy({ id: 'taoyuan', communityId: 'taoyuan' }),
    buildPolicy({ id: 'living-hotline', category: 'basic_living', channel: 'hotline' }),
    buildPolicy({ id: 'living-taoyuan', category: 'basic_living', communityId: 'taoyuan' }),
  ];
  assert.ok(validatePolicies(policies).ok);
  const pick = (
    category: string,
    priorityBand: 'P1' | 'P2',
    extra: { channel?: string; communityId?: string } = {},
  ) => selectPolicy(policies, { category, priorityBand, ...extra })?.id;
  assert.equal(pick('health.checkup', 'P2'), 'any');
  assert.equal(pick('health.checkup', 'P1'), 'p1');
  assert.equal(pick('health.checkup', 'P2', { communityId: 'taoyuan' }), 'taoyuan');
  assert.equal(pick('basic_living.noise', 'P1'), 'living');
  assert.equal(pick('basic_living', 'P2', { channel: 'hotline' }), 'living-hotline');
  assert.equal(
    pick('basic_living.noise', 'P2', { channel: 'hotline', communityId: 'taoyuan' }),
    'living-taoyuan',
  );
  assert.equal(pick('basic_living.elevator', 'P2', { communityId: 'taoyuan' }), 'lift');
  assert.equal(pick('basic_living.elevator', 'P1'), 'lift-p1');
  assert.equal(selectPolicy(policies.slice(2), { category: 'health', priorityBand: 'P3' }), undefined);
});

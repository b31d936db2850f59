import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allCategoryCodes } from '../taxonomy/taxonomy.default.ts';
import { PRIORITY_BANDS } from '../sla/sla.policy.ts';
import { defaultRules, emergencyLaneGap, ruleOf } from './dispatch.rules.ts';
import type { DispatchRule } from './dispatch.rules.ts';

type Rule = Pick<DispatchRule, 'category' | 'urgencies' | 'priorities' | 'mode'>;
const LANE: Rule = { category: null, urgencies: ['critical'], priorities: [], mode: 'emergency' };
const gap = (rules: Rule[]) => emergencyLaneGap(rules, allCategoryCodes(), PRIORITY_BANDS);

describe('emergencyLaneGap: every critical order reaches the emergency lane', () => {
  it('finds no gap in the rules a community starts with', () => {
    assert.equal(gap(defaultRules('c', '2026-12-01T00:00:00.000Z').map(ruleOf)), undefined);
  });

  it('names the first critical order no rule takes', () => {
    assert.deepEqual(gap([]), { category: allCategoryCodes()[0], priority: 'P1', ruleIndex: null });
    assert.deepEqual(gap([{ ...LANE, priorities: ['P1', 'P2', 'P3'] }]), {
      category: allCategoryCodes()[0],
      priority: 'P4',
      ruleIndex: null,
    });
  });

  it('names the rule that takes critical orders before the lane, by its place in the list', () => {
    const auto: Rule = { category: 'basic_living.elevator', urgencies: [], priorities: [], mode: 'auto' };
    assert.deepEqual(gap([LANE, auto]), undefined);
    assert.deepEqual(gap([auto, LANE]), { category: 'basic_living.elevator', priority: 'P1', ruleIndex: 0 });
    // A rule for a top category catches its sub-categories too.
    const queue: Rule = {
      category: 'health',
      urgencies: ['critical', 'high'],
      priorities: [],
      mode: 'queue',
    };
    assert.equal(gap([queue, LANE])?.category, 'health');
  });

  it('accepts emergency rules that together cover every category', () => {
    const byTop = [...new Set(allCategoryCodes().map((c) => c.split('.')[0] ?? c))].map((category): Rule => ({
      ...LANE,
      category,
    }));
    assert.equal(gap(byTop), undefined);
    assert.equal(gap(byTop.slice(1))?.category, byTop[0]?.category);
  });
});

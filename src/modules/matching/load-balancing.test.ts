import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_BALANCER_STATE, chooseAssignee } from './load-balancing.ts';
import type { BalanceCandidate, BalancerState } from './load-balancing.ts';
import { emergencyDispatch } from './matching.emergency.ts';
import { DEMO_RESOURCES } from '../../seed/demo-catalogue.ts';
import { DEMO_COMMUNITIES } from '../../seed/demo-geography.ts';
import { createGridLocator } from '../grids/spatial-index.ts';

const cand = (code: string, score: number, open = 0, today = 0, concurrent = 10): BalanceCandidate => ({
  code,
  score,
  load: { open, today, recentAssignments: 0 },
  capacity: { concurrent, dailyQuota: 100 },
});

test('least-loaded: picks the lowest utilisation among equals only', () => {
  const d = chooseAssignee([cand('a', 0.9, 5), cand('b', 0.89, 1), cand('c', 0.5, 0)], EMPTY_BALANCER_STATE, {
    poolKey: 'p',
  });
  assert.equal(d.chosen, 'b');
  assert.deepEqual(d.equals, ['a', 'b']);
  // Utilisation, not raw count: 3 of 10 beats 2 of 4.
  assert.equal(
    chooseAssignee([cand('x', 0.8, 2, 0, 4), cand('y', 0.8, 3, 0, 10)], EMPTY_BALANCER_STATE, {
      poolKey: 'p',
    }).chosen,
    'y',
  );
  assert.equal(chooseAssignee([], EMPTY_BALANCER_STATE, { poolKey: 'p' }).chosen, undefined);
});

test('round-robin: rotates over equals in code order and remembers per pool', () => {
  let state: BalancerState = EMPTY_BALANCER_STATE;
  const picks: string[] = [];
  for (let i = 0; i < 6; i++) {
    const d = chooseAssignee([cand('c', 0.7), cand('a', 0.7), cand('b', 0.71), cand('z', 0.2)], state, {
      poolKey: 'p',
      strategy: 'round_robin',
    });
    picks.push(d.chosen ?? '');
    state = d.state;
  }
  assert.deepEqual(picks, ['a', 'b', 'c', 'a', 'b', 'c']);
  assert.equal(
    chooseAssignee([cand('a', 0.7), cand('b', 0.7)], state, { poolKey: 'other', strategy: 'round_robin' })
      .chosen,
    'a',
  );
  // A departed last choice still rotates to the next code after it.
  assert.equal(
    chooseAssignee(
      [cand('a', 0.7), cand('d', 0.7)],
      { lastByPool: { p: 'c' } },
      { poolKey: 'p', strategy: 'round_robin' },
    ).chosen,
    'd',
  );
});

test('fairness: over 1,000 orders each goes to a least-loaded equal, and totals stay even', () => {
  const open = new Map<string, number>(['r1', 'r2', 'r3', 'r4', 'r5'].map((c) => [c, 0]));
  let state: BalancerState = EMPTY_BALANCER_STATE;
  const total = new Map<string, number>();
  for (let i = 0; i < 1000; i++) {
    const cands = [...open.entries()].map(([c, n]) => cand(c, 0.8, n, 0, 50));
    const d = chooseAssignee(cands, state, { poolKey: 'p' });
    state = d.state;
    const c = d.chosen ?? '';
    assert.equal(open.get(c), Math.min(...open.values()), `step ${i}`);
    open.set(c, (open.get(c) ?? 0) + 1);
    total.set(c, (total.get(c) ?? 0) + 1);
    // Every 7th order some resource finishes one, unevenly.
    if (i % 7 === 0) {
      const k = `r${(i % 5) + 1}`;
      open.set(k, Math.max(0, (open.get(k) ?? 0) - 1));
    }
  }
  const counts = [...total.values()];
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 30, counts.join());
});

test('emergency lane: nearest on-duty responder serving the category, with the grid worker', () => {
  const taoyuan = DEMO_COMMUNITIES[0];
  assert.ok(taoyuan);
  const locator = createGridLocator(taoyuan.grids.map((g) => ({ code: g.code, area: g.polygon })));
  const building = taoyuan.buildings[0];
  assert.ok(building);
  const night = new Date('2026-11-18T23:30:00+08:00');
  const fire = emergencyDispatch(
    {
      category: 'safety_emergency',
      subcategory: 'safety_emergency.fire',
      location: building,
      urgency: 'critical',
      now: night,
    },
    DEMO_RESOURCES,
    { communityCode: 'taoyuan', gridOf: (p) => locator.locate(p)?.code, gridWorkerOf: (g) => `worker-${g}` },
  );
  assert.equal(fire?.responder.code, 'taoyuan-fire-station');
  assert.equal(fire?.fallback, false);
  assert.equal(fire?.gridCode, building.gridCode);
  assert.equal(fire?.gridWorker, `worker-${building.gridCode}`);
  // Two responders serve trapped persons (lift team, fire station): the nearer wins.
  const trapped = emergencyDispatch(
    {
      category: 'safety_emergency',
      subcategory: 'safety_emergency.trapped',
      location: building,
      urgency: 'critical',
      now: night,
    },
    DEMO_RESOURCES,
    { communityCode: 'taoyuan' },
  );
  const candidates = DEMO_RESOURCES.filter(
    (r) => r.communityCode === 'taoyuan' && r.categories.includes('safety_emergency.trapped'),
  );
  assert.equal(candidates.length, 2);
  assert.ok(
    trapped &&
      candidates.every(
        (c) =>
          Math.hypot(c.location.lat - building.lat, c.location.lng - building.lng) >=
          Math.hypot(
            trapped.responder.location.lat - building.lat,
            trapped.responder.location.lng - building.lng,
          ) -
            1e-12,
      ),
  );
  // Nobody serves the category: nearest on-duty responder anyway, flagged.
  const odd = emergencyDispatch(
    {
      category: 'health',
      subcategory: 'health.checkup',
      location: building,
      urgency: 'critical',
      now: night,
    },
    DEMO_RESOURCES,
    { communityCode: 'taoyuan' },
  );
  assert.equal(odd?.fallback, true);
  assert.equal(odd?.responder.emergencyResponder, true);
  // Off duty and closed: nobody.
  const offDuty = DEMO_RESOURCES.map((r) => ({
    ...r,
    onDuty: false,
    openingHours: { ...r.openingHours, wed: [] },
  }));
  assert.equal(
    emergencyDispatch(
      { category: 'safety_emergency', location: building, urgency: 'critical', now: night },
      offDuty,
    ),
    undefined,
  );
});

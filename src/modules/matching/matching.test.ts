import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { containsPoint, fastDistanceM, rectanglePolygon } from '../grids/geo.ts';
import { DEMO_COMMUNITIES } from '../../seed/demo-geography.ts';
import { DEMO_RESOURCES } from '../../seed/demo-catalogue.ts';
import { checkConstraints, categoryFit, ZERO_LOAD } from './matching.constraints.ts';
import type { ConstraintCode } from './matching.constraints.ts';
import { buildVocabulary, extractKeywords } from './matching.keywords.ts';
import { baselineScore, rankBaseline } from './matching.baseline.ts';
import { createMatchingIndex, rankCandidates } from './matching.rank.ts';
import { DEFAULT_MATCH_CONFIG, SCORE_PARTS, matchConfig, scoreCandidate } from './matching.score.ts';
import { isOpenAt, localMoment } from './matching.time.ts';
import type { MatchOrder, ResourceLoad, ResourceProfile, WeeklyHours } from './matching.types.ts';

const allDay = { open: '00:00', close: '24:00' };
const office = [{ open: '09:00', close: '18:00' }];
const HOURS_OFFICE: WeeklyHours = {
  sun: [],
  mon: office,
  tue: office,
  wed: office,
  thu: office,
  fri: office,
  sat: [],
};
const HOURS_ALWAYS: WeeklyHours = {
  sun: [allDay],
  mon: [allDay],
  tue: [allDay],
  wed: [allDay],
  thu: [allDay],
  fri: [allDay],
  sat: [allDay],
};

function resource(overrides: Partial<ResourceProfile> = {}): ResourceProfile {
  return {
    code: 'r1',
    communityCode: 'taoyuan',
    name: '测试水电队',
    type: 'team',
    categories: ['basic_living.water_electric'],
    keywords: ['漏水', '水管', '维修'],
    location: { lat: 22.56, lng: 113.945 },
    serviceArea: { kind: 'radius', radiusM: 1000 },
    capacity: { concurrent: 5, dailyQuota: 20 },
    openingHours: HOURS_OFFICE,
    rating: 4,
    onDuty: false,
    emergencyResponder: false,
    skills: [],
    certificates: [],
    ...overrides,
  };
}

// Wednesday 2026-11-18 10:00 and 22:00 in Shenzhen.
const WED_10 = new Date('2026-11-18T10:00:00+08:00');
const WED_22 = new Date('2026-11-18T22:00:00+08:00');

function order(overrides: Partial<MatchOrder> = {}): MatchOrder {
  return {
    category: 'basic_living',
    subcategory: 'basic_living.water_electric',
    text: '厨房水管漏水',
    location: { lat: 22.5605, lng: 113.9455 },
    urgency: 'normal',
    now: WED_10,
    ...overrides,
  };
}

const ctxFor = (
  o: MatchOrder,
  distanceM = 100,
): { moment: ReturnType<typeof localMoment>; distanceM: number } => ({
  moment: localMoment(o.now),
  distanceM,
});

test('constraints: each failure is named (table)', () => {
  const rows: Array<
    [string, Partial<MatchOrder>, Partial<ResourceProfile>, Partial<ResourceLoad>, number, ConstraintCode[]]
  > = [
    ['valid', {}, {}, {}, 100, []],
    ['other category', { subcategory: 'basic_living.appliance' }, {}, {}, 100, ['category_not_served']],
    [
      'top category served',
      { subcategory: 'basic_living.appliance' },
      { categories: ['basic_living'] },
      {},
      100,
      [],
    ],
    ['outside radius', {}, {}, {}, 1500, ['outside_service_area']],
    [
      'outside polygon',
      {},
      {
        serviceArea: {
          kind: 'polygon',
          polygon: rectanglePolygon({ minLng: 113.94, minLat: 22.555, maxLng: 113.945, maxLat: 22.56 }),
        },
      },
      {},
      100,
      ['outside_service_area'],
    ],
    [
      'on polygon edge counts as inside',
      { location: { lat: 22.558, lng: 113.945 } },
      {
        serviceArea: {
          kind: 'polygon',
          polygon: rectanglePolygon({ minLng: 113.94, minLat: 22.555, maxLng: 113.945, maxLat: 22.56 }),
        },
      },
      {},
      100,
      [],
    ],
    ['capacity full', {}, {}, { open: 5 }, 100, ['capacity_full']],
    ['daily quota reached', {}, {}, { today: 20 }, 100, ['daily_quota_reached']],
    [
      'critical, closed and off duty',
      { urgency: 'critical', now: WED_22 },
      {},
      {},
      100,
      ['not_available_now'],
    ],
    ['critical, on duty at night', { urgency: 'critical', now: WED_22 }, { onDuty: true }, {}, 100, []],
    ['critical, open now', { urgency: 'critical' }, {}, {}, 100, []],
    ['high, closed for the rest of the day', { urgency: 'high', now: WED_22 }, {}, {}, 100, ['closed_today']],
    [
      'high, opens later today',
      { urgency: 'high', now: new Date('2026-11-18T07:00:00+08:00') },
      {},
      {},
      100,
      [],
    ],
    ['normal, closed now is fine', { now: WED_22 }, {}, {}, 100, []],
    [
      'all certificates expired',
      {},
      { certificates: [{ name: '电工证', expiresOn: '2026-11-17' }] },
      {},
      100,
      ['certificate_expired'],
    ],
    [
      'certificate valid through today',
      {},
      { certificates: [{ name: '电工证', expiresOn: '2026-11-18' }] },
      {},
      100,
      [],
    ],
    [
      'required skill only on an expired certificate',
      { requiredSkills: ['电工证'] },
      {
        certificates: [
          { name: '电工证', expiresOn: '2025-01-01' },
          { name: '安全员证', expiresOn: '2030-01-01' },
        ],
      },
      {},
      100,
      ['certificate_expired'],
    ],
    ['required skill missing', { requiredSkills: ['高空作业'] }, {}, {}, 100, ['missing_skill']],
    ['required skill present', { requiredSkills: ['高空作业'] }, { skills: ['高空作业'] }, {}, 100, []],
  ];
  for (const [name, o, r, l, d, expected] of rows) {
    const ord = order(o);
    const failures = checkConstraints(ord, resource(r), { ...ZERO_LOAD, ...l }, ctxFor(ord, d));
    assert.deepEqual(
      failures.map((f) => f.code),
      expected,
      name,
    );
    for (const f of failures) assert.ok(f.message.length > 5, name);
  }
  const other = checkConstraints(order(), resource({ communityCode: 'longzhu' }), ZERO_LOAD, {
    ...ctxFor(order()),
    communityCode: 'taoyuan',
  });
  assert.deepEqual(
    other.map((f) => f.code),
    ['other_community'],
  );
});

test('category fit: exact, whole top category, sibling only without a sub-category', () => {
  assert.equal(
    categoryFit({ category: 'health', subcategory: 'health.checkup' }, ['health.checkup']),
    'exact',
  );
  assert.equal(categoryFit({ category: 'health.checkup' }, ['health.checkup']), 'exact');
  assert.equal(categoryFit({ category: 'health', subcategory: 'health.checkup' }, ['health']), 'top');
  assert.equal(categoryFit({ category: 'health' }, ['health.checkup']), 'within');
  assert.equal(
    categoryFit({ category: 'health', subcategory: 'health.checkup' }, ['health.rehabilitation']),
    undefined,
  );
});

test('time: Shanghai wall clock and opening hours, including overnight ranges', () => {
  assert.deepEqual(localMoment(WED_22), { date: '2026-11-18', minutes: 22 * 60, weekday: 'wed' });
  assert.deepEqual(localMoment(new Date('2026-11-18T17:30:00Z')), {
    date: '2026-11-19',
    minutes: 90,
    weekday: 'thu',
  });
  assert.deepEqual(localMoment(WED_22, 'Europe/London'), {
    date: '2026-11-18',
    minutes: 14 * 60,
    weekday: 'wed',
  });
  assert.equal(isOpenAt(HOURS_OFFICE, localMoment(WED_10)), true);
  assert.equal(isOpenAt(HOURS_OFFICE, localMoment(new Date('2026-11-18T18:00:00+08:00'))), false);
  assert.equal(isOpenAt(HOURS_ALWAYS, localMoment(WED_22)), true);
  const night: WeeklyHours = { ...HOURS_OFFICE, wed: [{ open: '22:00', close: '06:00' }] };
  assert.equal(isOpenAt(night, localMoment(WED_22)), true);
  assert.equal(isOpenAt(night, localMoment(new Date('2026-11-19T05:00:00+08:00'))), true);
  assert.equal(isOpenAt(night, localMoment(new Date('2026-11-19T07:00:00+08:00'))), false);
});

test('keywords: dictionary match keeps longest words and drops ones inside them', () => {
  const v = buildVocabulary([
    ['燃气', '燃气泄漏', '书'],
    ['书法', '漏水', '水管'],
  ]);
  assert.deepEqual(extractKeywords('闻到燃气泄漏的味道', v), ['燃气泄漏']);
  assert.deepEqual(extractKeywords('退休了想学书法，也想借书', v), ['书法', '书']);
  assert.deepEqual(extractKeywords('漏水管', v), ['漏水', '水管']);
  assert.deepEqual(extractKeywords('', v), []);
  // Rare words weigh more than common ones.
  const v2 = buildVocabulary([['维修', '加氟'], ['维修'], ['维修']]);
  assert.ok((v2.weights.get('加氟') ?? 0) > (v2.weights.get('维修') ?? 0));
});

test('score: parts are explained, weighted, and the total is their weighted mean', () => {
  const r = rankCandidates(order(), [resource()], {
    loadOf: () => ({ open: 1, today: 5, recentAssignments: 10 }),
  });
  const c = r.candidates[0];
  assert.ok(c);
  assert.deepEqual(Object.keys(c.parts), [...SCORE_PARTS]);
  assert.equal(c.parts.category.value, 1);
  assert.equal(c.parts.keywords.value, 1);
  assert.deepEqual(c.matchedKeywords.sort(), ['水管', '漏水']);
  assert.equal(c.parts.capacity.value, 0.75);
  assert.equal(c.parts.openNow.value, 1);
  assert.equal(c.parts.rating.value, 0.75);
  assert.equal(c.parts.fairness.value, 0.5);
  const w = DEFAULT_MATCH_CONFIG.weights;
  const sumW = SCORE_PARTS.reduce((s, p) => s + w[p], 0);
  const expected = SCORE_PARTS.reduce((s, p) => s + c.parts[p].value * w[p], 0) / sumW;
  assert.ok(Math.abs(c.score - expected) < 1e-12);
  assert.match(c.parts.distance.detail, /距离 \d+ 米/);
});

test('rank: constraints filter, keywords and distance order, weights are configuration', () => {
  const near = resource({ code: 'near', keywords: ['维修'], location: { lat: 22.5605, lng: 113.9456 } });
  const apt = resource({ code: 'apt', keywords: ['漏水', '水管'], location: { lat: 22.563, lng: 113.948 } });
  const full = resource({ code: 'full', keywords: ['漏水', '水管'] });
  const wrong = resource({ code: 'wrong', categories: ['health.checkup'] });
  const rs = [near, apt, full, wrong];
  const res = rankCandidates(order(), rs, {
    loadOf: (c) => (c === 'full' ? { open: 5, today: 0, recentAssignments: 0 } : undefined),
    includeRejected: true,
  });
  assert.deepEqual(
    res.candidates.map((c) => c.code),
    ['apt', 'near'],
  );
  assert.deepEqual(res.rejected, [
    { code: 'full', failures: [{ code: 'capacity_full', message: '在办 5 单，已达同时处理上限 5' }] },
  ]);
  // Distance only: the nearer one wins.
  const byDistance = matchConfig({
    weights: { category: 0, keywords: 0, distance: 1, capacity: 0, openNow: 0, rating: 0, fairness: 0 },
  });
  assert.equal(rankCandidates(order(), rs, { config: byDistance }).candidates[0]?.code, 'near');
  // Ties: nearer, then smaller code.
  const twinA = resource({ code: 'b-twin' });
  const twinB = resource({ code: 'a-twin' });
  assert.deepEqual(
    rankCandidates(order(), [twinA, twinB]).candidates.map((c) => c.code),
    ['a-twin', 'b-twin'],
  );
});

test('rank: the index gives the same answer as a linear scan over random catalogues', () => {
  const cats = ['basic_living.water_electric', 'basic_living.appliance', 'health.checkup', 'basic_living'];
  const words = ['漏水', '水管', '冰箱', '空调', '体检', '维修'];
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          cat: fc.constantFrom(...cats, 'basic_living.water_electric', 'basic_living.water_electric'),
          kws: fc.subarray(words, { minLength: 1 }),
          dx: fc.integer({ min: -300, max: 300 }),
          dy: fc.integer({ min: -300, max: 300 }),
          radius: fc.integer({ min: 100, max: 5000 }),
          rating: fc.integer({ min: 1, max: 5 }),
        }),
        { minLength: 150, maxLength: 220 },
      ),
      (specs) => {
        const rs = specs.map((s, i) =>
          resource({
            code: `r${String(i).padStart(3, '0')}`,
            categories: [s.cat],
            keywords: s.kws,
            location: { lat: 22.56 + s.dy * 1e-4, lng: 113.945 + s.dx * 1e-4 },
            serviceArea: { kind: 'radius', radiusM: s.radius },
            rating: s.rating,
          }),
        );
        const idx = createMatchingIndex(rs);
        const o = order();
        const fast = rankCandidates(o, idx).candidates.map((c) => c.code);
        // Brute force over every resource with the same vocabulary, no grouping, no spatial index.
        const moment = localMoment(o.now);
        const keywords = extractKeywords(o.text ?? '', idx.vocabulary);
        const slow = rs
          .flatMap((r) => {
            const fit = categoryFit(o, r.categories);
            const distanceM = fastDistanceM(o.location, r.location);
            if (!fit || checkConstraints(o, r, ZERO_LOAD, { moment, distanceM }).length) return [];
            const s = scoreCandidate(
              {
                resource: r,
                load: ZERO_LOAD,
                fit,
                needKeywords: keywords,
                resourceKeywords: new Set(r.keywords),
                vocabulary: idx.vocabulary,
                distanceM,
                openNow: isOpenAt(r.openingHours, moment),
              },
              DEFAULT_MATCH_CONFIG.weights,
              DEFAULT_MATCH_CONFIG,
            );
            return [{ code: r.code, score: s.total, distanceM }];
          })
          .sort((a, b) => b.score - a.score || a.distanceM - b.distanceM || (a.code < b.code ? -1 : 1))
          .map((c) => c.code);
        assert.deepEqual(fast, slow);
      },
    ),
    { numRuns: 40 },
  );
});

test('baseline: share of the need keywords found in the resource keywords', () => {
  assert.equal(baselineScore(['漏水', '水管', '厨房'], ['漏水', '维修']), 1 / 3);
  assert.equal(baselineScore([], ['漏水']), 0);
  const ranked = rankBaseline(
    { text: '空调不制冷要加氟' },
    DEMO_RESOURCES.filter((r) => r.communityCode === 'taoyuan'),
  );
  assert.equal(ranked[0]?.resource.code, 'taoyuan-aircon');
  assert.equal(ranked[0]?.score, 1);
});

test('demo catalogue: resources are valid for matching', () => {
  const failures = DEMO_RESOURCES.filter(
    (r) => r.capacity.concurrent <= 0 || r.rating < 1 || r.rating > 5 || r.keywords.length === 0,
  );
  assert.deepEqual(failures, []);
  for (const c of DEMO_COMMUNITIES) {
    const own = DEMO_RESOURCES.filter((r) => r.communityCode === c.code);
    assert.ok(own.length >= 40, c.code);
    for (const r of own) {
      assert.ok(containsPoint(c.boundary, r.location), `${r.code} outside its community`);
      if (r.serviceArea.kind === 'polygon')
        assert.ok(containsPoint(r.serviceArea.polygon, r.location), `${r.code} outside its area`);
    }
  }
});

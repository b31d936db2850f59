import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fastDistanceM, locatePoint, rectanglePolygon } from './geo.ts';
import { createGridLocator, createPointIndex } from './spatial-index.ts';
import { DEMO_COMMUNITIES } from '../../seed/demo-geography.ts';

const demoGrids = DEMO_COMMUNITIES.flatMap((c) => c.grids.map((g) => ({ code: g.code, area: g.polygon })));

/** An n×n tiling of rectangles with codes g000…; cell size 0.001°. */
function tiling(n: number): Array<{ code: string; area: ReturnType<typeof rectanglePolygon> }> {
  const out = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const minLng = 113.9 + i * 0.001;
      const minLat = 22.5 + j * 0.001;
      out.push({
        code: `g${String(i * n + j).padStart(4, '0')}`,
        area: rectanglePolygon({ minLng, minLat, maxLng: minLng + 0.001, maxLat: minLat + 0.001 }),
      });
    }
  }
  return out;
}

test('locate: every demo building lies in its own grid', () => {
  const locator = createGridLocator(demoGrids);
  for (const c of DEMO_COMMUNITIES) {
    for (const b of c.buildings) {
      const placed = locator.locate(b);
      assert.equal(placed?.code, b.gridCode, b.name);
      assert.equal(placed?.on, 'inside');
    }
  }
});

test('locate: a point on a shared edge or corner goes to the lowest grid code', () => {
  const locator = createGridLocator(demoGrids);
  // Edge between taoyuan-g1 and taoyuan-g2.
  assert.deepEqual(locator.locate({ lng: 113.945, lat: 22.562 }), {
    code: 'taoyuan-g1',
    on: 'boundary',
    alternatives: ['taoyuan-g2'],
  });
  // Corner shared by the four taoyuan grids.
  const corner = locator.locate({ lng: 113.945, lat: 22.56 });
  assert.equal(corner?.code, 'taoyuan-g1');
  assert.deepEqual(corner?.alternatives, ['taoyuan-g2', 'taoyuan-g3', 'taoyuan-g4']);
  // The community border: longzhu-g1 vs taoyuan-g2; code order, not input order, decides.
  assert.equal(locator.locate({ lng: 113.95, lat: 22.562 })?.code, 'longzhu-g1');
  assert.equal(locator.locate({ lng: 114.2, lat: 22.562 }), undefined);
});

test('locate: strictly inside beats on-boundary, and a hole is outside', () => {
  const outer = rectanglePolygon({ minLng: 0, minLat: 0, maxLng: 10, maxLat: 10 });
  const withHole = {
    type: 'Polygon' as const,
    coordinates: [
      outer.coordinates[0] ?? [],
      [
        [4, 4],
        [4, 6],
        [6, 6],
        [6, 4],
        [4, 4],
      ] as Array<[number, number]>,
    ],
  };
  const locator = createGridLocator([
    { code: 'a-holed', area: withHole },
    { code: 'b-island', area: rectanglePolygon({ minLng: 4, minLat: 4, maxLng: 6, maxLat: 6 }) },
  ]);
  assert.equal(locator.locate({ lng: 5, lat: 5 })?.code, 'b-island');
  assert.equal(locator.locate({ lng: 5, lat: 5 })?.on, 'inside');
  assert.equal(locator.locate({ lng: 1, lat: 1 })?.code, 'a-holed');
  assert.equal(locator.locate({ lng: 4, lat: 5 })?.code, 'a-holed');
  assert.equal(locator.locate({ lng: 4, lat: 5 })?.on, 'boundary');
});

test('locate: agrees with brute force on random points over a 20×20 tiling', () => {
  const grids = tiling(20);
  const locator = createGridLocator(grids);
  fc.assert(
    fc.property(fc.integer({ min: -10, max: 210 }), fc.integer({ min: -10, max: 210 }), (i, j) => {
      // Multiples of 1e-4° hit edges and corners often.
      const p = { lng: 113.9 + i * 1e-4, lat: 22.5 + j * 1e-4 };
      const brute = grids.filter((g) => locatePoint(p, g.area) !== 'outside').map((g) => g.code);
      const got = locator.locateAll(p).map((h) => h.code);
      assert.deepEqual(got, brute);
      assert.equal(locator.locate(p)?.code, brute[0]);
    }),
    { numRuns: 2000 },
  );
});

test('point index: within-radius and nearest agree with brute force', () => {
  const pts = Array.from({ length: 2000 }, (_, i) => ({
    id: i,
    lat: 22.5 + ((i * 7919) % 1000) * 1e-4,
    lng: 113.9 + ((i * 104729) % 1000) * 1e-4,
  }));
  const index = createPointIndex(pts, (p) => p, 300);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1000 }),
      fc.integer({ min: 0, max: 1000 }),
      fc.integer({ min: 50, max: 3000 }),
      (a, b, r) => {
        const c = { lat: 22.5 + a * 1e-4, lng: 113.9 + b * 1e-4 };
        const brute = pts.map((p) => ({ id: p.id, d: fastDistanceM(c, p) })).sort((x, y) => x.d - y.d);
        const within = index.withinRadius(c, r).map((n) => n.item.id);
        assert.deepEqual(new Set(within), new Set(brute.filter((x) => x.d <= r).map((x) => x.id)));
        const even = (p: { id: number }): boolean => p.id % 2 === 0;
        const near = index.nearest(c, 3, even);
        const bruteEven = brute.filter((x) => x.id % 2 === 0).slice(0, 3);
        assert.deepEqual(
          near.map((n) => n.distanceM),
          bruteEven.map((x) => x.d),
        );
      },
    ),
    { numRuns: 200 },
  );
  assert.deepEqual(
    createPointIndex([], (p: { lat: number; lng: number }) => p).nearest({ lat: 0, lng: 0 }),
    [],
  );
});

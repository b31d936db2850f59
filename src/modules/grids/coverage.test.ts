import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rectanglePolygon } from './geo.ts';
import { analyseCoverage } from './coverage.ts';
import { DEMO_COMMUNITIES } from '../../seed/demo-geography.ts';

const rect = (
  minLng: number,
  minLat: number,
  maxLng: number,
  maxLat: number,
): ReturnType<typeof rectanglePolygon> => rectanglePolygon({ minLng, minLat, maxLng, maxLat });

test('coverage: the demo grids tile each community with no gap and no overlap', () => {
  for (const c of DEMO_COMMUNITIES) {
    const report = analyseCoverage({
      grids: c.grids.map((g) => ({ code: g.code, area: g.polygon })),
      points: c.buildings.map((b) => ({ id: b.code, lat: b.lat, lng: b.lng })),
      boundary: c.boundary,
    });
    assert.equal(report.gaps.points.length, 0);
    assert.equal(report.gaps.shareOfArea, 0);
    assert.equal(report.overlaps.pairs.length, 0);
    assert.equal(report.overlaps.shareOfArea, 0);
    assert.equal(report.outsideBoundaryShare, 0);
    assert.deepEqual(
      report.perGrid.map((g) => g.points),
      [3, 3, 3, 3],
    );
  }
});

test('coverage: crafted overlapping grids and a gap are measured', () => {
  // Boundary 0.01° × 0.01°. A covers the west 60 %, B the east 50 % (10 % overlap), the north
  // quarter of the east strip is left out of B (gap), C sticks out of the boundary.
  const boundary = rect(113.9, 22.5, 113.91, 22.51);
  const grids = [
    { code: 'A', area: rect(113.9, 22.5, 113.906, 22.51) },
    { code: 'B', area: rect(113.905, 22.5, 113.91, 22.5075) },
    { code: 'C', area: rect(113.91, 22.5, 113.912, 22.501) },
  ];
  const points = [
    { id: 'only-a', lng: 113.901, lat: 22.505 },
    { id: 'both', lng: 113.9055, lat: 22.505 },
    { id: 'gap', lng: 113.908, lat: 22.509 },
    { id: 'edge-bc', lng: 113.91, lat: 22.5005 },
  ];
  const r = analyseCoverage({ grids, points, boundary, latticeSize: 400 });
  assert.deepEqual(
    r.gaps.points.map((p) => p.id),
    ['gap'],
  );
  assert.equal(r.gaps.shareOfPoints, 0.25);
  assert.deepEqual(r.overlaps.points, [{ point: points[1], grids: ['A', 'B'] }]);
  assert.equal(r.boundaryPoints, 1);
  assert.equal(r.overlaps.pairs.length, 1);
  const pair = r.overlaps.pairs[0];
  assert.equal(pair?.a, 'A');
  assert.equal(pair?.b, 'B');
  // Overlap 0.001 × 0.0075 of A's 0.006 × 0.01 → 12.5 %; of B's 0.005 × 0.0075 → 20 %.
  assert.ok(Math.abs((pair?.shareOfA ?? 0) - 0.125) < 1e-3);
  assert.ok(Math.abs((pair?.shareOfB ?? 0) - 0.2) < 1e-3);
  // Gap: 0.004 × 0.0025 of the 1e-4 boundary = 10 %.
  assert.ok(Math.abs((r.gaps.shareOfArea ?? 0) - 0.1) < 0.01, String(r.gaps.shareOfArea));
  // Covered twice: 7.5e-6 of the covered 6e-5 + 3.75e-5 - 7.5e-6 + 2e-6 = 9.2e-5 ≈ 8.2 %.
  assert.ok(Math.abs(r.overlaps.shareOfArea - 7.5e-6 / 9.2e-5) < 0.01, String(r.overlaps.shareOfArea));
  assert.ok(Math.abs((r.outsideBoundaryShare ?? 0) - 2e-6 / 9.2e-5) < 0.01);
});

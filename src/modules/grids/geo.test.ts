import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { GeoJsonPolygon, Position } from './geo.types.ts';
import {
  areaM2,
  haversineM,
  isCounterClockwise,
  locatePoint,
  overlapAreaM2,
  rectanglePolygon,
  rewind,
  validateFeatureCollection,
  validateGeometry,
} from './geo.ts';
import { DEMO_COMMUNITIES } from '../../seed/demo-geography.ts';

const square = (x0: number, y0: number, size: number): GeoJsonPolygon =>
  rectanglePolygon({ minLng: x0, minLat: y0, maxLng: x0 + size, maxLat: y0 + size });

const poly = (...rings: Position[][]): GeoJsonPolygon => ({ type: 'Polygon', coordinates: rings });

test('haversine: one degree of latitude is about 111.2 km', () => {
  const d = haversineM({ lat: 22, lng: 113.9 }, { lat: 23, lng: 113.9 });
  assert.ok(Math.abs(d - 111_195) < 10, String(d));
});

test('validate: the demo geography is valid and already counter-clockwise', () => {
  for (const c of DEMO_COMMUNITIES) {
    for (const g of [c.boundary, ...c.grids.map((x) => x.polygon)]) {
      const r = validateGeometry(g);
      assert.equal(r.ok, true, JSON.stringify(r.issues));
      assert.deepEqual(r.issues, []);
    }
  }
});

test('validate: each problem is named with its code and path', () => {
  const cases: Array<[string, unknown, string, string]> = [
    ['not an object', 42, 'invalid_geometry', ''],
    ['wrong type', { type: 'Point', coordinates: [1, 2] }, 'invalid_geometry', '.type'],
    [
      'bad position',
      poly([
        [113.9, 22.5],
        [113.91, 22.5],
        [113.91, Number.NaN],
        [113.9, 22.5],
      ]),
      'invalid_position',
      '.coordinates[0][2]',
    ],
    [
      'not closed',
      poly([
        [113.9, 22.5],
        [113.91, 22.5],
        [113.91, 22.51],
        [113.9, 22.51],
      ]),
      'ring_not_closed',
      '.coordinates[0]',
    ],
    [
      'too few',
      poly([
        [113.9, 22.5],
        [113.91, 22.5],
        [113.9, 22.5],
      ]),
      'too_few_positions',
      '.coordinates[0]',
    ],
    [
      'collinear',
      poly([
        [113.9, 22.5],
        [113.91, 22.5],
        [113.92, 22.5],
        [113.9, 22.5],
      ]),
      'zero_area',
      '.coordinates[0]',
    ],
    [
      'bow tie',
      poly([
        [113.9, 22.5],
        [113.91, 22.51],
        [113.91, 22.5],
        [113.9, 22.51],
        [113.9, 22.5],
      ]),
      'self_intersection',
      '.coordinates[0]',
    ],
    [
      'spike',
      poly([
        [113.9, 22.5],
        [113.91, 22.5],
        [113.91, 22.51],
        [113.91, 22.505],
        [113.91, 22.52],
        [113.9, 22.51],
        [113.9, 22.5],
      ]),
      'self_intersection',
      '.coordinates[0]',
    ],
    [
      'lat,lng swapped',
      poly([
        [22.5, 113.9],
        [22.5, 113.91],
        [22.51, 113.91],
        [22.5, 113.9],
      ]),
      'coordinate_order',
      '.coordinates[0][0]',
    ],
    ['outside region', square(2.35, 48.85, 0.01), 'outside_region', '.coordinates[0][0]'],
    [
      'out of range',
      poly([
        [200, 95],
        [201, 95],
        [201, 96],
        [200, 95],
      ]),
      'coordinate_out_of_range',
      '.coordinates[0][0]',
    ],
    [
      'hole outside shell',
      poly(square(113.9, 22.5, 0.01).coordinates[0] ?? [], [
        [113.95, 22.55],
        [113.95, 22.56],
        [113.96, 22.56],
        [113.95, 22.55],
      ]),
      'hole_outside_shell',
      '.coordinates[1]',
    ],
    [
      'hole crossing shell',
      poly(square(113.9, 22.5, 0.01).coordinates[0] ?? [], [
        [113.905, 22.505],
        [113.905, 22.52],
        [113.906, 22.52],
        [113.905, 22.505],
      ]),
      'rings_intersect',
      '.coordinates[1]',
    ],
  ];
  for (const [name, input, code, path] of cases) {
    const r = validateGeometry(input);
    assert.equal(r.ok, false, name);
    const issue = r.issues.find((i) => i.severity === 'error');
    assert.equal(issue?.code, code, `${name}: ${JSON.stringify(r.issues)}`);
    assert.equal(issue?.path, path, name);
    assert.ok((issue?.message.length ?? 0) > 10, name);
  }
});

test('validate: clockwise exterior is rewound with a warning, or refused when strict', () => {
  const ccw = square(113.9, 22.5, 0.01);
  const cw = poly([...(ccw.coordinates[0] ?? [])].reverse());
  const normal = validateGeometry(cw);
  assert.equal(normal.ok, true);
  assert.equal(normal.issues[0]?.code, 'clockwise_exterior');
  assert.equal(normal.issues[0]?.severity, 'warning');
  assert.deepEqual(normal.geometry, ccw);
  const strict = validateGeometry(cw, { orientation: 'strict' });
  assert.equal(strict.ok, false);
  assert.equal(strict.issues[0]?.code, 'clockwise_exterior');
});

test('validate: a collection names the feature index and id, and is all-or-nothing', () => {
  const fcInput = {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { code: 'g1' }, geometry: square(113.9, 22.5, 0.01) },
      {
        type: 'Feature',
        properties: { code: 'g2' },
        geometry: poly([
          [22.5, 113.9],
          [22.5, 113.91],
          [22.51, 113.91],
          [22.5, 113.9],
        ]),
      },
      { type: 'Feature', properties: { code: 'g1' }, geometry: square(113.92, 22.5, 0.01) },
      { type: 'Feature', properties: {}, geometry: square(113.94, 22.5, 0.01) },
    ],
  };
  const r = validateFeatureCollection(fcInput, { requiredProperties: ['code'] });
  assert.equal(r.ok, false);
  assert.deepEqual(r.features, []);
  const byCode = Object.fromEntries(r.issues.map((i) => [i.code, i]));
  assert.equal(byCode.coordinate_order?.featureIndex, 1);
  assert.equal(byCode.coordinate_order?.featureId, 'g2');
  assert.match(byCode.coordinate_order?.message ?? '', /^feature 1 \(g2\): /);
  assert.equal(byCode.coordinate_order?.path, 'features[1].geometry.coordinates[0][0]');
  assert.equal(byCode.duplicate_id?.featureIndex, 2);
  assert.equal(byCode.missing_property?.path, 'features[3].properties.code');
  const good = validateFeatureCollection({
    type: 'FeatureCollection',
    features: fcInput.features.slice(0, 1),
  });
  assert.equal(good.ok, true);
  assert.equal(good.features[0]?.id, 'g1');
});

test('validate: MultiPolygon parts must not overlap; an island in a hole is fine', () => {
  const outer = square(113.9, 22.5, 0.03).coordinates[0] ?? [];
  const hole = [...(square(113.91, 22.51, 0.01).coordinates[0] ?? [])].reverse();
  const island = square(113.913, 22.513, 0.004).coordinates[0] ?? [];
  const ok = validateGeometry({ type: 'MultiPolygon', coordinates: [[outer, hole], [island]] });
  assert.equal(ok.ok, true, JSON.stringify(ok.issues));
  const bad = validateGeometry({ type: 'MultiPolygon', coordinates: [[outer], [island]] });
  assert.equal(bad.issues[0]?.code, 'parts_overlap');
});

test('point in polygon: inside, outside, on edge, on vertex, and holes', () => {
  const shell = square(0, 0, 10).coordinates[0] ?? [];
  const hole = [...(square(4, 4, 2).coordinates[0] ?? [])].reverse();
  const p = poly(shell, hole);
  assert.equal(locatePoint({ lng: 1, lat: 1 }, p), 'inside');
  assert.equal(locatePoint({ lng: 11, lat: 1 }, p), 'outside');
  assert.equal(locatePoint({ lng: 10, lat: 5 }, p), 'boundary');
  assert.equal(locatePoint({ lng: 0, lat: 0 }, p), 'boundary');
  assert.equal(locatePoint({ lng: 5, lat: 5 }, p), 'outside');
  assert.equal(locatePoint({ lng: 4, lat: 5 }, p), 'boundary');
  // A ray through a vertex must not double count.
  const diamond = poly([
    [0, -1],
    [1, 0],
    [0, 1],
    [-1, 0],
    [0, -1],
  ]);
  assert.equal(locatePoint({ lng: -0.5, lat: 0 }, diamond), 'inside');
  assert.equal(locatePoint({ lng: -2, lat: 0 }, diamond), 'outside');
});

test('area: a 0.01° square at 22.56° N matches the equirectangular estimate', () => {
  const a = areaM2(square(113.94, 22.555, 0.01));
  const expected = (0.01 * Math.PI * 6371008.8) / 180;
  const flat = expected * expected * Math.cos((22.56 * Math.PI) / 180);
  assert.ok(Math.abs(a - flat) / flat < 1e-4, `${a} vs ${flat}`);
  const holed = poly(
    square(0, 0, 1).coordinates[0] ?? [],
    [...(square(0.25, 0.25, 0.5).coordinates[0] ?? [])].reverse(),
  );
  const ratio = areaM2(holed) / areaM2(square(0, 0, 1));
  assert.ok(Math.abs(ratio - 0.75) < 1e-3, String(ratio));
});

test('rewind: orientation is fixed regardless of input winding', () => {
  const p = poly(
    [...(square(0, 0, 1).coordinates[0] ?? [])].reverse(),
    square(0.2, 0.2, 0.1).coordinates[0] ?? [],
  );
  const r = rewind(p);
  assert.equal(isCounterClockwise(r.coordinates[0] ?? []), true);
  assert.equal(isCounterClockwise(r.coordinates[1] ?? []), false);
});

test('overlap: neighbours sharing an edge overlap 0; crafted overlaps are exact', () => {
  const [g1, g2, g3] = (DEMO_COMMUNITIES[0]?.grids ?? []).map((g) => g.polygon);
  assert.ok(g1 && g2 && g3);
  assert.equal(overlapAreaM2(g1, g2), 0);
  assert.equal(overlapAreaM2(g1, g3), 0);
  const a1 = areaM2(g1);
  assert.ok(Math.abs(overlapAreaM2(g1, g1) - a1) / a1 < 1e-3);
  // Half of a square shifted by half its width.
  const a = square(113.94, 22.55, 0.01);
  const b = square(113.945, 22.55, 0.01);
  const half = overlapAreaM2(a, b) / areaM2(a);
  assert.ok(Math.abs(half - 0.5) < 1e-3, String(half));
  // Concave L-shape against a square filling its notch: overlap 0; against a square over its corner: 1/4 of the square.
  const L = poly([
    [0, 0],
    [0.02, 0],
    [0.02, 0.01],
    [0.01, 0.01],
    [0.01, 0.02],
    [0, 0.02],
    [0, 0],
  ]);
  assert.ok(overlapAreaM2(L, square(0.01, 0.01, 0.01)) < 1e-6);
  const quarter = overlapAreaM2(L, square(0.005, 0.005, 0.01)) / areaM2(square(0.005, 0.005, 0.01));
  assert.ok(Math.abs(quarter - 0.75) < 1e-3, String(quarter));
});

test('overlap: agrees with the analytic overlap of random axis-aligned rectangles', () => {
  fc.assert(
    fc.property(
      fc.tuple(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 1, max: 80 }),
      ),
      fc.tuple(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 1, max: 80 }),
      ),
      ([x1, y1, w1, h1], [x2, y2, w2, h2]) => {
        const u = 1e-4;
        const A = rectanglePolygon({
          minLng: 113.9 + x1 * u,
          minLat: 22.5 + y1 * u,
          maxLng: 113.9 + (x1 + w1) * u,
          maxLat: 22.5 + (y1 + h1) * u,
        });
        const B = rectanglePolygon({
          minLng: 113.9 + x2 * u,
          minLat: 22.5 + y2 * u,
          maxLng: 113.9 + (x2 + w2) * u,
          maxLat: 22.5 + (y2 + h2) * u,
        });
        const ox = Math.max(0, Math.min(x1 + w1, x2 + w2) - Math.max(x1, x2));
        const oy = Math.max(0, Math.min(y1 + h1, y2 + h2) - Math.max(y1, y2));
        const expectedShare = (ox * oy) / (w1 * h1);
        const share = overlapAreaM2(A, B) / areaM2(A);
        return Math.abs(share - expectedShare) < 2e-3;
      },
    ),
    { numRuns: 300 },
  );
});

/**
 * Validation of GeoJSON Polygon / MultiPolygon input (grid boundaries, service areas).
 *
 * Every problem is reported with a stable code, a JSON-ish path (`features[2].geometry.coordinates[0]`),
 * the feature index and id when validating a collection, and a message in plain words. Checks:
 * shape and numbers, coordinate ranges, [lat, lng] order (by ranges and by a region bounding box),
 * ring closure, at least 4 positions, zero area, self-intersection (segment intersection, including
 * spikes that fold back on themselves), rings crossing each other, holes outside the shell or inside
 * another hole, parts of a MultiPolygon overlapping, and orientation.
 *
 * Orientation rule: RFC 7946 wants exterior rings counter-clockwise and holes clockwise. By default
 * (`orientation: 'normalise'`) a wrongly wound ring is a *warning* and the returned geometry is
 * rewound; with `orientation: 'strict'` it is an error. Rings touching each other at a point are
 * refused too (stricter than OGC), which keeps point placement unambiguous.
 */
import type { Bbox } from './geo.ts';
import type { GeoJsonArea, LinearRing, Position } from './geo.types.ts';
import { isCounterClockwise, locateInPolygon, pointInRing, rewind, ringSignedArea } from './geo.ts';

export type GeoIssueCode =
  | 'invalid_geometry'
  | 'invalid_position'
  | 'coordinate_out_of_range'
  | 'coordinate_order'
  | 'outside_region'
  | 'too_few_positions'
  | 'ring_not_closed'
  | 'zero_area'
  | 'self_intersection'
  | 'rings_intersect'
  | 'hole_outside_shell'
  | 'nested_holes'
  | 'parts_overlap'
  | 'clockwise_exterior'
  | 'counter_clockwise_hole'
  | 'missing_property'
  | 'duplicate_id';

export interface GeoIssue {
  code: GeoIssueCode;
  severity: 'error' | 'warning';
  message: string;
  path: string;
  featureIndex?: number;
  featureId?: string;
}

export interface GeoValidationOptions {
  /** Positions must fall in this box; null disables the check. Default: DEFAULT_REGION (China). */
  region?: Bbox | null;
  /** 'normalise' (default): rewind and warn; 'strict': wrong winding is an error. */
  orientation?: 'normalise' | 'strict';
}

export interface GeoValidationResult {
  ok: boolean;
  issues: GeoIssue[];
  /** The geometry, rewound to RFC 7946 orientation, when ok. */
  geometry?: GeoJsonArea;
}

/** Mainland China, Hainan and the South China Sea islands, generously. */
export const DEFAULT_REGION: Bbox = { minLng: 73, minLat: 3, maxLng: 136, maxLat: 54 };

interface Ctx {
  path: string;
  featureIndex?: number;
  featureId?: string;
  issues: GeoIssue[];
}

function add(
  ctx: Ctx,
  code: GeoIssueCode,
  path: string,
  message: string,
  severity: 'error' | 'warning' = 'error',
): void {
  const where =
    ctx.featureIndex === undefined
      ? ''
      : `feature ${ctx.featureIndex}${ctx.featureId ? ` (${ctx.featureId})` : ''}: `;
  const issue: GeoIssue = { code, severity, message: `${where}${message}`, path };
  if (ctx.featureIndex !== undefined) issue.featureIndex = ctx.featureIndex;
  if (ctx.featureId !== undefined) issue.featureId = ctx.featureId;
  ctx.issues.push(issue);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const inBox = (lng: number, lat: number, b: Bbox): boolean =>
  lng >= b.minLng && lng <= b.maxLng && lat >= b.minLat && lat <= b.maxLat;

/** Validate one geometry. */
export function validateGeometry(input: unknown, options: GeoValidationOptions = {}): GeoValidationResult {
  const ctx: Ctx = { path: '', issues: [] };
  const geometry = checkGeometry(input, options, ctx);
  const ok = !ctx.issues.some((i) => i.severity === 'error');
  return ok && geometry ? { ok, issues: ctx.issues, geometry } : { ok: false, issues: ctx.issues };
}

export interface ValidatedFeature {
  index: number;
  id?: string;
  properties: Record<string, unknown>;
  geometry: GeoJsonArea;
}

export interface FeatureCollectionResult {
  ok: boolean;
  issues: GeoIssue[];
  /** All features when ok; empty otherwise (imports are all-or-nothing). */
  features: ValidatedFeature[];
}

/**
 * Validate a FeatureCollection (or a bare array of Features). `idProperty` (default `code`) names
 * the property identifying each feature in messages and must be unique when present;
 * `requiredProperties` must be present on every feature.
 */
export function validateFeatureCollection(
  input: unknown,
  options: GeoValidationOptions & { idProperty?: string; requiredProperties?: string[] } = {},
): FeatureCollectionResult {
  const issues: GeoIssue[] = [];
  const list = Array.isArray(input)
    ? input
    : isRecord(input) && input.type === 'FeatureCollection' && Array.isArray(input.features)
      ? input.features
      : null;
  if (!list) {
    issues.push({
      code: 'invalid_geometry',
      severity: 'error',
      message: 'expected a GeoJSON FeatureCollection with a features array',
      path: '',
    });
    return { ok: false, issues, features: [] };
  }
  const idProperty = options.idProperty ?? 'code';
  const seen = new Map<string, number>();
  const features: ValidatedFeature[] = [];
  list.forEach((feature: unknown, index) => {
    const path = `features[${index}]`;
    const ctx: Ctx = { path, featureIndex: index, issues };
    if (!isRecord(feature) || feature.type !== 'Feature') {
      add(ctx, 'invalid_geometry', path, 'is not a GeoJSON Feature');
      return;
    }
    const properties = isRecord(feature.properties) ? feature.properties : {};
    const rawId = properties[idProperty];
    const id = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : undefined;
    if (id !== undefined) ctx.featureId = id;
    for (const name of options.requiredProperties ?? []) {
      const v = properties[name];
      if (v === undefined || v === null || v === '') {
        add(ctx, 'missing_property', `${path}.properties.${name}`, `property "${name}" is required`);
      }
    }
    if (id !== undefined) {
      const first = seen.get(id);
      if (first !== undefined) {
        add(
          ctx,
          'duplicate_id',
          `${path}.properties.${idProperty}`,
          `${idProperty} "${id}" repeats feature ${first}`,
        );
      } else seen.set(id, index);
    }
    ctx.path = `${path}.geometry`;
    const geometry = checkGeometry(feature.geometry, options, ctx);
    if (geometry)
      features.push(id === undefined ? { index, properties, geometry } : { index, id, properties, geometry });
  });
  const ok = !issues.some((i) => i.severity === 'error');
  return { ok, issues, features: ok ? features : [] };
}

function checkGeometry(input: unknown, options: GeoValidationOptions, ctx: Ctx): GeoJsonArea | undefined {
  if (!isRecord(input)) {
    add(ctx, 'invalid_geometry', ctx.path, 'geometry is missing or not an object');
    return undefined;
  }
  const coordinates = input.coordinates;
  if (input.type === 'Polygon') {
    const rings = checkPolygon(coordinates, `${ctx.path}.coordinates`, options, ctx);
    return rings ? rewind({ type: 'Polygon', coordinates: rings }) : undefined;
  }
  if (input.type === 'MultiPolygon') {
    if (!Array.isArray(coordinates) || coordinates.length === 0) {
      add(
        ctx,
        'invalid_geometry',
        `${ctx.path}.coordinates`,
        'MultiPolygon coordinates must be a non-empty array of polygons',
      );
      return undefined;
    }
    const parts: LinearRing[][] = [];
    let failed = false;
    coordinates.forEach((part: unknown, i) => {
      const rings = checkPolygon(part, `${ctx.path}.coordinates[${i}]`, options, ctx);
      if (rings) parts.push(rings);
      else failed = true;
    });
    if (failed) return undefined;
    checkPartsDisjoint(parts, ctx);
    return rewind({ type: 'MultiPolygon', coordinates: parts });
  }
  add(
    ctx,
    'invalid_geometry',
    `${ctx.path}.type`,
    `type must be "Polygon" or "MultiPolygon", got ${JSON.stringify(input.type)}`,
  );
  return undefined;
}

function checkPolygon(
  input: unknown,
  path: string,
  options: GeoValidationOptions,
  ctx: Ctx,
): LinearRing[] | undefined {
  if (!Array.isArray(input) || input.length === 0) {
    add(ctx, 'invalid_geometry', path, 'a polygon must be a non-empty array of linear rings');
    return undefined;
  }
  const rings: LinearRing[] = [];
  let failed = false;
  input.forEach((raw: unknown, r) => {
    const ring = checkRing(raw, `${path}[${r}]`, options, ctx);
    if (ring) rings.push(ring);
    else failed = true;
  });
  if (failed) return undefined;
  const before = ctx.issues.length;
  rings.forEach((ring, r) => {
    const ccw = isCounterClockwise(ring);
    const strict = options.orientation === 'strict';
    if (r === 0 && !ccw) {
      add(
        ctx,
        'clockwise_exterior',
        `${path}[0]`,
        strict
          ? 'exterior ring is clockwise; RFC 7946 requires counter-clockwise'
          : 'exterior ring was clockwise and has been rewound',
        strict ? 'error' : 'warning',
      );
    }
    if (r > 0 && ccw) {
      add(
        ctx,
        'counter_clockwise_hole',
        `${path}[${r}]`,
        strict
          ? 'hole is counter-clockwise; RFC 7946 requires clockwise'
          : 'hole was counter-clockwise and has been rewound',
        strict ? 'error' : 'warning',
      );
    }
  });
  for (let a = 0; a < rings.length; a++) {
    for (let b = a + 1; b < rings.length; b++) {
      const ra = rings[a] ?? [];
      const rb = rings[b] ?? [];
      const hit = firstCrossing(ra, rb);
      if (hit) {
        add(
          ctx,
          'rings_intersect',
          `${path}[${b}]`,
          `ring ${b} crosses or touches ring ${a} near [${hit[0]}, ${hit[1]}]`,
        );
      }
    }
  }
  if (ctx.issues.slice(before).some((i) => i.code === 'rings_intersect')) return undefined;
  const shell = rings[0] ?? [];
  for (let h = 1; h < rings.length; h++) {
    const probe = (rings[h] ?? [])[0];
    if (!probe) continue;
    if (pointInRing(probe[0], probe[1], shell) < 0) {
      add(ctx, 'hole_outside_shell', `${path}[${h}]`, `hole ${h} lies outside the exterior ring`);
    }
    for (let o = 1; o < rings.length; o++) {
      if (o === h) continue;
      if (pointInRing(probe[0], probe[1], rings[o] ?? []) > 0) {
        add(ctx, 'nested_holes', `${path}[${h}]`, `hole ${h} lies inside hole ${o}`);
      }
    }
  }
  return ctx.issues.slice(before).some((i) => i.severity === 'error') ? undefined : rings;
}

function checkRing(
  input: unknown,
  path: string,
  options: GeoValidationOptions,
  ctx: Ctx,
): LinearRing | undefined {
  if (!Array.isArray(input)) {
    add(ctx, 'invalid_geometry', path, 'a linear ring must be an array of positions');
    return undefined;
  }
  const ring: LinearRing = [];
  const region = options.region === undefined ? DEFAULT_REGION : options.region;
  let rangeReported = false;
  for (let i = 0; i < input.length; i++) {
    const p: unknown = input[i];
    if (
      !Array.isArray(p) ||
      p.length < 2 ||
      typeof p[0] !== 'number' ||
      typeof p[1] !== 'number' ||
      !Number.isFinite(p[0]) ||
      !Number.isFinite(p[1])
    ) {
      add(
        ctx,
        'invalid_position',
        `${path}[${i}]`,
        `position ${i} must be [lng, lat] with two finite numbers`,
      );
      return undefined;
    }
    const lng = p[0];
    const lat = p[1];
    if (!rangeReported) {
      const valid = Math.abs(lng) <= 180 && Math.abs(lat) <= 90;
      const swappedValid = Math.abs(lat) <= 180 && Math.abs(lng) <= 90;
      if (!valid) {
        rangeReported = true;
        if (swappedValid) {
          add(
            ctx,
            'coordinate_order',
            `${path}[${i}]`,
            `position ${i} [${lng}, ${lat}] has a latitude beyond ±90: coordinates look like [lat, lng]; GeoJSON wants [lng, lat]`,
          );
        } else {
          add(
            ctx,
            'coordinate_out_of_range',
            `${path}[${i}]`,
            `position ${i} [${lng}, ${lat}] is outside longitude ±180 / latitude ±90`,
          );
        }
      } else if (region && !inBox(lng, lat, region)) {
        rangeReported = true;
        if (inBox(lat, lng, region)) {
          add(
            ctx,
            'coordinate_order',
            `${path}[${i}]`,
            `position ${i} [${lng}, ${lat}] lies outside the region but [${lat}, ${lng}] lies inside: coordinates look like [lat, lng]; GeoJSON wants [lng, lat]`,
          );
        } else {
          add(
            ctx,
            'outside_region',
            `${path}[${i}]`,
            `position ${i} [${lng}, ${lat}] lies outside the deployment region`,
          );
        }
      }
    }
    ring.push([lng, lat]);
  }
  if (rangeReported) return undefined;
  if (ring.length < 4) {
    add(ctx, 'too_few_positions', path, `a linear ring needs at least 4 positions, got ${ring.length}`);
    return undefined;
  }
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (!first || !last || first[0] !== last[0] || first[1] !== last[1]) {
    add(ctx, 'ring_not_closed', path, 'ring is not closed: the last position must equal the first');
    return undefined;
  }
  const simple = dedupe(ring);
  const a = simple[0];
  const b = simple.find((p) => a && (p[0] !== a[0] || p[1] !== a[1]));
  if (simple.length < 4 || !a || !b || simple.every((p) => orient(a, b, p) === 0)) {
    add(ctx, 'zero_area', path, 'ring encloses no area (fewer than 3 distinct corners or all on one line)');
    return undefined;
  }
  const hit = selfIntersection(simple);
  if (hit) {
    add(
      ctx,
      'self_intersection',
      path,
      `ring intersects itself near [${hit[0]}, ${hit[1]}] (edges ${hit[2]} and ${hit[3]})`,
    );
    return undefined;
  }
  if (Math.abs(ringSignedArea(simple)) < 1e-14) {
    add(ctx, 'zero_area', path, 'ring encloses no area');
    return undefined;
  }
  return ring;
}

/** Drops consecutive repeated positions (allowed by GeoJSON, meaningless for geometry). */
function dedupe(ring: LinearRing): LinearRing {
  const out: LinearRing = [];
  for (const p of ring) {
    const prev = out[out.length - 1];
    if (!prev || prev[0] !== p[0] || prev[1] !== p[1]) out.push(p);
  }
  return out;
}

/** Points within this distance (degrees, ≈ 1 cm) of a line count as on it. */
const COLLINEAR_DEG = 1e-7;

function orient(a: Position, b: Position, c: Position): -1 | 0 | 1 {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const v = dx * (c[1] - a[1]) - dy * (c[0] - a[0]);
  const len = Math.hypot(dx, dy);
  if (Math.abs(v) <= COLLINEAR_DEG * len) return 0;
  return v > 0 ? 1 : -1;
}

const within = (a: Position, b: Position, c: Position): boolean =>
  Math.min(a[0], b[0]) - COLLINEAR_DEG <= c[0] &&
  c[0] <= Math.max(a[0], b[0]) + COLLINEAR_DEG &&
  Math.min(a[1], b[1]) - COLLINEAR_DEG <= c[1] &&
  c[1] <= Math.max(a[1], b[1]) + COLLINEAR_DEG;

/** The point where segments p1–p2 and p3–p4 meet (touching counts), or undefined. */
export function segmentIntersection(
  p1: Position,
  p2: Position,
  p3: Position,
  p4: Position,
): Position | undefined {
  const o1 = orient(p1, p2, p3);
  const o2 = orient(p1, p2, p4);
  const o3 = orient(p3, p4, p1);
  const o4 = orient(p3, p4, p2);
  if (o1 * o2 < 0 && o3 * o4 < 0) {
    const d = (p2[0] - p1[0]) * (p4[1] - p3[1]) - (p2[1] - p1[1]) * (p4[0] - p3[0]);
    const t = ((p3[0] - p1[0]) * (p4[1] - p3[1]) - (p3[1] - p1[1]) * (p4[0] - p3[0])) / d;
    return [p1[0] + t * (p2[0] - p1[0]), p1[1] + t * (p2[1] - p1[1])];
  }
  if (o1 === 0 && within(p1, p2, p3)) return p3;
  if (o2 === 0 && within(p1, p2, p4)) return p4;
  if (o3 === 0 && within(p3, p4, p1)) return p1;
  if (o4 === 0 && within(p3, p4, p2)) return p2;
  return undefined;
}

interface Seg {
  i: number;
  a: Position;
  b: Position;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

function segmentsOf(ring: LinearRing): Seg[] {
  const segs: Seg[] = [];
  for (let i = 0; i < ring.length - 1; i++) {
    const a = ring[i];
    const b = ring[i + 1];
    if (!a || !b) continue;
    segs.push({
      i,
      a,
      b,
      minX: Math.min(a[0], b[0]),
      maxX: Math.max(a[0], b[0]),
      minY: Math.min(a[1], b[1]),
      maxY: Math.max(a[1], b[1]),
    });
  }
  return segs.sort((s, t) => s.minX - t.minX);
}

/**
 * First self-intersection of a closed ring without repeated consecutive positions:
 * [lng, lat, edgeA, edgeB]. Sweep over x so typical rings cost far less than n².
 * Adjacent edges may share their vertex but must not fold back onto each other (a spike).
 */
function selfIntersection(ring: LinearRing): [number, number, number, number] | undefined {
  const m = ring.length - 1;
  const segs = segmentsOf(ring);
  for (let s = 0; s < segs.length; s++) {
    const u = segs[s];
    if (!u) continue;
    for (let t = s + 1; t < segs.length; t++) {
      const v = segs[t];
      if (!v) continue;
      if (v.minX > u.maxX + COLLINEAR_DEG) break;
      if (v.minY > u.maxY + COLLINEAR_DEG || v.maxY < u.minY - COLLINEAR_DEG) continue;
      const lo = Math.min(u.i, v.i);
      const hi = Math.max(u.i, v.i);
      const adjacent = hi - lo === 1 || (lo === 0 && hi === m - 1);
      if (adjacent) {
        // Shared vertex is fine; collinear and pointing back is a spike.
        const [first, second] = hi - lo === 1 ? (u.i === lo ? [u, v] : [v, u]) : u.i === hi ? [u, v] : [v, u];
        if (orient(first.a, first.b, second.b) === 0) {
          const dot =
            (first.b[0] - first.a[0]) * (second.b[0] - second.a[0]) +
            (first.b[1] - first.a[1]) * (second.b[1] - second.a[1]);
          if (dot < 0) return [first.b[0], first.b[1], first.i, second.i];
        }
        continue;
      }
      const p = segmentIntersection(u.a, u.b, v.a, v.b);
      if (p) return [p[0], p[1], lo, hi];
    }
  }
  return undefined;
}

/** First point where two rings cross or touch, or undefined. */
function firstCrossing(r1: LinearRing, r2: LinearRing): Position | undefined {
  const s1 = segmentsOf(r1);
  const s2 = segmentsOf(r2);
  for (const u of s1) {
    for (const v of s2) {
      if (v.minX > u.maxX + COLLINEAR_DEG || v.maxX < u.minX - COLLINEAR_DEG) continue;
      if (v.minY > u.maxY + COLLINEAR_DEG || v.maxY < u.minY - COLLINEAR_DEG) continue;
      const p = segmentIntersection(u.a, u.b, v.a, v.b);
      if (p) return p;
    }
  }
  return undefined;
}

function checkPartsDisjoint(parts: LinearRing[][], ctx: Ctx): void {
  for (let a = 0; a < parts.length; a++) {
    for (let b = a + 1; b < parts.length; b++) {
      const A = parts[a] ?? [];
      const B = parts[b] ?? [];
      const pa = A[0]?.[0];
      const pb = B[0]?.[0];
      // An island inside another part's hole is allowed; anything else touching is not.
      const overlap =
        A.some((ra) => B.some((rb) => firstCrossing(ra, rb) !== undefined)) ||
        (pb !== undefined && locateInPolygon({ lng: pb[0], lat: pb[1] }, A) !== 'outside') ||
        (pa !== undefined && locateInPolygon({ lng: pa[0], lat: pa[1] }, B) !== 'outside');
      if (overlap)
        add(
          ctx,
          'parts_overlap',
          `${ctx.path}.coordinates[${b}]`,
          `polygon ${b} overlaps or touches polygon ${a}`,
        );
    }
  }
}

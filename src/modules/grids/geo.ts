/**
 * Plane and sphere geometry over GeoJSON polygons: distance, point-in-polygon with holes and an
 * explicit boundary result, area in square metres, orientation and normalisation.
 *
 * Conventions (RFC 7946): positions are [lng, lat]; edges are straight lines in lng/lat, which is
 * how point-in-polygon treats them; exterior rings counter-clockwise, holes clockwise.
 */
import type { GeoJsonArea, GeoJsonPolygon, LatLng, LinearRing, Position } from './geo.types.ts';

export type {
  GeoJsonArea,
  GeoJsonMultiPolygon,
  GeoJsonPolygon,
  LatLng,
  LinearRing,
  Position,
} from './geo.types.ts';
export { validateGeometry, validateFeatureCollection, DEFAULT_REGION } from './geo.validate.ts';
export type { GeoIssue, GeoIssueCode, GeoValidationOptions, GeoValidationResult } from './geo.validate.ts';
export { overlapAreaM2 } from './geo.overlap.ts';

/** Mean Earth radius (IUGG), metres. */
export const EARTH_RADIUS_M = 6371008.8;
const RAD = Math.PI / 180;
/** Distance within which a point counts as lying on an edge, in degrees (≈ 0.1 mm). */
export const EDGE_TOLERANCE_DEG = 1e-9;

export interface Bbox {
  minLng: number;
  minLat: number;
  maxLng: number;
  maxLat: number;
}

export type PointLocation = 'inside' | 'boundary' | 'outside';

/** Great-circle distance in metres. */
export function haversineM(a: LatLng, b: LatLng): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLng = (b.lng - a.lng) * RAD;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}

/**
 * Equirectangular distance in metres: within 0.1 % of the great circle below ~100 km away from the
 * poles, and several times cheaper. Used for ranking, where only the order matters.
 */
export function fastDistanceM(a: LatLng, b: LatLng): number {
  const x = (b.lng - a.lng) * RAD * Math.cos(((a.lat + b.lat) / 2) * RAD);
  const y = (b.lat - a.lat) * RAD;
  return Math.sqrt(x * x + y * y) * EARTH_RADIUS_M;
}

/** Signed planar area of a ring in square degrees: positive when counter-clockwise. */
export function ringSignedArea(ring: readonly Position[]): number {
  let s = 0;
  const n = ring.length;
  if (n < 3) return 0;
  const [x0, y0] = ring[0] ?? [0, 0];
  for (let i = 0; i < n - 1; i++) {
    const p = ring[i];
    const q = ring[i + 1];
    if (!p || !q) continue;
    // Relative to the first vertex, so large longitudes do not swamp the sum.
    s += (p[0] - x0) * (q[1] - y0) - (q[0] - x0) * (p[1] - y0);
  }
  return s / 2;
}

export function isCounterClockwise(ring: readonly Position[]): boolean {
  return ringSignedArea(ring) > 0;
}

/** Bounding box of a polygon or multipolygon (exterior rings suffice). */
export function bboxOf(area: GeoJsonArea): Bbox {
  const box: Bbox = { minLng: Infinity, minLat: Infinity, maxLng: -Infinity, maxLat: -Infinity };
  for (const polygon of polygonsOf(area)) {
    for (const [lng, lat] of polygon[0] ?? []) {
      if (lng < box.minLng) box.minLng = lng;
      if (lng > box.maxLng) box.maxLng = lng;
      if (lat < box.minLat) box.minLat = lat;
      if (lat > box.maxLat) box.maxLat = lat;
    }
  }
  return box;
}

/** The polygons (each a list of rings) of a Polygon or MultiPolygon. */
export function polygonsOf(area: GeoJsonArea): LinearRing[][] {
  return area.type === 'Polygon' ? [area.coordinates] : area.coordinates;
}

/**
 * Where a point lies relative to one ring: 1 inside, 0 on an edge or vertex, -1 outside.
 * Crossing-number test; the on-edge check runs first so boundary points are never misfiled.
 */
export function pointInRing(lng: number, lat: number, ring: readonly Position[]): -1 | 0 | 1 {
  let inside = false;
  const n = ring.length;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const a = ring[i];
    const b = ring[j];
    if (!a || !b) continue;
    const ax = a[0];
    const ay = a[1];
    const bx = b[0];
    const by = b[1];
    if (onSegment(lng, lat, ax, ay, bx, by)) return 0;
    if (ay > lat !== by > lat && lng < ((bx - ax) * (lat - ay)) / (by - ay) + ax) inside = !inside;
  }
  return inside ? 1 : -1;
}

/** True when (px, py) lies on segment a–b within EDGE_TOLERANCE_DEG. */
export function onSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): boolean {
  const t = EDGE_TOLERANCE_DEG;
  if (px < Math.min(ax, bx) - t || px > Math.max(ax, bx) + t) return false;
  if (py < Math.min(ay, by) - t || py > Math.max(ay, by) + t) return false;
  const dx = bx - ax;
  const dy = by - ay;
  const len = Math.hypot(dx, dy);
  if (len === 0) return Math.hypot(px - ax, py - ay) <= t;
  return Math.abs(dx * (py - ay) - dy * (px - ax)) / len <= t;
}

/** Point against a polygon with holes: on any ring's edge is 'boundary'; inside a hole is 'outside'. */
export function locateInPolygon(point: LatLng, rings: readonly LinearRing[]): PointLocation {
  const shell = rings[0];
  if (!shell) return 'outside';
  const s = pointInRing(point.lng, point.lat, shell);
  if (s === 0) return 'boundary';
  if (s < 0) return 'outside';
  for (let h = 1; h < rings.length; h++) {
    const hole = rings[h];
    if (!hole) continue;
    const r = pointInRing(point.lng, point.lat, hole);
    if (r === 0) return 'boundary';
    if (r > 0) return 'outside';
  }
  return 'inside';
}

/** Point against a Polygon or MultiPolygon. */
export function locatePoint(point: LatLng, area: GeoJsonArea): PointLocation {
  let boundary = false;
  for (const polygon of polygonsOf(area)) {
    const r = locateInPolygon(point, polygon);
    if (r === 'inside') return 'inside';
    if (r === 'boundary') boundary = true;
  }
  return boundary ? 'boundary' : 'outside';
}

/** True when the point is inside or on the boundary. */
export function containsPoint(area: GeoJsonArea, point: LatLng): boolean {
  return locatePoint(point, area) !== 'outside';
}

/**
 * Spherical area of a ring in m² (Chamberlain & Duquette, "Some algorithms for polygons on a
 * sphere", 2007), signed: positive when counter-clockwise.
 */
export function ringAreaM2(ring: readonly Position[]): number {
  const n = ring.length;
  if (n < 4) return 0;
  let sum = 0;
  for (let i = 0; i < n - 1; i++) {
    const prev = ring[i === 0 ? n - 2 : i - 1];
    const cur = ring[i];
    const next = ring[i + 1];
    if (!prev || !cur || !next) continue;
    sum += (next[0] - prev[0]) * RAD * Math.sin(cur[1] * RAD);
  }
  return (sum * EARTH_RADIUS_M * EARTH_RADIUS_M) / 2;
}

/** Area in m² of a Polygon or MultiPolygon: shells minus holes, whatever their orientation. */
export function areaM2(area: GeoJsonArea): number {
  let total = 0;
  for (const polygon of polygonsOf(area)) {
    polygon.forEach((ring, i) => {
      const a = Math.abs(ringAreaM2(ring));
      total += i === 0 ? a : -a;
    });
  }
  return total;
}

/** A ring with the requested orientation (a copy when reversed). */
export function orientRing(ring: LinearRing, counterClockwise: boolean): LinearRing {
  return isCounterClockwise(ring) === counterClockwise ? ring : [...ring].reverse();
}

/** The geometry with RFC 7946 orientation: exterior rings counter-clockwise, holes clockwise. */
export function rewind<T extends GeoJsonArea>(area: T): T {
  const fix = (polygon: LinearRing[]): LinearRing[] => polygon.map((ring, i) => orientRing(ring, i === 0));
  if (area.type === 'Polygon') return { ...area, coordinates: fix(area.coordinates) };
  return { ...area, coordinates: area.coordinates.map(fix) };
}

/** A closed axis-aligned rectangle as a counter-clockwise Polygon. */
export function rectanglePolygon(box: Bbox): GeoJsonPolygon {
  const { minLng, minLat, maxLng, maxLat } = box;
  return {
    type: 'Polygon',
    coordinates: [
      [
        [minLng, minLat],
        [maxLng, minLat],
        [maxLng, maxLat],
        [minLng, maxLat],
        [minLng, minLat],
      ],
    ],
  };
}

/** Local planar projection (equirectangular about a reference latitude), metres. */
export interface LocalProjection {
  x(lng: number): number;
  y(lat: number): number;
}

export function localProjection(refLat: number, refLng: number): LocalProjection {
  const kx = RAD * EARTH_RADIUS_M * Math.cos(refLat * RAD);
  const ky = RAD * EARTH_RADIUS_M;
  return { x: (lng) => (lng - refLng) * kx, y: (lat) => (lat - refLat) * ky };
}

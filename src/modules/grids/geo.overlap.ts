/**
 * Exact area of the intersection of two polygons (simple rings, concave allowed, with holes,
 * Polygon or MultiPolygon), by Green's theorem rather than clipping:
 *
 *   area(A ∩ B) = ½ ∮ (x dy − y dx) over ∂(A ∩ B),
 *
 * and ∂(A ∩ B) is made of the pieces of A's edges that lie inside B plus the pieces of B's edges
 * that lie inside A. Every edge is split where the other polygon's edges cross it; each piece is
 * classified by its midpoint. A piece on both boundaries counts once when both interiors lie on
 * the same side of it (same direction after RFC 7946 rewinding) and not at all when they lie on
 * opposite sides (neighbouring grids sharing an edge).
 *
 * Accuracy: exact up to floating point in a local equirectangular projection about the pair's
 * bounding-box centre; that projection's area distortion is below 1e-4 relative for shapes
 * under ~10 km. Cost O(n·m) in the vertex counts. Inputs must be valid (see geo.validate.ts).
 */
import type { GeoJsonArea } from './geo.types.ts';
import { bboxOf, localProjection, polygonsOf, rewind } from './geo.ts';

type Pt = [number, number];
type Ring = Pt[];
/** Metres: within this a point counts as on an edge. */
const TOL_M = 1e-6;

/** Area in m² shared by two polygons (0 when they only touch). */
export function overlapAreaM2(a: GeoJsonArea, b: GeoJsonArea): number {
  const ba = bboxOf(a);
  const bb = bboxOf(b);
  const minLng = Math.max(ba.minLng, bb.minLng);
  const maxLng = Math.min(ba.maxLng, bb.maxLng);
  const minLat = Math.max(ba.minLat, bb.minLat);
  const maxLat = Math.min(ba.maxLat, bb.maxLat);
  if (minLng >= maxLng || minLat >= maxLat) return 0;
  const proj = localProjection((minLat + maxLat) / 2, (minLng + maxLng) / 2);
  const project = (area: GeoJsonArea): Ring[][] =>
    polygonsOf(rewind(area)).map((polygon) =>
      polygon.map((ring) => ring.map(([lng, lat]): Pt => [proj.x(lng), proj.y(lat)])),
    );
  const A = project(a);
  const B = project(b);
  const twice = boundaryIntegral(A, B, true) + boundaryIntegral(B, A, false);
  return Math.max(0, twice / 2);
}

/** ∮ x dy − y dx over the pieces of `own`'s edges that lie inside `other` (×2 area). */
function boundaryIntegral(own: Ring[][], other: Ring[][], keepSharedSameSide: boolean): number {
  const otherRings = other.flat();
  let sum = 0;
  for (const ring of own.flat()) {
    for (let i = 0; i < ring.length - 1; i++) {
      const p = ring[i];
      const q = ring[i + 1];
      if (!p || !q) continue;
      const ts = splitParams(p, q, otherRings);
      for (let k = 0; k < ts.length - 1; k++) {
        const t0 = ts[k] ?? 0;
        const t1 = ts[k + 1] ?? 1;
        if (t1 - t0 <= 1e-12) continue;
        const s: Pt = [p[0] + t0 * (q[0] - p[0]), p[1] + t0 * (q[1] - p[1])];
        const e: Pt = [p[0] + t1 * (q[0] - p[0]), p[1] + t1 * (q[1] - p[1])];
        const mid: Pt = [(s[0] + e[0]) / 2, (s[1] + e[1]) / 2];
        const where = classify(mid, other, q[0] - p[0], q[1] - p[1]);
        if (where === 'inside' || (keepSharedSameSide && where === 'shared_same')) {
          sum += s[0] * e[1] - e[0] * s[1];
        }
      }
    }
  }
  return sum;
}

/** Sorted parameters in [0, 1] where other rings' edges cross or touch segment p–q. */
function splitParams(p: Pt, q: Pt, rings: Ring[]): number[] {
  const ts = [0, 1];
  const dx = q[0] - p[0];
  const dy = q[1] - p[1];
  const len2 = dx * dx + dy * dy;
  if (len2 === 0) return ts;
  const len = Math.sqrt(len2);
  const minX = Math.min(p[0], q[0]) - TOL_M;
  const maxX = Math.max(p[0], q[0]) + TOL_M;
  const minY = Math.min(p[1], q[1]) - TOL_M;
  const maxY = Math.max(p[1], q[1]) + TOL_M;
  for (const ring of rings) {
    for (let j = 0; j < ring.length - 1; j++) {
      const r = ring[j];
      const s = ring[j + 1];
      if (!r || !s) continue;
      if (Math.max(r[0], s[0]) < minX || Math.min(r[0], s[0]) > maxX) continue;
      if (Math.max(r[1], s[1]) < minY || Math.min(r[1], s[1]) > maxY) continue;
      const ex = s[0] - r[0];
      const ey = s[1] - r[1];
      const denom = dx * ey - dy * ex;
      const distR = Math.abs(dx * (r[1] - p[1]) - dy * (r[0] - p[0])) / len;
      const distS = Math.abs(dx * (s[1] - p[1]) - dy * (s[0] - p[0])) / len;
      if (distR <= TOL_M && distS <= TOL_M) {
        // Collinear: the other edge's ends split this one.
        ts.push(
          ((r[0] - p[0]) * dx + (r[1] - p[1]) * dy) / len2,
          ((s[0] - p[0]) * dx + (s[1] - p[1]) * dy) / len2,
        );
        continue;
      }
      if (denom === 0) continue;
      const t = ((r[0] - p[0]) * ey - (r[1] - p[1]) * ex) / denom;
      const u = ((r[0] - p[0]) * dy - (r[1] - p[1]) * dx) / denom;
      const elen = Math.hypot(ex, ey);
      if (u >= -TOL_M / elen && u <= 1 + TOL_M / elen) ts.push(t);
    }
  }
  return [...new Set(ts.filter((t) => t >= 0 && t <= 1))].sort((x, y) => x - y);
}

type Where = 'inside' | 'outside' | 'shared_same' | 'shared_opposite';

/** Where a point lies in a (multi)polygon; on its boundary, compare the edge direction with (dx, dy). */
function classify(pt: Pt, polygons: Ring[][], dx: number, dy: number): Where {
  for (const ring of polygons.flat()) {
    for (let j = 0; j < ring.length - 1; j++) {
      const r = ring[j];
      const s = ring[j + 1];
      if (!r || !s) continue;
      if (onEdge(pt, r, s)) {
        const dot = dx * (s[0] - r[0]) + dy * (s[1] - r[1]);
        return dot > 0 ? 'shared_same' : 'shared_opposite';
      }
    }
  }
  for (const polygon of polygons) {
    const shell = polygon[0];
    if (!shell || !inRing(pt, shell)) continue;
    let inHole = false;
    for (let h = 1; h < polygon.length; h++) {
      const hole = polygon[h];
      if (hole && inRing(pt, hole)) inHole = true;
    }
    if (!inHole) return 'inside';
  }
  return 'outside';
}

function onEdge(pt: Pt, r: Pt, s: Pt): boolean {
  if (pt[0] < Math.min(r[0], s[0]) - TOL_M || pt[0] > Math.max(r[0], s[0]) + TOL_M) return false;
  if (pt[1] < Math.min(r[1], s[1]) - TOL_M || pt[1] > Math.max(r[1], s[1]) + TOL_M) return false;
  const ex = s[0] - r[0];
  const ey = s[1] - r[1];
  const len = Math.hypot(ex, ey);
  if (len === 0) return false;
  return Math.abs(ex * (pt[1] - r[1]) - ey * (pt[0] - r[0])) / len <= TOL_M;
}

function inRing(pt: Pt, ring: Ring): boolean {
  let inside = false;
  const [x, y] = pt;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i];
    const b = ring[j];
    if (!a || !b) continue;
    if (a[1] > y !== b[1] > y && x < ((b[0] - a[0]) * (y - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
  }
  return inside;
}

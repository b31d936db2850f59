/**
 * Spatial indexes over plain data, built once and queried many times:
 * - `createGridLocator`: which grid (polygon) holds a point, via a uniform bucket grid over the
 *   polygons' bounding boxes; each query tests only the few polygons whose box covers the bucket.
 * - `createPointIndex`: resources by location, for within-radius and k-nearest queries, via
 *   buckets of fixed size in metres.
 *
 * Placement rule (deterministic on shared edges): a point strictly inside a grid belongs to it;
 * when several grids hold it strictly inside (overlapping grids) or it lies only on boundaries
 * (a shared edge or vertex), it belongs to the grid with the smallest code in code-unit order
 * (`'a' < 'b'`, `'g10' < 'g2'`). The other grids are reported as `alternatives`.
 */
import type { GeoJsonArea, LatLng } from './geo.types.ts';
import { EARTH_RADIUS_M, EDGE_TOLERANCE_DEG, bboxOf, fastDistanceM, polygonsOf } from './geo.ts';
import type { Bbox, PointLocation } from './geo.ts';

export interface LocatableGrid {
  code: string;
  area: GeoJsonArea;
}

export interface GridPlacement {
  code: string;
  /** 'inside' or 'boundary' for the chosen grid. */
  on: Exclude<PointLocation, 'outside'>;
  /** Other grids that also hold the point (inside or on their boundary), in code order. */
  alternatives: string[];
}

export interface GridHit {
  code: string;
  on: Exclude<PointLocation, 'outside'>;
}

export interface GridLocator {
  /** The grid a point belongs to, by the placement rule; undefined when in no grid. */
  locate(point: LatLng): GridPlacement | undefined;
  /** Every grid holding the point, in code order. */
  locateAll(point: LatLng): GridHit[];
  readonly size: number;
}

interface PreparedGrid {
  code: string;
  box: Bbox;
  /** Per polygon: flat [x0, y0, x1, y1, …] rings, shell first. */
  polygons: Float64Array[][];
}

/** Build a locator. Cost O(n) buckets; each query touches ~1–4 polygons for a tiling. */
export function createGridLocator(
  grids: readonly LocatableGrid[],
  options: { bucketsPerGrid?: number } = {},
): GridLocator {
  const prepared: PreparedGrid[] = [...grids]
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    .map((g) => ({
      code: g.code,
      box: bboxOf(g.area),
      polygons: polygonsOf(g.area).map((polygon) => polygon.map((ring) => Float64Array.from(ring.flat()))),
    }));
  const all: Bbox = { minLng: Infinity, minLat: Infinity, maxLng: -Infinity, maxLat: -Infinity };
  for (const g of prepared) {
    all.minLng = Math.min(all.minLng, g.box.minLng);
    all.minLat = Math.min(all.minLat, g.box.minLat);
    all.maxLng = Math.max(all.maxLng, g.box.maxLng);
    all.maxLat = Math.max(all.maxLat, g.box.maxLat);
  }
  const n = Math.max(1, prepared.length);
  const side = Math.max(1, Math.ceil(Math.sqrt(n * (options.bucketsPerGrid ?? 2))));
  const width = Math.max(all.maxLng - all.minLng, 1e-9);
  const height = Math.max(all.maxLat - all.minLat, 1e-9);
  const cw = width / side;
  const ch = height / side;
  const buckets: number[][] = Array.from({ length: side * side }, () => []);
  const col = (lng: number): number => Math.min(side - 1, Math.max(0, Math.floor((lng - all.minLng) / cw)));
  const row = (lat: number): number => Math.min(side - 1, Math.max(0, Math.floor((lat - all.minLat) / ch)));
  prepared.forEach((g, i) => {
    const t = EDGE_TOLERANCE_DEG;
    for (let r = row(g.box.minLat - t); r <= row(g.box.maxLat + t); r++) {
      for (let c = col(g.box.minLng - t); c <= col(g.box.maxLng + t); c++) buckets[r * side + c]?.push(i);
    }
  });
  const t = EDGE_TOLERANCE_DEG;

  function locateAll(point: LatLng): GridHit[] {
    const { lng, lat } = point;
    if (lng < all.minLng - t || lng > all.maxLng + t || lat < all.minLat - t || lat > all.maxLat + t)
      return [];
    const bucket = buckets[row(lat) * side + col(lng)] ?? [];
    const hits: GridHit[] = [];
    // Buckets hold indices in code order, so hits come out sorted.
    for (const i of bucket) {
      const g = prepared[i];
      if (!g) continue;
      const b = g.box;
      if (lng < b.minLng - t || lng > b.maxLng + t || lat < b.minLat - t || lat > b.maxLat + t) continue;
      const on = locateFlat(lng, lat, g.polygons);
      if (on !== 'outside') hits.push({ code: g.code, on });
    }
    return hits;
  }

  return {
    size: prepared.length,
    locateAll,
    locate(point) {
      const hits = locateAll(point);
      if (hits.length === 0) return undefined;
      const chosen = hits.find((h) => h.on === 'inside') ?? hits[0];
      if (!chosen) return undefined;
      return {
        code: chosen.code,
        on: chosen.on,
        alternatives: hits.filter((h) => h !== chosen).map((h) => h.code),
      };
    },
  };
}

function locateFlat(x: number, y: number, polygons: Float64Array[][]): PointLocation {
  let boundary = false;
  for (const rings of polygons) {
    const shell = rings[0];
    if (!shell) continue;
    const s = flatRing(x, y, shell);
    if (s === 0) {
      boundary = true;
      continue;
    }
    if (s < 0) continue;
    let result: PointLocation = 'inside';
    for (let h = 1; h < rings.length; h++) {
      const hole = rings[h];
      if (!hole) continue;
      const r = flatRing(x, y, hole);
      if (r === 0) result = 'boundary';
      else if (r > 0) result = 'outside';
      if (result !== 'inside') break;
    }
    if (result === 'inside') return 'inside';
    if (result === 'boundary') boundary = true;
  }
  return boundary ? 'boundary' : 'outside';
}

/** Crossing number over a flat closed ring with an on-edge check: 1 inside, 0 edge, -1 outside. */
function flatRing(x: number, y: number, ring: Float64Array): -1 | 0 | 1 {
  let inside = false;
  const n = ring.length;
  const t = EDGE_TOLERANCE_DEG;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
    const ax = ring[i] ?? 0;
    const ay = ring[i + 1] ?? 0;
    const bx = ring[j] ?? 0;
    const by = ring[j + 1] ?? 0;
    if (
      x >= Math.min(ax, bx) - t &&
      x <= Math.max(ax, bx) + t &&
      y >= Math.min(ay, by) - t &&
      y <= Math.max(ay, by) + t
    ) {
      const dx = bx - ax;
      const dy = by - ay;
      const len = Math.sqrt(dx * dx + dy * dy);
      const off = len === 0 ? Math.hypot(x - ax, y - ay) : Math.abs(dx * (y - ay) - dy * (x - ax)) / len;
      if (off <= t) return 0;
    }
    if (ay > y !== by > y && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) inside = !inside;
  }
  return inside ? 1 : -1;
}

export interface Neighbour<T> {
  item: T;
  distanceM: number;
}

export interface PointIndex<T> {
  /** Items within `radiusM` of the centre, nearest first. */
  withinRadius(center: LatLng, radiusM: number, filter?: (item: T) => boolean): Neighbour<T>[];
  /** The k nearest items passing the filter, nearest first, up to `maxDistanceM`. */
  nearest(center: LatLng, k?: number, filter?: (item: T) => boolean, maxDistanceM?: number): Neighbour<T>[];
  readonly size: number;
}

/** Bucket index of points; `cellM` should be near the typical query radius (default 500 m). */
export function createPointIndex<T>(
  items: readonly T[],
  at: (item: T) => LatLng,
  cellM = 500,
): PointIndex<T> {
  const locs = items.map(at);
  const refLat = locs.length ? locs.reduce((s, p) => s + p.lat, 0) / locs.length : 0;
  const degPerCellLat = (cellM / EARTH_RADIUS_M) * (180 / Math.PI);
  const degPerCellLng = degPerCellLat / Math.max(0.01, Math.cos((refLat * Math.PI) / 180));
  const key = (cx: number, cy: number): number => (cx + 1_048_576) * 2_097_152 + (cy + 1_048_576);
  const cellX = (lng: number): number => Math.floor(lng / degPerCellLng);
  const cellY = (lat: number): number => Math.floor(lat / degPerCellLat);
  const cells = new Map<number, number[]>();
  let minCx = Infinity;
  let maxCx = -Infinity;
  let minCy = Infinity;
  let maxCy = -Infinity;
  locs.forEach((p, i) => {
    const cx = cellX(p.lng);
    const cy = cellY(p.lat);
    minCx = Math.min(minCx, cx);
    maxCx = Math.max(maxCx, cx);
    minCy = Math.min(minCy, cy);
    maxCy = Math.max(maxCy, cy);
    const k = key(cx, cy);
    const list = cells.get(k);
    if (list) list.push(i);
    else cells.set(k, [i]);
  });

  const maxRingFrom = (cx: number, cy: number): number =>
    items.length === 0
      ? 0
      : Math.max(Math.abs(cx - minCx), Math.abs(cx - maxCx), Math.abs(cy - minCy), Math.abs(cy - maxCy));
  const visitCell = (x: number, y: number, visit: (i: number) => void): void => {
    if (x < minCx || x > maxCx || y < minCy || y > maxCy) return;
    const list = cells.get(key(x, y));
    if (list) for (const i of list) visit(i);
  };
  /** Visits the cells at Chebyshev distance exactly r, clipped to the occupied extent. */
  function scanRing(cx: number, cy: number, r: number, visit: (i: number) => void): void {
    if (r === 0) return visitCell(cx, cy, visit);
    const x0 = Math.max(cx - r, minCx);
    const x1 = Math.min(cx + r, maxCx);
    for (let x = x0; x <= x1; x++) {
      visitCell(x, cy - r, visit);
      visitCell(x, cy + r, visit);
    }
    const y0 = Math.max(cy - r + 1, minCy);
    const y1 = Math.min(cy + r - 1, maxCy);
    for (let y = y0; y <= y1; y++) {
      visitCell(cx - r, y, visit);
      visitCell(cx + r, y, visit);
    }
  }

  return {
    size: items.length,
    withinRadius(center, radiusM, filter) {
      const out: Neighbour<T>[] = [];
      const cx = cellX(center.lng);
      const cy = cellY(center.lat);
      const reach = Math.min(Math.ceil(radiusM / cellM) + 1, maxRingFrom(cx, cy));
      for (let r = 0; r <= reach; r++) {
        scanRing(cx, cy, r, (i) => {
          const item = items[i];
          const p = locs[i];
          if (item === undefined || !p || (filter && !filter(item))) return;
          const d = fastDistanceM(center, p);
          if (d <= radiusM) out.push({ item, distanceM: d });
        });
      }
      return out.sort((a, b) => a.distanceM - b.distanceM);
    },
    nearest(center, k = 1, filter, maxDistanceM = Infinity) {
      const found: Neighbour<T>[] = [];
      if (items.length === 0) return found;
      const cx = cellX(center.lng);
      const cy = cellY(center.lat);
      const maxR = maxRingFrom(cx, cy);
      for (let r = 0; r <= maxR; r++) {
        // Anything in ring r is at least (r - 1) cells away.
        const floor = (r - 1) * cellM;
        if (floor > maxDistanceM) break;
        if (found.length >= k && floor > (found[k - 1]?.distanceM ?? Infinity)) break;
        scanRing(cx, cy, r, (i) => {
          const item = items[i];
          const p = locs[i];
          if (item === undefined || !p || (filter && !filter(item))) return;
          const d = fastDistanceM(center, p);
          if (d <= maxDistanceM) found.push({ item, distanceM: d });
        });
        found.sort((a, b) => a.distanceM - b.distanceM);
        if (found.length > k) found.length = k;
      }
      return found;
    },
  };
}

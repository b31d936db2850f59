import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { gridsOf } from './tenancy.repository.ts';

type Ring = number[][];
interface Polygon {
  type: 'Polygon';
  coordinates: Ring[];
}

function inRing(ring: Ring, x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi = 0, yi = 0] = ring[i] ?? [];
    const [xj = 0, yj = 0] = ring[j] ?? [];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Point in a polygon with holes (GeoJSON [lng, lat]). */
export function pointInPolygon(poly: Polygon, lng: number, lat: number): boolean {
  const [outer, ...holes] = poly.coordinates;
  if (!outer || !inRing(outer, lng, lat)) return false;
  return !holes.some((h) => inRing(h, lng, lat));
}

/**
 * Places points in a community's grids. Grids change rarely, so each community's polygons are
 * cached for a minute; every app node keeps its own copy.
 */
export class GridLocator {
  private readonly cache = new Map<string, { until: number; grids: { id: string; poly: Polygon }[] }>();

  constructor(private readonly db: Kysely<DB>) {}

  invalidate(communityId?: string): void {
    if (communityId) this.cache.delete(communityId);
    else this.cache.clear();
  }

  async locate(communityId: string, lat: number, lng: number, nowMs: number): Promise<string | null> {
    let entry = this.cache.get(communityId);
    if (!entry || entry.until < nowMs) {
      const rows = await gridsOf(this.db, communityId);
      entry = {
        until: nowMs + 60_000,
        grids: rows.map((g) => ({ id: g.id, poly: JSON.parse(g.polygon_json) as Polygon })),
      };
      this.cache.set(communityId, entry);
    }
    return entry.grids.find((g) => pointInPolygon(g.poly, lng, lat))?.id ?? null;
  }
}

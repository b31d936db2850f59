import type { Kysely } from 'kysely';
import { LoaderCache } from '../../platform/cache/loader-cache.ts';
import type { DB } from '../../platform/db/schema.ts';
import { containsPoint } from '../grids/geo.ts';
import type { GeoJsonArea } from '../grids/geo.types.ts';
import { createGridLocator } from '../grids/spatial-index.ts';
import type { GridLocator as GridIndex, GridPlacement } from '../grids/spatial-index.ts';
import { gridsOf } from './tenancy.repository.ts';

/** Point in a polygon with holes (GeoJSON [lng, lat]); a point on an edge counts as inside. */
export function pointInPolygon(poly: GeoJsonArea, lng: number, lat: number): boolean {
  return containsPoint(poly, { lat, lng });
}

interface Entry {
  index: GridIndex;
  idOf: ReadonlyMap<string, string>;
}

/**
 * Places points in a community's grids through the spatial index of the grids module: a point
 * strictly inside one grid belongs to it; on a shared edge, or inside overlapping grids, to the
 * grid with the smallest code. Grids change rarely, so each community's index is cached for a
 * minute (every app node keeps its own copy; an import on this node refreshes it at once).
 */
export class GridLocator {
  private readonly cache = new LoaderCache<string, Entry>({ ttlMs: 60_000 });

  constructor(private readonly db: Kysely<DB>) {}

  invalidate(communityId?: string): void {
    this.cache.invalidate(communityId);
  }

  private entry(communityId: string, nowMs: number): Promise<Entry> {
    return this.cache.get(
      communityId,
      async () => {
        const rows = await gridsOf(this.db, communityId);
        return {
          index: createGridLocator(
            rows.map((g) => ({ code: g.code, area: JSON.parse(g.polygon_json) as GeoJsonArea })),
          ),
          idOf: new Map(rows.map((g) => [g.code, g.id])),
        };
      },
      { nowMs },
    );
  }

  /** The id of the grid holding the point, or null when it lies in no grid. */
  async locate(communityId: string, lat: number, lng: number, nowMs: number): Promise<string | null> {
    const e = await this.entry(communityId, nowMs);
    const hit = e.index.locate({ lat, lng });
    return hit ? (e.idOf.get(hit.code) ?? null) : null;
  }

  /** The placement with its rule (`inside` or `boundary`) and the other grids that also hold the point. */
  async place(
    communityId: string,
    lat: number,
    lng: number,
    nowMs: number,
  ): Promise<(GridPlacement & { gridId: string }) | null> {
    const e = await this.entry(communityId, nowMs);
    const hit = e.index.locate({ lat, lng });
    const gridId = hit ? e.idOf.get(hit.code) : undefined;
    return hit && gridId ? { ...hit, gridId } : null;
  }
}

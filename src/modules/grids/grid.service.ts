import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Deps } from '../../platform/context.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { actorLabel } from '../../platform/auth/principal.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { announceStale, type CacheCoherence, type Invalidation } from '../../platform/cache/coherence.ts';
import { boundaryOf } from '../matching/resource.model.ts';
import { communityFor, requireEditor } from '../matching/resource.access.ts';
import type { GridLocator } from '../tenancy/grid-locator.ts';
import { OPEN_STATUSES } from '../work-orders/work-order.machine.ts';
import { analyseCoverage } from './coverage.ts';
import { overlapAreaM2, validateFeatureCollection, validateGeometry } from './geo.ts';
import type { GeoJsonArea } from './geo.types.ts';
import { createGridLocator } from './spatial-index.ts';
import * as repo from './grid.repository.ts';

export interface ImportIssue {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  path: string;
  featureIndex?: number;
  featureId?: string;
}

export interface GridImportReport {
  ok: boolean;
  dryRun: boolean;
  features: number;
  created: string[];
  updated: string[];
  issues: ImportIssue[];
  /** Households whose grid changes (or would change) with these grids, and those left in no grid. */
  households: { total: number; moved: number; unplaced: number };
  openOrdersMoved: number;
}

interface PlannedGrid {
  code: string;
  name: string;
  area: GeoJsonArea;
  workers: string[] | undefined;
}

/**
 * A feature's workers: usernames or ids, as a list or a separated string, or the `{ id, name }`
 * objects the grids listing gives, so a community's exported grids import back unchanged.
 */
const workersOf = (v: unknown): string[] | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  if (Array.isArray(v))
    return v.map((w: unknown) =>
      typeof w === 'object' && w !== null && 'id' in w ? String((w as { id: unknown }).id) : String(w),
    );
  return String(v)
    .split(/[;,，；]/)
    .map((s) => s.trim())
    .filter(Boolean);
};

/** Grids of a community: GeoJSON import (all or nothing, with a dry run) and coverage analysis. */
export class GridService {
  constructor(
    private readonly deps: Deps,
    private readonly locator: GridLocator,
    private readonly coherence?: CacheCoherence,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  /**
   * Imports a FeatureCollection of grid polygons (properties: `code`, `name`, optional `workers`
   * usernames). Grids are matched by code: new codes are added, known ones replaced; grids not in
   * the file stay. Households and open orders are placed again in the resulting grids.
   */
  async importGeoJson(p: Principal, communityRef: string, input: unknown, dryRun: boolean) {
    const c = await communityFor(this.db, p, communityRef);
    requireEditor(p, c.id);
    const v = validateFeatureCollection(input, { idProperty: 'code', requiredProperties: ['code', 'name'] });
    const issues: ImportIssue[] = [...v.issues.map((i) => ({ ...i })), ...textPropertyIssues(input)];
    const boundary = boundaryOf(c.boundary_json);
    const existing = await repo.gridRows(this.db, c.id);
    const staff = await repo.communityGridWorkers(this.db, c.id);
    const planned: PlannedGrid[] = [];
    // Checks beyond geometry run on every feature with a valid geometry, so one file shows every problem.
    const features = [...validFeatures(input)];
    const importedCodes = new Set(features.map((f) => String(f.properties.code)));
    const kept = existing
      .filter((e) => !importedCodes.has(e.code))
      .map((e) => ({ code: e.code, area: JSON.parse(e.polygon_json) as GeoJsonArea }));
    for (const f of features) {
      const path = `features[${f.index}]`;
      const code = String(f.properties.code);
      const where = { featureIndex: f.index, featureId: code };
      if (boundary && overlapAreaM2(f.geometry, boundary) <= 0) {
        issues.push({
          code: 'outside_community',
          severity: 'error',
          message: `feature ${f.index} (${code}): the grid lies entirely outside community ${c.code}`,
          path: `${path}.geometry`,
          ...where,
        });
      }
      // Warnings, not refusals (a grid may be drawn wider on purpose), but said before it lands:
      // a grid reaching well outside the community, or over a grid it does not replace.
      const ownArea = overlapAreaM2(f.geometry, f.geometry);
      if (boundary && ownArea > 0) {
        const outside = ownArea - overlapAreaM2(f.geometry, boundary);
        if (outside > ownArea * 0.05)
          issues.push({
            code: 'partly_outside_community',
            severity: 'warning',
            message: `feature ${f.index} (${code}): ${Math.round((outside / ownArea) * 100)}% of the grid lies outside community ${c.code}`,
            path: `${path}.geometry`,
            ...where,
          });
      }
      const others = [
        ...kept,
        ...features
          .filter((o) => o.index < f.index && String(o.properties.code) !== code)
          .map((o) => ({ code: String(o.properties.code), area: o.geometry })),
      ];
      for (const o of others) {
        const shared = overlapAreaM2(f.geometry, o.area);
        if (shared > 1)
          issues.push({
            code: 'overlaps_grid',
            severity: 'warning',
            message: `feature ${f.index} (${code}): overlaps grid ${o.code} by ${Math.round(shared)} m²; a household in both is placed in the grid whose code sorts first`,
            path: `${path}.geometry`,
            ...where,
          });
      }
      const workers = workersOf(f.properties.workers);
      (workers ?? []).forEach((w, j) => {
        const u = staff.find((s) => s.username === w || s.id === w);
        if (!u || u.active !== 1 || u.role !== 'grid_worker') {
          issues.push({
            code: 'unknown_worker',
            severity: 'error',
            message: `feature ${f.index} (${code}): ${w} is not a grid worker of this community`,
            path: `${path}.properties.workers[${j}]`,
            ...where,
          });
        }
      });
      planned.push({
        code,
        name: String(f.properties.name),
        area: f.geometry,
        workers: workers?.map((w) => staff.find((s) => s.username === w || s.id === w)?.id ?? w),
      });
    }
    /**
     * Where everything lands once the file is in: which grids are new, and the households and
     * open orders that change grid. Read again inside the import's transaction, under the
     * community's grid lock, so two imports at once each see the other's grids.
     */
    const layoutOf = async (db: Kysely<DB>) => {
      const now = await repo.gridRows(db, c.id);
      const grids = planned.map((g) => ({ ...g, existingId: now.find((e) => e.code === g.code)?.id }));
      const idOfCode = new Map(now.map((g) => [g.code, g.id]));
      for (const g of grids) if (!g.existingId) idOfCode.set(g.code, newId());
      const index = createGridLocator([
        ...now
          .filter((e) => !grids.some((g) => g.code === e.code))
          .map((e) => ({ code: e.code, area: JSON.parse(e.polygon_json) as GeoJsonArea })),
        ...grids.map((g) => ({ code: g.code, area: g.area })),
      ]);
      const gridAt = (lat: number, lng: number): string | null => {
        const hit = index.locate({ lat, lng });
        return hit ? (idOfCode.get(hit.code) ?? null) : null;
      };
      const households = (await repo.placedHouseholds(db, c.id)).filter(
        (h) => h.lat !== null && h.lng !== null,
      );
      const moves = households
        .map((h) => ({ id: h.id, from: h.grid_id, to: gridAt(h.lat ?? 0, h.lng ?? 0) }))
        .filter((m) => m.from !== m.to);
      const orderMoves = (await repo.openPlacedOrders(db, c.id, OPEN_STATUSES))
        .map((o) => ({ id: o.id, from: o.grid_id, to: gridAt(o.lat ?? 0, o.lng ?? 0) }))
        .filter((m) => m.from !== m.to);
      const unplaced = households.filter((h) => gridAt(h.lat ?? 0, h.lng ?? 0) === null).length;
      return { grids, idOfCode, households, moves, orderMoves, unplaced };
    };
    const fill = (layout: Awaited<ReturnType<typeof layoutOf>>) => {
      report.created = layout.grids.filter((g) => !g.existingId).map((g) => g.code);
      report.updated = layout.grids.filter((g) => g.existingId).map((g) => g.code);
      report.households = {
        total: layout.households.length,
        moved: layout.moves.length,
        unplaced: layout.unplaced,
      };
      report.openOrdersMoved = layout.orderMoves.length;
    };
    const ok = !issues.some((i) => i.severity === 'error');
    const report: GridImportReport = {
      ok,
      dryRun,
      features: featureCount(input),
      // Filled from the layout (`fill`) once the file is found sound.
      created: [],
      updated: [],
      issues,
      households: { total: 0, moved: 0, unplaced: 0 },
      openOrdersMoved: 0,
    };
    if (!ok) {
      if (dryRun) return report;
      const errors = issues.filter((i) => i.severity === 'error');
      throw new AppError(
        'validation_failed',
        `${errors.length} problem(s) in the GeoJSON, nothing was imported: ${errors[0]?.message ?? ''}`,
        { field: errors[0]?.path, issues: errors.slice(0, 200) },
      );
    }

    if (dryRun) {
      fill(await layoutOf(this.db));
      return report;
    }

    const at = this.deps.clock.now().toISOString();
    // Every node's grid index of the community, and the principals of grid workers whose grids
    // change (a principal carries its grids), are stale once this commits.
    const stale: Invalidation[] = [{ topic: 'grids', key: c.id }];
    await this.db.transaction().execute(async (trx) => {
      await repo.lockGrids(trx, this.deps.database.dialect, c.id);
      const layout = await layoutOf(trx);
      fill(layout);
      const { grids: planned, idOfCode, moves, orderMoves } = layout;
      const replaced = planned.filter((g) => g.workers && g.existingId).map((g) => g.existingId as string);
      const workers = new Set([
        ...(await repo.workersOfGrids(trx, replaced)).map((w) => w.id),
        ...planned.flatMap((g) => g.workers ?? []),
      ]);
      for (const id of [...workers].sort()) stale.push({ topic: 'user', key: id });
      await announceStale(trx, stale, this.deps.clock.now());
      for (const g of planned) {
        const id = idOfCode.get(g.code) ?? newId();
        if (g.existingId) await repo.updateGrid(trx, g.existingId, g.name, JSON.stringify(g.area));
        else {
          await repo.insertGrid(trx, {
            id,
            community_id: c.id,
            code: g.code,
            name: g.name,
            polygon_json: JSON.stringify(g.area),
            created_at: at,
          });
        }
        if (g.workers) await repo.replaceGridWorkers(trx, id, g.workers);
      }
      for (const m of moves) await repo.setHouseholdGrid(trx, m.id, m.to);
      for (const m of orderMoves) await repo.setOrderGrid(trx, m.id, m.to);
      await appendAudit(trx, this.deps.database.dialect, {
        communityId: c.id,
        createdAt: at,
        actor: actorLabel(p),
        action: 'grids.imported',
        entityType: 'community',
        entityId: c.id,
        payload: {
          created: report.created,
          updated: report.updated,
          householdsMoved: moves.length,
          openOrdersMoved: orderMoves.length,
        },
      });
    });
    this.locator.invalidate(c.id);
    this.coherence?.apply(...stale);
    return report;
  }

  /** Gaps and overlaps of a community's grids, by area, by address (household) and by resident. */
  async coverage(p: Principal, communityRef: string) {
    const c = await communityFor(this.db, p, communityRef);
    const grids = await repo.gridRows(this.db, c.id);
    const workers = await repo.workersOfGrids(
      this.db,
      grids.map((g) => g.id),
      'current',
    );
    const households = (await repo.placedHouseholds(this.db, c.id)).filter(
      (h) => h.lat !== null && h.lng !== null,
    );
    const boundary = boundaryOf(c.boundary_json);
    const areas = grids.map((g) => ({ code: g.code, area: JSON.parse(g.polygon_json) as GeoJsonArea }));
    const points = households.map((h) => ({ id: h.id, lat: h.lat ?? 0, lng: h.lng ?? 0 }));
    const report = analyseCoverage({ grids: areas, points, ...(boundary ? { boundary } : {}) });
    const index = createGridLocator(areas);
    const placement = new Map<string, string>();
    for (const pt of points) {
      const hit = index.locate(pt);
      if (hit) placement.set(pt.id, hit.code);
    }
    return { community: c, grids, workers, households, report, placement };
  }
}

function rawFeatures(input: unknown): unknown[] {
  if (Array.isArray(input)) return input;
  if (typeof input === 'object' && input !== null && 'features' in input && Array.isArray(input.features)) {
    return input.features;
  }
  return [];
}

/** Features whose own geometry is valid, with their index in the file. */
function validFeatures(input: unknown) {
  const out: Array<{ index: number; properties: Record<string, unknown>; geometry: GeoJsonArea }> = [];
  rawFeatures(input).forEach((f, index) => {
    if (typeof f !== 'object' || f === null || !('geometry' in f)) return;
    const g = validateGeometry(f.geometry);
    if (!g.ok || !g.geometry) return;
    const properties =
      'properties' in f && typeof f.properties === 'object' && f.properties !== null
        ? (f.properties as Record<string, unknown>)
        : {};
    out.push({ index, properties, geometry: g.geometry });
  });
  return out;
}

/** Longest grid code and name accepted; a code also names the grid in URLs and reports. */
const TEXT_PROPERTIES = { code: 64, name: 200 } as const;

/**
 * `code` and `name` must be text or a whole number: anything else would be stored as
 * `String(value)`, e.g. "[object Object]". Absent or empty values are left to the collection's
 * required-property check.
 */
export function textPropertyIssues(input: unknown): ImportIssue[] {
  const issues: ImportIssue[] = [];
  rawFeatures(input).forEach((f, index) => {
    if (typeof f !== 'object' || f === null || !('properties' in f)) return;
    const props: unknown = f.properties;
    if (typeof props !== 'object' || props === null) return;
    for (const [name, max] of Object.entries(TEXT_PROPERTIES)) {
      const v: unknown = (props as Record<string, unknown>)[name];
      if (v === undefined || v === null || v === '') continue;
      // Whole numbers are common grid codes in GIS exports (101): kept as their text.
      if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) continue;
      const problem =
        typeof v !== 'string'
          ? `must be text, not ${Array.isArray(v) ? 'a list' : typeof v}`
          : v.trim() === ''
            ? 'must not be blank'
            : v.length > max
              ? `must be at most ${max} characters`
              : undefined;
      if (problem) {
        issues.push({
          code: 'invalid_property',
          severity: 'error',
          message: `feature ${index}: property "${name}" ${problem}`,
          path: `features[${index}].properties.${name}`,
          featureIndex: index,
        });
      }
    }
  });
  return issues;
}

function featureCount(input: unknown): number {
  return rawFeatures(input).length;
}

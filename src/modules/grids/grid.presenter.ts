import type { Static } from '@sinclair/typebox';
import type { CoverageView } from './grid.schema.ts';
import type { GridService } from './grid.service.ts';

type CoverageResult = Awaited<ReturnType<GridService['coverage']>>;

const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;

/** The coverage report with households weighted by the residents living in them. */
export function presentCoverage(r: CoverageResult): Static<typeof CoverageView> {
  const { community, grids, workers, households, report, placement } = r;
  const hh = new Map(households.map((h) => [h.id, h]));
  const residentsOf = (id: string): number => Number(hh.get(id)?.residents ?? 0);
  const residents = households.reduce((s, h) => s + Number(h.residents), 0);
  const share = (n: number, d: number): number => (d > 0 ? round(n / d) : 0);
  const gapIds = report.gaps.points.map((p) => p.id);
  const overlapIds = report.overlaps.points.map((p) => p.point.id);
  const gapResidents = gapIds.reduce((s, id) => s + residentsOf(id), 0);
  const overlapResidents = overlapIds.reduce((s, id) => s + residentsOf(id), 0);
  const byCode = new Map(grids.map((g) => [g.code, g]));
  const place = (id: string) => ({
    householdId: id,
    address: hh.get(id)?.address ?? '',
    residents: residentsOf(id),
  });
  const residentsIn = new Map<string, number>();
  for (const [householdId, code] of placement) {
    residentsIn.set(code, (residentsIn.get(code) ?? 0) + residentsOf(householdId));
  }
  return {
    communityId: community.id,
    grids: grids.length,
    households: households.length,
    residents,
    perGrid: report.perGrid.map((g) => {
      const row = byCode.get(g.code);
      return {
        gridId: row?.id ?? '',
        code: g.code,
        name: row?.name ?? g.code,
        areaM2: Math.round(g.areaM2),
        households: g.points,
        residents: residentsIn.get(g.code) ?? 0,
        workers: workers
          .filter((w) => w.grid_id === row?.id)
          .map((w) => ({ id: w.id, name: w.display_name })),
      };
    }),
    gaps: {
      households: gapIds.length,
      residents: gapResidents,
      shareOfHouseholds: round(report.gaps.shareOfPoints),
      shareOfResidents: share(gapResidents, residents),
      shareOfArea: report.gaps.shareOfArea === null ? null : round(report.gaps.shareOfArea),
      places: gapIds.slice(0, 200).map(place),
    },
    overlaps: {
      pairs: report.overlaps.pairs.map((x) => ({
        a: x.a,
        b: x.b,
        areaM2: Math.round(x.areaM2),
        shareOfA: round(x.shareOfA),
        shareOfB: round(x.shareOfB),
      })),
      households: overlapIds.length,
      residents: overlapResidents,
      shareOfHouseholds: round(report.overlaps.shareOfPoints),
      shareOfResidents: share(overlapResidents, residents),
      shareOfArea: round(report.overlaps.shareOfArea),
      places: report.overlaps.points.slice(0, 200).map((x) => ({ ...place(x.point.id), grids: x.grids })),
    },
    boundaryHouseholds: report.boundaryPoints,
    outsideBoundaryShare: report.outsideBoundaryShare === null ? null : round(report.outsideBoundaryShare),
  };
}

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { square, type Ring } from '../geo-helpers.ts';

interface ImportReport {
  ok: boolean;
  created: string[];
  updated: string[];
  issues: Array<{ code: string; severity: string; path: string; featureIndex?: number; message: string }>;
  households: { total: number; moved: number; unplaced: number };
}
interface Coverage {
  grids: number;
  households: number;
  residents: number;
  perGrid: Array<{ code: string; households: number; residents: number; workers: unknown[] }>;
  gaps: { households: number; residents: number; shareOfHouseholds: number; shareOfArea: number | null };
  overlaps: {
    pairs: Array<{ a: string; b: string; areaM2: number }>;
    households: number;
    residents: number;
    shareOfResidents: number;
    shareOfArea: number;
    places: Array<{ householdId: string; grids: string[] }>;
  };
}

const feature = (code: string, ring: Ring, extra: Record<string, unknown> = {}) => ({
  type: 'Feature',
  properties: { code, name: `网格 ${code}`, ...extra },
  geometry: { type: 'Polygon', coordinates: [ring] },
});

describe('grids: GeoJSON import with validation, placement, coverage', () => {
  let ctx: TestContext;
  let manager: string;
  let home: { id: string; lat: number; lng: number; grid: string };
  const coverage = async (token = manager) =>
    ctx.call('GET', '/api/v1/grids/coverage?community=taoyuan', token);
  const importGrids = (body: unknown, dryRun = false) =>
    ctx.call('POST', `/api/v1/grids/import?community=taoyuan${dryRun ? '&dryRun=true' : ''}`, manager, body);
  const gridRows = () =>
    ctx.database.db
      .selectFrom('grids')
      .innerJoin('communities', 'communities.id', 'grids.community_id')
      .select(['grids.id', 'grids.code', 'grids.polygon_json'])
      .where('communities.code', '=', 'taoyuan')
      .orderBy('grids.code')
      .execute();

  before(async () => {
    ctx = await createTestContext();
    manager = await ctx.login('manager');
    const h = await ctx.database.db
      .selectFrom('households')
      .innerJoin('grids', 'grids.id', 'households.grid_id')
      .select(['households.id', 'households.lat', 'households.lng', 'grids.code'])
      .where('households.address', 'like', '%')
      .orderBy('households.id')
      .executeTakeFirstOrThrow();
    home = { id: h.id, lat: h.lat ?? 0, lng: h.lng ?? 0, grid: h.code };
  });
  after(() => ctx.close());

  it('the demo grids tile the community: no gaps, no overlaps, everyone placed', async () => {
    const res = await coverage();
    assert.equal(res.statusCode, 200, res.body);
    const c = res.json() as Coverage;
    assert.equal(c.grids, 4);
    assert.equal(c.gaps.households, 0);
    assert.equal(c.overlaps.households, 0);
    assert.equal(c.overlaps.pairs.length, 0);
    assert.equal(
      c.perGrid.reduce((s, g) => s + g.households, 0),
      c.households,
    );
    assert.equal(
      c.perGrid.reduce((s, g) => s + g.residents, 0),
      c.residents,
    );
  });

  it("a community's exported grids import back unchanged (workers as the listing gives them)", async () => {
    const c = ctx.seed.communities.find((x) => x.code === 'taoyuan')?.id ?? '';
    const listed = await ctx.call('GET', `/api/v1/communities/${c}/grids`, manager);
    assert.equal(listed.statusCode, 200, listed.body);
    const fc = listed.json() as { features: { properties: { workers: unknown[] } }[] };
    assert.ok(
      fc.features.some((f) => f.properties.workers.length > 0),
      'the demo grids have workers',
    );
    const before = await gridRows();
    const dry = await importGrids(fc, true);
    assert.equal(dry.statusCode, 200, dry.body);
    assert.equal((dry.json() as ImportReport).ok, true, dry.body);
    assert.deepEqual(await gridRows(), before);
  });

  it('refuses invalid GeoJSON naming the feature and the field, and imports nothing', async () => {
    const before = await gridRows();
    const bowtie: Ring = [
      [home.lng - 0.001, home.lat - 0.001],
      [home.lng + 0.001, home.lat + 0.001],
      [home.lng + 0.001, home.lat - 0.001],
      [home.lng - 0.001, home.lat + 0.001],
      [home.lng - 0.001, home.lat - 0.001],
    ];
    const swapped = square(home.lng, home.lat, 0.001).map(([x, y]) => [y, x] as [number, number]);
    const fc = {
      type: 'FeatureCollection',
      features: [
        feature('ok-1', square(home.lng, home.lat, 0.0005)),
        feature('bowtie', bowtie),
        feature('swapped', swapped),
        feature('far', square(116.4, 39.9, 0.001)),
        feature('ghost', square(home.lng, home.lat, 0.0004), { workers: ['grid_worker2'] }),
      ],
    };
    const dry = await importGrids(fc, true);
    assert.equal(dry.statusCode, 200, dry.body);
    const r = dry.json() as ImportReport;
    assert.equal(r.ok, false);
    const errs = r.issues.filter((i) => i.severity === 'error');
    const of = (i: number) => errs.filter((e) => e.featureIndex === i);
    assert.equal(of(0).length, 0);
    assert.ok(of(1).some((e) => e.code === 'self_intersection' && e.path.startsWith('features[1].geometry')));
    assert.ok(of(2).some((e) => e.code === 'coordinate_order' && e.path.startsWith('features[2].geometry')));
    assert.ok(of(3).some((e) => e.code === 'outside_community'));
    assert.ok(
      of(4).some((e) => e.code === 'unknown_worker' && e.path === 'features[4].properties.workers[0]'),
    );

    const res = await importGrids(fc);
    assert.equal(res.statusCode, 400);
    assert.equal((res.json() as { error: { code: string } }).error.code, 'validation_failed');
    assert.deepEqual(await gridRows(), before, 'nothing half-imported');
  });

  it('reports crafted overlaps by area, address and resident', async () => {
    const fc = {
      type: 'FeatureCollection',
      features: [feature('zz-overlap', square(home.lng, home.lat, 0.0006), { workers: 'grid_worker' })],
    };
    const res = await importGrids(fc);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual((res.json() as ImportReport).created, ['zz-overlap']);
    const c = (await coverage()).json() as Coverage;
    assert.equal(c.grids, 5);
    assert.ok(c.overlaps.pairs.some((p) => p.b === 'zz-overlap' || p.a === 'zz-overlap'));
    assert.ok(c.overlaps.households >= 1);
    assert.ok(c.overlaps.residents >= 1);
    assert.ok(c.overlaps.shareOfArea > 0 && c.overlaps.shareOfArea < 0.05, `${c.overlaps.shareOfArea}`);
    const place = c.overlaps.places.find((x) => x.householdId === home.id);
    assert.deepEqual(place?.grids.sort(), [home.grid, 'zz-overlap'].sort());
    // The household stays where the lowest-code rule puts it.
    const h = await ctx.database.db
      .selectFrom('households')
      .innerJoin('grids', 'grids.id', 'households.grid_id')
      .select('grids.code')
      .where('households.id', '=', home.id)
      .executeTakeFirstOrThrow();
    assert.equal(h.code, [home.grid, 'zz-overlap'].sort()[0]);
  });

  it('shrinking a grid leaves gaps, reports them and re-places households and open orders', async () => {
    const [target] = (await gridRows()).filter((g) => g.code === home.grid);
    assert.ok(target);
    const poly = JSON.parse(target.polygon_json) as { coordinates: Ring[] };
    const [x0, y0] = poly.coordinates[0]?.[0] ?? [0, 0];
    const tiny = square(x0 + 0.0002, y0 + 0.0002, 0.0001);
    const fc = { type: 'FeatureCollection', features: [feature(home.grid, tiny)] };
    const dry = (await importGrids(fc, true)).json() as ImportReport;
    assert.equal(dry.ok, true);
    assert.deepEqual(dry.updated, [home.grid]);
    assert.ok(dry.households.moved > 0 && dry.households.unplaced > 0);
    const res = (await importGrids(fc)).json() as ImportReport;
    const c = (await coverage()).json() as Coverage;
    assert.equal(c.gaps.households, res.households.unplaced);
    assert.ok(c.gaps.residents >= c.gaps.households);
    assert.ok((c.gaps.shareOfArea ?? 0) > 0.05);
  });

  it("hides another community's coverage", async () => {
    const res = await coverage(await ctx.login('dispatcher2'));
    assert.equal(res.statusCode, 404);
    const denied = await ctx.call(
      'POST',
      '/api/v1/grids/import?community=taoyuan',
      await ctx.login('dispatcher'),
      { type: 'FeatureCollection', features: [] },
    );
    assert.equal(denied.statusCode, 403);
  });

  it('imports at once are taken one after another: none fails, a code is created once, the last placement stands', async () => {
    const around = square(home.lng, home.lat, 0.0004);
    const one = (code: string) => ({ type: 'FeatureCollection', features: [feature(code, around)] });
    const answers = await Promise.all(
      [one('zz-race'), one('zz-race'), one('zz-race'), one('zz-race')].map((b) => importGrids(b)),
    );
    assert.deepEqual(
      answers.map((r) => r.statusCode),
      [200, 200, 200, 200],
      answers.map((r) => r.body).join('\n'),
    );
    const rows = (await gridRows()).filter((g) => g.code === 'zz-race');
    assert.equal(rows.length, 1);
    assert.equal(
      answers.filter((r) => (r.json() as ImportReport).created.includes('zz-race')).length,
      1,
      'one import created it, the others updated it',
    );
    // Two grids of one shape imported at once: the household lies in both, and is placed where
    // a new order at its door is placed, whichever import committed last.
    await Promise.all([importGrids(one('zz-race-b')), importGrids(one('zz-race-a'))]);
    const placed = await ctx.database.db
      .selectFrom('households')
      .select('grid_id')
      .where('id', '=', home.id)
      .executeTakeFirstOrThrow();
    const order = await ctx.call('POST', '/api/v1/work-orders', await ctx.login('agent'), {
      channel: 'hotline',
      description: '门口路灯不亮',
      location: { lat: home.lat, lng: home.lng },
    });
    assert.equal(order.statusCode, 201, order.body);
    assert.equal(placed.grid_id, (order.json() as { gridId: string }).gridId);
  });

  it('warns, before anything lands, of a grid reaching well outside the community or over a grid it does not replace', async () => {
    const huge = await importGrids(
      { type: 'FeatureCollection', features: [feature('a0', square(home.lng, home.lat, 15))] },
      true,
    );
    assert.equal(huge.statusCode, 200, huge.body);
    const report = huge.json() as ImportReport;
    assert.equal(report.ok, true, 'a warning, not a refusal');
    const outside = report.issues.find((i) => i.code === 'partly_outside_community');
    assert.equal(outside?.severity, 'warning');
    assert.match(outside?.message ?? '', /% of the grid lies outside community taoyuan/);
    assert.ok(report.issues.some((i) => i.code === 'overlaps_grid' && i.severity === 'warning'));
    const inside = await importGrids(
      { type: 'FeatureCollection', features: [feature(home.grid, square(home.lng, home.lat, 0.0004))] },
      true,
    );
    assert.deepEqual(
      (inside.json() as ImportReport).issues.filter((i) => i.code === 'partly_outside_community'),
      [],
    );
  });
});

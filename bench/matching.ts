/**
 * Matching and grid-placement benchmark (a script, not a test).
 * - rank candidates for random orders over 10,000 synthetic resources (target p99 ≤ 2 ms);
 * - emergency lane over the same catalogue;
 * - locate a point among 1,000 irregular grids (target p99 ≤ 0.1 ms).
 * Run: node --import tsx bench/matching.ts — prints JSON.
 */
import { pathToFileURL } from 'node:url';
import type { GeoJsonPolygon, Position } from '../src/modules/grids/geo.types.ts';
import { createGridLocator } from '../src/modules/grids/spatial-index.ts';
import { createMatchingIndex, rankCandidates } from '../src/modules/matching/matching.rank.ts';
import { emergencyDispatch } from '../src/modules/matching/matching.emergency.ts';
import type { MatchOrder, ResourceLoad, ResourceProfile } from '../src/modules/matching/matching.types.ts';
import { DEMO_RESOURCES } from '../src/seed/demo-catalogue.ts';
import { DEFAULT_TAXONOMY } from '../src/modules/taxonomy/taxonomy.default.ts';
import type { Urgency } from '../src/modules/taxonomy/taxonomy.default.ts';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Stats {
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function stats(samplesNs: number[]): Stats {
  const s = [...samplesNs].sort((a, b) => a - b);
  const at = (q: number): number => (s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0) / 1e6;
  return { n: s.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: (s[s.length - 1] ?? 0) / 1e6 };
}

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0);
}

// A 20 km × 20 km city area around Nanshan.
const BOX = { minLat: 22.48, maxLat: 22.66, minLng: 113.86, maxLng: 114.06 };

function syntheticResources(n: number, rnd: () => number): ResourceProfile[] {
  const subs = DEFAULT_TAXONOMY.flatMap((c) => (c.children ?? []).map((s) => s.code));
  // Keyword vocabulary per sub-category, taken from the demo catalogue.
  const vocab = new Map<string, string[]>();
  for (const r of DEMO_RESOURCES)
    for (const c of r.categories) vocab.set(c, [...new Set([...(vocab.get(c) ?? []), ...r.keywords])]);
  const template = DEMO_RESOURCES[0];
  if (!template) throw new Error('empty demo catalogue');
  return Array.from({ length: n }, (_, i) => {
    const sub = subs[Math.floor(rnd() * subs.length)] ?? 'basic_living.property';
    const words = vocab.get(sub) ?? ['服务'];
    const keywords = words.filter(() => rnd() < 0.6);
    const lat = BOX.minLat + rnd() * (BOX.maxLat - BOX.minLat);
    const lng = BOX.minLng + rnd() * (BOX.maxLng - BOX.minLng);
    const polygonArea = rnd() < 0.3;
    const d = 0.01 + rnd() * 0.02;
    const polygon: GeoJsonPolygon = {
      type: 'Polygon',
      coordinates: [
        [
          [lng - d, lat - d],
          [lng + d, lat - d],
          [lng + d, lat + d],
          [lng - d, lat + d],
          [lng - d, lat - d],
        ],
      ],
    };
    return {
      ...template,
      code: `syn-${i}`,
      communityCode: `c${i % 50}`,
      categories: rnd() < 0.1 ? [sub, subs[Math.floor(rnd() * subs.length)] ?? sub] : [sub],
      keywords: keywords.length ? keywords : words.slice(0, 2),
      location: { lat, lng },
      serviceArea: polygonArea
        ? { kind: 'polygon', polygon }
        : { kind: 'radius', radiusM: 1000 + rnd() * 4000 },
      capacity: { concurrent: 2 + Math.floor(rnd() * 20), dailyQuota: 10 + Math.floor(rnd() * 100) },
      rating: 1 + rnd() * 4,
      onDuty: rnd() < 0.3,
      emergencyResponder: rnd() < 0.05,
      openingHours:
        DEMO_RESOURCES[Math.floor(rnd() * DEMO_RESOURCES.length)]?.openingHours ?? template.openingHours,
    };
  });
}

/** 1,000 grids (40 × 25) as quadrilaterals with jittered shared corners: a tiling, not rectangles. */
function syntheticGrids(rnd: () => number): Array<{ code: string; area: GeoJsonPolygon }> {
  const nx = 40;
  const ny = 25;
  const dx = (BOX.maxLng - BOX.minLng) / nx;
  const dy = (BOX.maxLat - BOX.minLat) / ny;
  const corner: Position[][] = [];
  for (let i = 0; i <= nx; i++) {
    corner.push([]);
    for (let j = 0; j <= ny; j++) {
      const edge = i === 0 || j === 0 || i === nx || j === ny;
      const jx = edge ? 0 : (rnd() - 0.5) * dx * 0.4;
      const jy = edge ? 0 : (rnd() - 0.5) * dy * 0.4;
      corner[i]?.push([BOX.minLng + i * dx + jx, BOX.minLat + j * dy + jy]);
    }
  }
  const grids: Array<{ code: string; area: GeoJsonPolygon }> = [];
  for (let i = 0; i < nx; i++) {
    for (let j = 0; j < ny; j++) {
      const c = (a: number, b: number): Position => corner[a]?.[b] ?? [0, 0];
      grids.push({
        code: `g${String(i * ny + j).padStart(4, '0')}`,
        area: {
          type: 'Polygon',
          coordinates: [[c(i, j), c(i + 1, j), c(i + 1, j + 1), c(i, j + 1), c(i, j)]],
        },
      });
    }
  }
  return grids;
}

export async function runMatchingBench(): Promise<object> {
  const rnd = mulberry32(20261118);
  const resources = syntheticResources(10_000, rnd);
  const loads = new Map<string, ResourceLoad>(
    resources.map((r) => [
      r.code,
      {
        open: Math.floor(rnd() * 3),
        today: Math.floor(rnd() * 8),
        recentAssignments: Math.floor(rnd() * 20),
      },
    ]),
  );
  const tBuild = time(() => createMatchingIndex(resources));
  const index = createMatchingIndex(resources);
  const subs = DEFAULT_TAXONOMY.flatMap((c) => (c.children ?? []).map((s) => ({ top: c.code, sub: s.code })));
  const texts = new Map<string, string>();
  for (const r of DEMO_RESOURCES)
    for (const c of r.categories)
      if (!texts.has(c)) texts.set(c, `我家附近${r.keywords.slice(0, 3).join('，')}，需要帮忙`);
  const urgencies: Urgency[] = ['normal', 'normal', 'high', 'low', 'critical'];
  const orders: MatchOrder[] = Array.from({ length: 5000 }, (_, i) => {
    const s = subs[Math.floor(rnd() * subs.length)] ?? { top: 'basic_living', sub: 'basic_living.property' };
    return {
      category: s.top,
      subcategory: s.sub,
      text: texts.get(s.sub) ?? '需要帮助',
      location: {
        lat: BOX.minLat + rnd() * (BOX.maxLat - BOX.minLat),
        lng: BOX.minLng + rnd() * (BOX.maxLng - BOX.minLng),
      },
      urgency: urgencies[i % urgencies.length] ?? 'normal',
      now: new Date(Date.UTC(2026, 10, 16 + (i % 7), Math.floor(rnd() * 24), 0)),
    };
  });
  const loadOf = (code: string): ResourceLoad | undefined => loads.get(code);
  let candidatesSeen = 0;
  for (const o of orders.slice(0, 500)) rankCandidates(o, index, { loadOf, limit: 10 });
  const rank = orders.map((o) =>
    time(() => {
      candidatesSeen += rankCandidates(o, index, { loadOf, limit: 10 }).candidates.length;
    }),
  );
  const critical = orders.filter((o) => o.urgency === 'critical');
  const emergency = critical.map((o) => time(() => emergencyDispatch(o, resources, { loadOf })));

  const grids = syntheticGrids(rnd);
  const locator = createGridLocator(grids);
  const points = Array.from({ length: 100_000 }, () => ({
    lat: BOX.minLat + rnd() * (BOX.maxLat - BOX.minLat),
    lng: BOX.minLng + rnd() * (BOX.maxLng - BOX.minLng),
  }));
  let placed = 0;
  for (const p of points.slice(0, 10_000)) locator.locate(p);
  const locate = points.map((p) =>
    time(() => {
      if (locator.locate(p)) placed++;
    }),
  );
  const rankStats = stats(rank);
  const locateStats = stats(locate);
  return {
    matching: {
      resources: resources.length,
      orders: orders.length,
      indexBuildMs: tBuild / 1e6,
      meanCandidatesReturned: candidatesSeen / orders.length,
      ...rankStats,
      targetP99Ms: 2,
      pass: rankStats.p99Ms <= 2,
    },
    emergencyLane: { resources: resources.length, orders: critical.length, ...stats(emergency) },
    pointInPolygon: {
      grids: grids.length,
      points: points.length,
      placedShare: placed / points.length,
      ...locateStats,
      targetP99Ms: 0.1,
      pass: locateStats.p99Ms <= 0.1,
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runMatchingBench(), null, 2));
}

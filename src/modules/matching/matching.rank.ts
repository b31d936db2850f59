/**
 * Ranked candidates for an order over a prepared catalogue index.
 *
 * The index groups resources by the category codes they serve (so an order only looks at the
 * resources that could serve it) and, for large groups, by location (a bucket index queried with
 * the group's largest service reach), which keeps a query over 10,000 resources well under 2 ms.
 */
import { fastDistanceM } from '../grids/geo.ts';
import type { LatLng } from '../grids/geo.types.ts';
import { createPointIndex } from '../grids/spatial-index.ts';
import type { PointIndex } from '../grids/spatial-index.ts';
import { topCategory } from '../taxonomy/taxonomy.default.ts';
import type { ConstraintFailure } from './matching.constraints.ts';
import { ZERO_LOAD, categoryFit, checkConstraints, orderSubcategory } from './matching.constraints.ts';
import { buildVocabulary, extractKeywords, normaliseKeyword } from './matching.keywords.ts';
import type { Vocabulary } from './matching.keywords.ts';
import type { MatchConfig, Score } from './matching.score.ts';
import { DEFAULT_MATCH_CONFIG, scoreCandidate, weightsFor } from './matching.score.ts';
import { isOpenAt, localMoment } from './matching.time.ts';
import type { MatchOrder, ResourceLoad, ResourceProfile } from './matching.types.ts';

/** Groups larger than this get a spatial index. */
const SPATIAL_THRESHOLD = 64;

interface Group {
  members: number[];
  /** Largest distance at which any member could still serve (its radius or polygon reach). */
  reachM: number;
  points?: PointIndex<number>;
}

export interface MatchingIndex {
  readonly resources: readonly ResourceProfile[];
  readonly vocabulary: Vocabulary;
  readonly keywordSets: ReadonlyArray<ReadonlySet<string>>;
  /** Category code (sub or top) → resources serving exactly that code. */
  readonly byCode: ReadonlyMap<string, Group>;
  /** Top code → resources serving it or any of its sub-categories. */
  readonly byTop: ReadonlyMap<string, Group>;
}

function reachOf(r: ResourceProfile): number {
  const area = r.serviceArea;
  if (area.kind === 'radius') return area.radiusM;
  let reach = 0;
  for (const ring of area.polygon.coordinates) {
    for (const [lng, lat] of ring) reach = Math.max(reach, fastDistanceM(r.location, { lng, lat }));
  }
  return reach;
}

/** Prepare a catalogue for matching. O(n); rebuild when the catalogue changes. */
export function createMatchingIndex(resources: readonly ResourceProfile[]): MatchingIndex {
  const vocabulary = buildVocabulary(resources.map((r) => r.keywords));
  const keywordSets = resources.map((r) => new Set(r.keywords.map(normaliseKeyword)));
  const reach = resources.map(reachOf);
  const byCode = new Map<string, Group>();
  const byTop = new Map<string, Group>();
  const put = (map: Map<string, Group>, code: string, i: number): void => {
    const g = map.get(code) ?? { members: [], reachM: 0 };
    if (g.members[g.members.length - 1] !== i) g.members.push(i);
    g.reachM = Math.max(g.reachM, reach[i] ?? 0);
    map.set(code, g);
  };
  resources.forEach((r, i) => {
    for (const c of r.categories) {
      put(byCode, c, i);
      put(byTop, topCategory(c), i);
    }
  });
  for (const g of [...byCode.values(), ...byTop.values()]) {
    if (g.members.length > SPATIAL_THRESHOLD) {
      g.points = createPointIndex(g.members, (i) => resources[i]?.location ?? { lat: 0, lng: 0 }, 1000);
    }
  }
  return { resources, vocabulary, keywordSets, byCode, byTop };
}

export interface Candidate {
  code: string;
  resource: ResourceProfile;
  score: number;
  distanceM: number;
  parts: Score['parts'];
  matchedKeywords: string[];
}

export interface Rejection {
  code: string;
  failures: ConstraintFailure[];
}

export interface RankResult {
  /** The keywords matching used (given, or extracted from the text). */
  keywords: string[];
  candidates: Candidate[];
  /** Resources serving the category that failed another hard constraint (when asked for). */
  rejected: Rejection[];
}

export interface RankOptions {
  loadOf?: (code: string) => ResourceLoad | undefined;
  config?: MatchConfig;
  /** Only resources of this community are candidates. */
  communityCode?: string;
  /** Keep at most this many candidates (default all). */
  limit?: number;
  includeRejected?: boolean;
}

function pool(index: MatchingIndex, order: MatchOrder, at: LatLng): number[] {
  const sub = orderSubcategory(order);
  const top = topCategory(order.category);
  const groups = (sub ? [index.byCode.get(sub), index.byCode.get(top)] : [index.byTop.get(top)]).filter(
    (g): g is Group => g !== undefined,
  );
  const out: number[] = [];
  const seen = new Set<number>();
  for (const g of groups) {
    const members = g.points ? g.points.withinRadius(at, g.reachM).map((n) => n.item) : g.members;
    for (const i of members) {
      if (!seen.has(i)) {
        seen.add(i);
        out.push(i);
      }
    }
  }
  return out;
}

/** Keywords of an order: given ones, else those found in its text. */
export function orderKeywords(order: MatchOrder, vocabulary: Vocabulary): string[] {
  if (order.keywords && order.keywords.length) return [...new Set(order.keywords.map(normaliseKeyword))];
  return order.text ? extractKeywords(order.text, vocabulary) : [];
}

/**
 * Candidates for an order, best first: hard constraints filter, the explainable score ranks; ties
 * go to the nearer, then to the smaller code.
 */
export function rankCandidates(
  order: MatchOrder,
  source: MatchingIndex | readonly ResourceProfile[],
  options: RankOptions = {},
): RankResult {
  const index = isIndex(source) ? source : createMatchingIndex(source);
  const config = options.config ?? DEFAULT_MATCH_CONFIG;
  const weights = weightsFor(config, order.urgency);
  const moment = localMoment(order.now, config.timeZone);
  const keywords = orderKeywords(order, index.vocabulary);
  const candidates: Candidate[] = [];
  const rejected: Rejection[] = [];
  for (const i of pool(index, order, order.location)) {
    const resource = index.resources[i];
    const keywordSet = index.keywordSets[i];
    if (!resource || !keywordSet) continue;
    const fit = categoryFit(order, resource.categories);
    if (!fit) continue;
    const load = options.loadOf?.(resource.code) ?? ZERO_LOAD;
    const distanceM = fastDistanceM(order.location, resource.location);
    const ctx =
      options.communityCode === undefined
        ? { moment, distanceM }
        : { moment, distanceM, communityCode: options.communityCode };
    const failures = checkConstraints(order, resource, load, ctx);
    if (failures.length) {
      if (options.includeRejected) rejected.push({ code: resource.code, failures });
      continue;
    }
    const openNow = resource.onDuty || isOpenAt(resource.openingHours, moment);
    const s = scoreCandidate(
      {
        resource,
        load,
        fit,
        needKeywords: keywords,
        resourceKeywords: keywordSet,
        vocabulary: index.vocabulary,
        distanceM,
        openNow,
      },
      weights,
      config,
    );
    candidates.push({
      code: resource.code,
      resource,
      score: s.total,
      distanceM,
      parts: s.parts,
      matchedKeywords: s.matchedKeywords,
    });
  }
  candidates.sort(
    (a, b) =>
      b.score - a.score || a.distanceM - b.distanceM || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
  if (options.limit !== undefined && candidates.length > options.limit) candidates.length = options.limit;
  return { keywords, candidates, rejected };
}

function isIndex(source: MatchingIndex | readonly ResourceProfile[]): source is MatchingIndex {
  return !Array.isArray(source);
}

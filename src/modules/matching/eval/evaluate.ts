/**
 * Runs the matching evaluation set (needs.json) against a catalogue: for each need, Linli's ranked
 * candidates and the keyword baseline's ranking over the need's community; reports top-1 and top-3
 * hit rates (a hit is any expected resource code at that rank or better) and the misses.
 *
 * Loads are deterministic pseudo-random values below every capacity, so capacity and fairness
 * parts vary across resources as they would in service, without deciding the outcome.
 */
import type { LatLng } from '../../grids/geo.types.ts';
import type { Urgency } from '../../taxonomy/taxonomy.default.ts';
import { rankBaseline } from '../matching.baseline.ts';
import { createMatchingIndex, rankCandidates } from '../matching.rank.ts';
import type { ResourceLoad, ResourceProfile } from '../matching.types.ts';

export interface EvalNeed {
  id: string;
  community: string;
  text: string;
  category: string;
  subcategory?: string;
  urgency: Urgency;
  location: LatLng;
  building?: string;
  /** ISO 8601 with offset. */
  now: string;
  expected: string[];
}

export interface EvalFigures {
  top1: number;
  top3: number;
  misses: Array<{ id: string; text: string; expected: string[]; got: string[] }>;
}

export interface EvalReport {
  needs: number;
  linli: EvalFigures;
  baseline: EvalFigures;
}

/** Small stable load from a code (FNV-1a), always under the demo's smallest capacities. */
export function syntheticLoad(code: string): ResourceLoad {
  let h = 2166136261;
  for (let i = 0; i < code.length; i++) h = Math.imul(h ^ code.charCodeAt(i), 16777619) >>> 0;
  return { open: h % 2, today: (h >>> 3) % 5, recentAssignments: (h >>> 7) % 8 };
}

/**
 * `withSubcategory: false` drops each need's sub-category, as when the classifier is only sure of
 * the top category; matching then leans on keywords alone within the top category.
 */
export function evaluateMatching(
  needs: readonly EvalNeed[],
  resources: readonly ResourceProfile[],
  options: { withSubcategory?: boolean } = {},
): EvalReport {
  const index = createMatchingIndex(resources);
  const linli: EvalFigures = { top1: 0, top3: 0, misses: [] };
  const baseline: EvalFigures = { top1: 0, top3: 0, misses: [] };
  const byCommunity = new Map<string, ResourceProfile[]>();
  for (const r of resources)
    byCommunity.set(r.communityCode, [...(byCommunity.get(r.communityCode) ?? []), r]);
  const tally = (figures: EvalFigures, need: EvalNeed, ranked: string[]): void => {
    const hit = ranked.findIndex((code) => need.expected.includes(code));
    if (hit === 0) figures.top1++;
    if (hit >= 0 && hit < 3) figures.top3++;
    if (hit !== 0)
      figures.misses.push({ id: need.id, text: need.text, expected: need.expected, got: ranked.slice(0, 3) });
  };
  for (const need of needs) {
    const order = {
      category: need.category,
      text: need.text,
      location: need.location,
      urgency: need.urgency,
      now: new Date(need.now),
      ...(need.subcategory && options.withSubcategory !== false ? { subcategory: need.subcategory } : {}),
    };
    const ranked = rankCandidates(order, index, {
      communityCode: need.community,
      loadOf: syntheticLoad,
      limit: 3,
    });
    tally(
      linli,
      need,
      ranked.candidates.map((c) => c.code),
    );
    const base = rankBaseline({ text: need.text }, byCommunity.get(need.community) ?? [], index.vocabulary);
    tally(
      baseline,
      need,
      base.slice(0, 3).map((b) => b.resource.code),
    );
  }
  const n = Math.max(1, needs.length);
  for (const f of [linli, baseline]) {
    f.top1 /= n;
    f.top3 /= n;
  }
  return { needs: needs.length, linli, baseline };
}

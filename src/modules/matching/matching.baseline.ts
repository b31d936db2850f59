/**
 * The seed document's matcher, kept as a baseline: a resource's score is the share of the need's
 * keywords found in the resource's keywords. No category, place, capacity or hours; ties keep
 * catalogue order. Keywords come from the same extractor as Linli's matcher so the comparison is
 * about ranking, not tokenisation.
 */
import { buildVocabulary, extractKeywords, normaliseKeyword } from './matching.keywords.ts';
import type { Vocabulary } from './matching.keywords.ts';

export interface BaselineResource {
  code: string;
  keywords: readonly string[];
}

/** |need ∩ resource| / |need|; 0 for a need without keywords. */
export function baselineScore(needKeywords: readonly string[], resourceKeywords: readonly string[]): number {
  if (needKeywords.length === 0) return 0;
  const have = new Set(resourceKeywords.map(normaliseKeyword));
  let hit = 0;
  for (const k of new Set(needKeywords.map(normaliseKeyword))) if (have.has(k)) hit++;
  return hit / new Set(needKeywords.map(normaliseKeyword)).size;
}

/** Resources ranked by the baseline score, best first (stable on ties). */
export function rankBaseline<T extends BaselineResource>(
  need: { text?: string; keywords?: readonly string[] },
  resources: readonly T[],
  vocabulary: Vocabulary = buildVocabulary(resources.map((r) => r.keywords)),
): Array<{ resource: T; score: number }> {
  const keywords = need.keywords?.length ? [...need.keywords] : extractKeywords(need.text ?? '', vocabulary);
  return resources
    .map((resource, i) => ({ resource, score: baselineScore(keywords, resource.keywords), i }))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .map(({ resource, score }) => ({ resource, score }));
}

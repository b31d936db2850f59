/**
 * The explainable score of a candidate that passed the hard constraints. Each part is a value in
 * [0, 1] with a weight; the total is the weighted mean. Weights are configuration.
 *
 * Parts and defaults (DEFAULT_MATCH_CONFIG):
 * | part      | weight | value                                                                  |
 * |-----------|--------|------------------------------------------------------------------------|
 * | category  | 0.20   | 1 serves the exact sub-category, 0.7 the whole top category, 0.5 a sibling when the order has no sub-category |
 * | keywords  | 0.40   | idf-weighted share of the need's keywords the resource lists           |
 * | distance  | 0.15   | 1 / (1 + d / 1000 m)                                                    |
 * | capacity  | 0.08   | headroom: min(1 − open/concurrent, 1 − today/dailyQuota)                |
 * | openNow   | 0.07   | 1 open or on duty now, else 0                                           |
 * | rating    | 0.05   | (rating − 1) / 4                                                        |
 * | fairness  | 0.05   | 1 / (1 + recentAssignments / 10): spreads work over equals              |
 * Critical orders weigh distance 0.30 and keywords 0.30 instead (nearest capable responder first).
 */
import type { Urgency } from '../taxonomy/taxonomy.default.ts';
import type { CategoryFit } from './matching.constraints.ts';
import type { Vocabulary } from './matching.keywords.ts';
import { keywordWeight } from './matching.keywords.ts';
import type { ResourceLoad, ResourceProfile } from './matching.types.ts';

export const SCORE_PARTS = [
  'category',
  'keywords',
  'distance',
  'capacity',
  'openNow',
  'rating',
  'fairness',
] as const;
export type ScorePartName = (typeof SCORE_PARTS)[number];
export type MatchWeights = Record<ScorePartName, number>;

export interface MatchConfig {
  weights: MatchWeights;
  /** Per-urgency overrides of some weights. */
  urgencyWeights: Partial<Record<Urgency, Partial<MatchWeights>>>;
  categoryFitValues: Record<CategoryFit, number>;
  /** Distance at which the distance part is 0.5. */
  distanceScaleM: number;
  /** Recent assignments at which the fairness part is 0.5. */
  fairnessScale: number;
  timeZone: string;
}

export const DEFAULT_MATCH_CONFIG: MatchConfig = {
  weights: {
    category: 0.2,
    keywords: 0.4,
    distance: 0.15,
    capacity: 0.08,
    openNow: 0.07,
    rating: 0.05,
    fairness: 0.05,
  },
  urgencyWeights: { critical: { distance: 0.3, keywords: 0.3, capacity: 0.03, openNow: 0.02 } },
  categoryFitValues: { exact: 1, top: 0.7, within: 0.5 },
  distanceScaleM: 1000,
  fairnessScale: 10,
  timeZone: 'Asia/Shanghai',
};

/** Merge a partial configuration over the defaults. */
export function matchConfig(
  overrides: Partial<MatchConfig> & { weights?: Partial<MatchWeights> } = {},
): MatchConfig {
  return {
    ...DEFAULT_MATCH_CONFIG,
    ...overrides,
    weights: { ...DEFAULT_MATCH_CONFIG.weights, ...overrides.weights },
    urgencyWeights: { ...DEFAULT_MATCH_CONFIG.urgencyWeights, ...overrides.urgencyWeights },
    categoryFitValues: { ...DEFAULT_MATCH_CONFIG.categoryFitValues, ...overrides.categoryFitValues },
  };
}

export function weightsFor(config: MatchConfig, urgency: Urgency): MatchWeights {
  return { ...config.weights, ...config.urgencyWeights[urgency] };
}

export interface ScorePart {
  value: number;
  weight: number;
  contribution: number;
  /** Why, in words (Chinese, for the dispatcher's screen). */
  detail: string;
}

export interface ScoreInput {
  resource: ResourceProfile;
  load: ResourceLoad;
  fit: CategoryFit;
  needKeywords: readonly string[];
  resourceKeywords: ReadonlySet<string>;
  vocabulary: Vocabulary;
  distanceM: number;
  openNow: boolean;
}

export interface Score {
  total: number;
  parts: Record<ScorePartName, ScorePart>;
  matchedKeywords: string[];
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
const pct = (x: number): string => `${Math.round(x * 100)}%`;

/** Score one candidate. */
export function scoreCandidate(input: ScoreInput, weights: MatchWeights, config: MatchConfig): Score {
  const { resource, load, needKeywords } = input;
  let total = 0;
  let matchedWeight = 0;
  const matchedKeywords: string[] = [];
  for (const k of needKeywords) {
    const w = keywordWeight(k, input.vocabulary);
    total += w;
    if (input.resourceKeywords.has(k)) {
      matchedWeight += w;
      matchedKeywords.push(k);
    }
  }
  const kw = total > 0 ? matchedWeight / total : 0;
  const capacity = clamp01(
    Math.min(
      1 - load.open / Math.max(1, resource.capacity.concurrent),
      1 - load.today / Math.max(1, resource.capacity.dailyQuota),
    ),
  );
  const values: Record<ScorePartName, [number, string]> = {
    category: [
      config.categoryFitValues[input.fit],
      input.fit === 'exact' ? '服务该子类' : input.fit === 'top' ? '服务整个大类' : '服务同大类其他子类',
    ],
    keywords: [
      kw,
      matchedKeywords.length
        ? `关键词命中 ${matchedKeywords.join('、')}（${matchedKeywords.length}/${needKeywords.length}）`
        : '无关键词命中',
    ],
    distance: [1 / (1 + input.distanceM / config.distanceScaleM), `距离 ${Math.round(input.distanceM)} 米`],
    capacity: [
      capacity,
      `容量余量 ${pct(capacity)}（在办 ${load.open}/${resource.capacity.concurrent}，今日 ${load.today}/${resource.capacity.dailyQuota}）`,
    ],
    openNow: [input.openNow ? 1 : 0, input.openNow ? (resource.onDuty ? '在岗' : '营业中') : '当前未营业'],
    rating: [clamp01((resource.rating - 1) / 4), `评分 ${resource.rating.toFixed(1)}`],
    fairness: [
      1 / (1 + load.recentAssignments / config.fairnessScale),
      `近期派单 ${load.recentAssignments} 件`,
    ],
  };
  let sum = 0;
  let weightSum = 0;
  const parts = {} as Record<ScorePartName, ScorePart>;
  for (const name of SCORE_PARTS) {
    const [value, detail] = values[name];
    const weight = weights[name];
    parts[name] = { value, weight, contribution: value * weight, detail };
    sum += value * weight;
    weightSum += weight;
  }
  return { total: weightSum > 0 ? sum / weightSum : 0, parts, matchedKeywords };
}

/**
 * The classifier a work order meets: learned heads (category, subcategory, urgency) plus the
 * emergency rule layer, with explanations and a triage flag.
 */
import { fileURLToPath } from 'node:url';
import { allCategoryCodes, DEFAULT_TAXONOMY, type CategoryNode } from '../taxonomy/taxonomy.default.ts';
import { matchEmergencyRules, type RuleHit } from './urgency-rules.ts';
import { featurizeNormalized, headProbabilities, normalizeFields, type TextModel } from './model.ts';
import { topContributions, type LinearHead, type SparseVec } from './linear.ts';
import { loadModelFile } from './model-io.ts';

/** Where the shipped default model lives. */
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('./models/default.json', import.meta.url));

export interface ClassifierOptions {
  /** Below this category probability the order goes to the human triage queue. */
  triageThreshold: number;
  /** How many contributing features an explanation lists. */
  explainTop: number;
  /** The head that gives the category (default `category`, else the model's first head). */
  primaryHead?: string;
  /**
   * The category codes of the taxonomy in force (default: the configured taxonomy). An emergency
   * rule names its sub-category; where the taxonomy has no such sub-category, the model picks
   * one of the emergency category's own instead, and the order is still `critical`.
   */
  knownCategories?: ReadonlySet<string>;
}

export const DEFAULT_CLASSIFIER_OPTIONS: ClassifierOptions = { triageThreshold: 0.5, explainTop: 5 };

export interface Contribution {
  /** The n-gram or word as text. */
  feature: string;
  kind: 'chars' | 'word';
  weight: number;
}

export interface Prediction {
  category: string;
  /** Calibrated probability of `category` from the model (1 when a rule decided). */
  confidence: number;
  subcategory: string | null;
  urgency: string;
  /** Category probabilities from the model, highest first. */
  probabilities: Record<string, number>;
  runnerUp: { category: string; probability: number } | null;
  subcategoryProbabilities: Record<string, number> | null;
  urgencyProbabilities: Record<string, number> | null;
  explanation: {
    /** The emergency rule that forced the result, if any. */
    rule: RuleHit | null;
    /** Features that pushed the category up the most. */
    features: Contribution[];
    /** Features that pushed the urgency up the most. */
    urgencyFeatures: Contribution[];
    /**
     * The model alone voted `critical`: the order is `high` and waits in triage for a person to
     * confirm or dismiss the emergency (only a rule makes an order critical by itself).
     */
    suspectedEmergency: boolean;
  };
  /** True when a person should confirm the category or urgency (low confidence, or a suspected emergency; never after a rule). */
  needsTriage: boolean;
  source: 'rule' | 'model';
}

export interface PredictOptions {
  /**
   * Fill the probability tables (`probabilities`, `subcategoryProbabilities`,
   * `urgencyProbabilities`); default true. Intake reads only the decisions and the explanation,
   * so it skips them: the same decisions, without sorting and copying every class's probability.
   * Without them `probabilities` is empty and the other two are null.
   */
  probabilities?: boolean;
}

export interface Classifier {
  readonly model: TextModel;
  readonly options: ClassifierOptions;
  /** Classifies one text, or several fields of one order (e.g. title and detail). */
  predict(input: string | ReadonlyArray<string>, options?: PredictOptions): Prediction;
}

function asContribution(c: { feature: string; weight: number }): Contribution {
  const word = c.feature.startsWith('_');
  return {
    feature: word ? c.feature.slice(1) : c.feature,
    kind: word ? 'word' : 'chars',
    weight: Math.round(c.weight * 1000) / 1000,
  };
}

function ranked(
  head: LinearHead,
  p: Float64Array,
  filter?: (cls: string) => boolean,
): Array<[string, number]> {
  const rows: Array<[string, number]> = [];
  head.classes.forEach((c, k) => {
    if (!filter || filter(c)) rows.push([c, p[k] as number]);
  });
  const total = rows.reduce((s, r) => s + r[1], 0);
  if (filter && total > 0) for (const r of rows) r[1] /= total;
  rows.sort((a, b) => b[1] - a[1]);
  return rows;
}

/**
 * The best and second-best classes, as `ranked` would put them first (ties: the earlier class),
 * without building and sorting the whole table.
 */
function topTwo(
  head: LinearHead,
  p: Float64Array,
  filter?: (cls: string) => boolean,
): Array<[string, number]> {
  let best = -1;
  let second = -1;
  let total = 0;
  head.classes.forEach((c, k) => {
    if (filter && !filter(c)) return;
    const v = p[k] as number;
    total += v;
    if (best < 0 || v > (p[best] as number)) {
      second = best;
      best = k;
    } else if (second < 0 || v > (p[second] as number)) second = k;
  });
  const scale = filter && total > 0 ? 1 / total : 1;
  const out: Array<[string, number]> = [];
  if (best >= 0) out.push([head.classes[best] as string, (p[best] as number) * scale]);
  if (second >= 0) out.push([head.classes[second] as string, (p[second] as number) * scale]);
  return out;
}

const round4 = (x: number): number => Math.round(x * 10000) / 10000;

/**
 * The best class among `classes` (indexes into the head) by raw score. Softmax keeps the order
 * of scores, so this is the class with the highest probability among them, found without
 * scoring the head's other classes.
 */
function bestOf(head: LinearHead, x: SparseVec, classes: Int32Array): number {
  const K = head.classes.length;
  let best = -1;
  let bestScore = -Infinity;
  for (let j = 0; j < classes.length; j++) {
    const k = classes[j] as number;
    let z = head.bias[k] as number;
    for (let p = 0; p < x.idx.length; p++)
      z += (x.val[p] as number) * (head.weights[(x.idx[p] as number) * K + k] as number);
    if (best < 0 || z > bestScore) {
      best = k;
      bestScore = z;
    }
  }
  return best;
}

function toRecord(rows: Array<[string, number]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [c, v] of rows) out[c] = round4(v);
  return out;
}

/** Wraps a model with the rule layer, explanations and the triage threshold. */
export function createClassifier(model: TextModel, options: Partial<ClassifierOptions> = {}): Classifier {
  const opts: ClassifierOptions = { ...DEFAULT_CLASSIFIER_OPTIONS, ...options };
  const primaryName = opts.primaryHead ?? (model.heads.category ? 'category' : Object.keys(model.heads)[0]);
  const primary = primaryName ? model.heads[primaryName] : undefined;
  if (!primary) throw new Error('the model has no output head');
  const subHead = primaryName === 'category' ? model.heads.subcategory : undefined;
  const urgencyHead = primaryName !== 'urgency' ? model.heads.urgency : undefined;
  const emergencyCategory = primary.classes.includes('safety_emergency') ? 'safety_emergency' : null;
  const knownCategories = opts.knownCategories ?? new Set(allCategoryCodes());
  const terms = model.vectorizer.terms;
  // Each category's subcategories, as indexes into the subcategory head.
  const subsOf = new Map<string, Int32Array>();
  if (subHead)
    for (const c of primary.classes)
      subsOf.set(
        c,
        Int32Array.from(
          subHead.classes.flatMap((s, k) => (s.startsWith(c + '.') && knownCategories.has(s) ? [k] : [])),
        ),
      );

  function predict(input: string | ReadonlyArray<string>, predictOptions: PredictOptions = {}): Prediction {
    const tables = predictOptions.probabilities ?? true;
    const order = tables ? ranked : topTwo;
    const fields = typeof input === 'string' ? [input] : [...input];
    const normalized = normalizeFields(fields);
    const rules = matchEmergencyRules(normalized.join('\n'));
    const rule = rules[0] ?? null;
    const x = featurizeNormalized(model, normalized);
    const p = headProbabilities(primary as LinearHead, x);
    const cats = order(primary as LinearHead, p);
    const [top, second] = cats;
    let category = top ? top[0] : '';
    const confidence = top ? top[1] : 0;
    if (rule && emergencyCategory) category = emergencyCategory;
    const catIndex = (primary as LinearHead).classes.indexOf(category);
    const features = topContributions(primary as LinearHead, terms, x, catIndex, opts.explainTop).map(
      asContribution,
    );

    let subcategory: string | null = null;
    let subcategoryProbabilities: Record<string, number> | null = null;
    if (rule && emergencyCategory && knownCategories.has(rule.subcategory)) subcategory = rule.subcategory;
    if (subHead && tables) {
      const subs = order(
        subHead,
        headProbabilities(subHead, x),
        (c) => c.startsWith(category + '.') && knownCategories.has(c),
      );
      subcategoryProbabilities = toRecord(subs);
      if (!subcategory) subcategory = subs[0]?.[0] ?? null;
    } else if (subHead && !subcategory) {
      // Without the tables only the best subcategory of the chosen category is needed: score
      // those few classes, not all of them.
      const best = bestOf(subHead, x, subsOf.get(category) ?? new Int32Array(0));
      subcategory = best >= 0 ? (subHead.classes[best] ?? null) : null;
    }

    let urgency = 'normal';
    let urgencyProbabilities: Record<string, number> | null = null;
    let urgencyFeatures: Contribution[] = [];
    if (urgencyHead) {
      const up = headProbabilities(urgencyHead, x);
      const urg = order(urgencyHead, up);
      if (tables) urgencyProbabilities = toRecord(urg);
      urgency = urg[0]?.[0] ?? 'normal';
      urgencyFeatures = topContributions(
        urgencyHead,
        terms,
        x,
        urgencyHead.classes.indexOf(urgency),
        opts.explainTop,
      ).map(asContribution);
    }
    // Only a rule makes an order critical by itself: "critical" sends responders at once, and the
    // model, sure of itself on everyday requests it never saw (钥匙锁在家里了), would send them on
    // n-grams alone. The model's vote for critical makes the order high and sends it to a person
    // in triage, who confirms the emergency or not (`suspectedEmergency` says why).
    let suspectedEmergency = false;
    if (rule) urgency = 'critical';
    else if (urgency === 'critical') {
      urgency = 'high';
      suspectedEmergency = true;
    }

    const runner =
      rule && emergencyCategory ? (cats.find((c) => c[0] !== category) ?? null) : (second ?? null);
    return {
      category,
      confidence: rule && emergencyCategory ? 1 : round4(confidence),
      subcategory,
      urgency,
      probabilities: tables ? toRecord(cats) : {},
      runnerUp: runner ? { category: runner[0], probability: round4(runner[1]) } : null,
      subcategoryProbabilities,
      urgencyProbabilities,
      explanation: { rule, features, urgencyFeatures, suspectedEmergency },
      needsTriage: !rule && (suspectedEmergency || confidence < opts.triageThreshold),
      source: rule ? 'rule' : 'model',
    };
  }

  return { model, options: opts, predict };
}

let defaultModel: TextModel | null = null;

/**
 * The shipped default model, validated against a taxonomy (default: the default taxonomy).
 * Cached after the first load.
 */
export function loadDefaultModel(taxonomy: CategoryNode[] = DEFAULT_TAXONOMY): TextModel {
  if (defaultModel === null) {
    defaultModel = loadModelFile(DEFAULT_MODEL_PATH, {
      categories: allCategoryCodes(taxonomy),
      heads: ['category', 'subcategory', 'urgency'],
    });
  }
  return defaultModel;
}

/** A classifier over the shipped default model. */
export function createDefaultClassifier(options: Partial<ClassifierOptions> = {}): Classifier {
  return createClassifier(loadDefaultModel(), options);
}

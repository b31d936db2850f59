/**
 * The prediction-time featurizer: the same TF-IDF vector as `extractTermCounts` + `vectorize`,
 * built without making a string per n-gram.
 *
 * The model's character n-gram terms are compiled once into a trie over units (the pieces
 * `segmentUnits` cuts text into: one CJK character, one folded Latin/digit run, one mask).
 * A text's n-grams are then found by walking the trie from each unit, and a term the model
 * does not know is never built at all (the old path built every n-gram and dropped the unknown
 * ones afterwards). Counts go into a reusable typed array.
 *
 * The vector is the same bit for bit: terms are counted in the order the old path first met
 * them (segment by segment, n by n, position by position, then words), so the sums run in the
 * same order. One case is handed to the old path: a segment where two Latin/digit runs touch
 * (a stray `<` between them), because there one n-gram string has two unit spellings.
 */
import { forEachWordTerm, segmentUnits, termSources, type FeatureConfig } from './features.ts';
import { weighTerms, type SparseVec, type Vectorizer } from './linear.ts';

interface TrieNode {
  /** Index of the term ending here, or -1. */
  id: number;
  next: Map<string, TrieNode> | null;
}

export interface TermMatcher {
  /**
   * The term counts of one normalised text, as `extractTermCounts` then `vectorize` would
   * see them, turned into the L2-normalised TF-IDF vector. Null when the text needs the
   * general path (see the module comment).
   */
  vector(text: string): SparseVec | null;
}

const isAlnumUnit = (u: string): boolean => {
  const c = u.charCodeAt(0);
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
};

function compileTrie(v: Vectorizer, cfg: FeatureConfig): TrieNode {
  const root: TrieNode = { id: -1, next: new Map() };
  v.terms.forEach((term, j) => {
    if (term.startsWith('_')) return;
    const segs = segmentUnits(term);
    const units = segs[0];
    // A term that is not one run of units of an n-gram length in range is never produced.
    if (segs.length !== 1 || !units || units.length < cfg.minCharN || units.length > cfg.maxCharN) return;
    if (units.join('') !== term) return;
    let node = root;
    for (const u of units) {
      node.next ??= new Map();
      let child = node.next.get(u);
      if (!child) {
        child = { id: -1, next: null };
        node.next.set(u, child);
      }
      node = child;
    }
    node.id = j;
  });
  return root;
}

/** Compiles a matcher for a vectorizer and feature configuration. */
export function createTermMatcher(v: Vectorizer, cfg: FeatureConfig): TermMatcher {
  const root = compileTrie(v, cfg);
  const counts = new Int32Array(v.terms.length);
  let touched = new Int32Array(64);
  let nTouched = 0;
  let depthIds = new Int32Array(64);

  const add = (j: number): void => {
    const c = counts[j] as number;
    counts[j] = c + 1;
    if (c === 0) {
      if (nTouched === touched.length) {
        const bigger = new Int32Array(touched.length * 2);
        bigger.set(touched);
        touched = bigger;
      }
      touched[nTouched++] = j;
    }
  };

  /** Counts a run of units' n-grams in the order the general path meets them. False: hand over. */
  const countUnits = (units: string[]): boolean => {
    const L = units.length;
    const maxN = cfg.maxCharN;
    for (let i = 0; i + 1 < L; i++) {
      if (isAlnumUnit(units[i] as string) && isAlnumUnit(units[i + 1] as string)) return false;
    }
    if (depthIds.length < L * maxN) depthIds = new Int32Array(L * maxN * 2);
    // depthIds[(n - 1) * L + i]: the term id of the n-gram starting at unit i, or -1.
    for (let i = 0; i < L; i++) {
      let node: TrieNode | undefined = root;
      for (let d = 0; d < maxN; d++) {
        node = i + d < L ? node?.next?.get(units[i + d] as string) : undefined;
        depthIds[d * L + i] = node ? node.id : -1;
      }
    }
    for (let n = cfg.minCharN; n <= maxN; n++) {
      const base = (n - 1) * L;
      for (let i = 0; i + n <= L; i++) {
        const j = depthIds[base + i] as number;
        if (j >= 0) add(j);
      }
    }
    return true;
  };

  const reset = (): void => {
    for (let t = 0; t < nTouched; t++) counts[touched[t] as number] = 0;
    nTouched = 0;
  };

  return {
    vector(text: string): SparseVec | null {
      const { runs, words } = termSources(text, cfg);
      for (const run of runs) {
        if (!countUnits(run)) {
          reset();
          return null;
        }
      }
      forEachWordTerm(words, cfg, (key) => {
        const j = v.index.get(key);
        if (j !== undefined) add(j);
      });
      const idx = touched.slice(0, nTouched);
      const tf = new Int32Array(nTouched);
      for (let t = 0; t < nTouched; t++) tf[t] = counts[idx[t] as number] as number;
      const n = nTouched;
      reset();
      return weighTerms(v, idx, tf, n);
    },
  };
}

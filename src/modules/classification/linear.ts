/**
 * Sparse TF-IDF vectors and a multinomial logistic regression trained by SGD with L2.
 *
 * SGD uses the weight-scaling trick (W = scale·V) so L2 shrinkage costs O(1) per step and an
 * update touches only the features present in the example; the weights of the later epochs
 * are averaged, which steadies the final model. Everything is seeded: the same data, options
 * and seed give the same weights bit for bit.
 */

/** A sparse vector: parallel arrays of feature indices and values. */
export interface SparseVec {
  idx: Int32Array;
  val: Float32Array;
}

/** Maps term counts to L2-normalised, sublinear TF-IDF vectors over a fixed vocabulary. */
export interface Vectorizer {
  terms: string[];
  index: Map<string, number>;
  idf: Float32Array;
}

export interface VocabularyOptions {
  /** Keep a term only if it occurs in at least this many documents. */
  minDf: number;
  /** Keep at most this many terms (highest document frequency first). */
  maxFeatures: number;
}

/** Builds the vocabulary and IDF weights from the term counts of the training documents. */
export function fitVectorizer(docs: ReadonlyArray<Map<string, number>>, opts: VocabularyOptions): Vectorizer {
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  let kept = [...df.entries()].filter(([, n]) => n >= opts.minDf);
  if (kept.length > opts.maxFeatures) {
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    kept = kept.slice(0, opts.maxFeatures);
  }
  kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const terms = kept.map(([t]) => t);
  const idf = new Float32Array(terms.length);
  const n = docs.length;
  kept.forEach(([, d], i) => {
    idf[i] = Math.log((1 + n) / (1 + d)) + 1;
  });
  return vectorizerFrom(terms, idf);
}

/** Rebuilds a vectorizer from stored terms and IDF weights. */
export function vectorizerFrom(terms: string[], idf: Float32Array): Vectorizer {
  const index = new Map<string, number>();
  terms.forEach((t, i) => index.set(t, i));
  return { terms, index, idf };
}

/** Sublinear TF (1 + ln tf) × IDF, L2-normalised; unknown terms are dropped. */
export function vectorize(v: Vectorizer, counts: Map<string, number>): SparseVec {
  // Typed arrays sized for every term, cut to the known ones: no growing JS arrays on the
  // prediction path.
  const idx = new Int32Array(counts.size);
  const tf = new Float64Array(counts.size);
  let n = 0;
  for (const [t, c] of counts) {
    const j = v.index.get(t);
    if (j === undefined) continue;
    idx[n] = j;
    tf[n] = c;
    n++;
  }
  return weighTerms(v, idx, tf, n);
}

/**
 * The vector of the first `n` terms `idx` with raw counts `tf`: sublinear TF × IDF in double
 * precision, then L2-normalised to float32. The one place this arithmetic is written, for the
 * term-count path and the term matcher alike.
 */
export function weighTerms(v: Vectorizer, idx: Int32Array, tf: ArrayLike<number>, n: number): SparseVec {
  const raw = new Float64Array(n);
  let norm = 0;
  for (let t = 0; t < n; t++) {
    const x = (1 + Math.log(tf[t] as number)) * (v.idf[idx[t] as number] as number);
    raw[t] = x;
    norm += x * x;
  }
  const val = new Float32Array(n);
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let t = 0; t < n; t++) val[t] = (raw[t] as number) * inv;
  return { idx: n === idx.length ? idx : idx.slice(0, n), val };
}

/** One softmax classifier over the shared feature space. Weights are feature-major. */
export interface LinearHead {
  classes: string[];
  /** nFeatures × nClasses, row j holds feature j's weight for each class. */
  weights: Float32Array;
  bias: Float32Array;
  /** Temperature from calibration: probabilities are softmax(z / temperature). */
  temperature: number;
}

export interface SgdOptions {
  epochs: number;
  /** Initial learning rate. */
  learningRate: number;
  /** L2 regularisation strength per example. */
  l2: number;
  seed: number;
  /** 0 = no class balancing, 1 = full inverse-frequency weights; 0.5 is a softened middle. */
  classBalance: number;
  /** Fraction of epochs (from the end) whose weights are averaged. */
  averageFrom: number;
}

export const DEFAULT_SGD: SgdOptions = {
  epochs: 12,
  learningRate: 0.5,
  l2: 1e-5,
  seed: 42,
  classBalance: 0.5,
  averageFrom: 0.5,
};

/** Small, fast, seedable PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** In-place Fisher–Yates shuffle driven by `rand`. */
export function shuffle<T>(arr: T[], rand: () => number): T[] {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = arr[i] as T;
    arr[i] = arr[j] as T;
    arr[j] = tmp;
  }
  return arr;
}

/**
 * Trains a softmax head by SGD. `labels[i]` is the class index of `xs[i]`.
 * `onEpoch` is told each finished epoch (for progress lines on long runs).
 */
export function trainSoftmax(
  xs: ReadonlyArray<SparseVec>,
  labels: ReadonlyArray<number>,
  classes: string[],
  nFeatures: number,
  opts: SgdOptions,
  onEpoch?: (epoch: number, loss: number) => void,
): LinearHead {
  const K = classes.length;
  const W = new Float64Array(nFeatures * K);
  const b = new Float64Array(K);
  const avgW = new Float64Array(nFeatures * K);
  const avgB = new Float64Array(K);
  let averaged = 0;
  const counts = new Float64Array(K);
  for (const y of labels) counts[y] = (counts[y] ?? 0) + 1;
  const cw = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const c = counts[k] as number;
    cw[k] = c > 0 ? Math.pow(labels.length / (K * c), opts.classBalance) : 0;
  }
  const rand = rng(opts.seed);
  const order = xs.map((_, i) => i);
  const z = new Float64Array(K);
  const g = new Float64Array(K);
  let scale = 1;
  let t = 0;
  const avgStart = Math.floor(opts.epochs * (1 - opts.averageFrom));
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    shuffle(order, rand);
    let loss = 0;
    for (const i of order) {
      const x = xs[i] as SparseVec;
      const y = labels[i] as number;
      const eta = opts.learningRate / (1 + opts.learningRate * opts.l2 * t);
      t++;
      for (let k = 0; k < K; k++) z[k] = b[k] as number;
      for (let p = 0; p < x.idx.length; p++) {
        const row = (x.idx[p] as number) * K;
        const v = (x.val[p] as number) * scale;
        for (let k = 0; k < K; k++) z[k] = (z[k] as number) + v * (W[row + k] as number);
      }
      let max = -Infinity;
      for (let k = 0; k < K; k++) if ((z[k] as number) > max) max = z[k] as number;
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp((z[k] as number) - max);
        z[k] = e;
        sum += e;
      }
      const w = cw[y] as number;
      loss -= w * Math.log(Math.max(1e-12, (z[y] as number) / sum));
      for (let k = 0; k < K; k++) g[k] = w * ((z[k] as number) / sum - (k === y ? 1 : 0));
      scale *= 1 - eta * opts.l2;
      const step = eta / scale;
      for (let p = 0; p < x.idx.length; p++) {
        const row = (x.idx[p] as number) * K;
        const v = (x.val[p] as number) * step;
        for (let k = 0; k < K; k++) W[row + k] = (W[row + k] as number) - v * (g[k] as number);
      }
      for (let k = 0; k < K; k++) b[k] = (b[k] as number) - eta * (g[k] as number);
      if (scale < 1e-9) {
        for (let q = 0; q < W.length; q++) W[q] = (W[q] as number) * scale;
        scale = 1;
      }
    }
    if (epoch >= avgStart) {
      for (let q = 0; q < W.length; q++) avgW[q] = (avgW[q] as number) + (W[q] as number) * scale;
      for (let k = 0; k < K; k++) avgB[k] = (avgB[k] as number) + (b[k] as number);
      averaged++;
    }
    onEpoch?.(epoch + 1, loss / Math.max(1, xs.length));
  }
  const weights = new Float32Array(W.length);
  for (let q = 0; q < W.length; q++) weights[q] = (avgW[q] as number) / averaged;
  const bias = new Float32Array(K);
  for (let k = 0; k < K; k++) bias[k] = (avgB[k] as number) / averaged;
  return { classes, weights, bias, temperature: 1 };
}

/** Raw class scores z = b + xᵀW (before temperature). */
export function scores(head: LinearHead, x: SparseVec): Float64Array {
  const K = head.classes.length;
  const z = new Float64Array(K);
  for (let k = 0; k < K; k++) z[k] = head.bias[k] as number;
  for (let p = 0; p < x.idx.length; p++) {
    const row = (x.idx[p] as number) * K;
    const v = x.val[p] as number;
    for (let k = 0; k < K; k++) z[k] = (z[k] as number) + v * (head.weights[row + k] as number);
  }
  return z;
}

/** Softmax of scores at a temperature. */
export function softmax(z: Float64Array, temperature = 1): Float64Array {
  const p = new Float64Array(z.length);
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    const e = Math.exp(((z[k] as number) - max) / temperature);
    p[k] = e;
    sum += e;
  }
  for (let k = 0; k < z.length; k++) p[k] = (p[k] as number) / sum;
  return p;
}

/** Calibrated class probabilities for one vector. */
export function predictProba(head: LinearHead, x: SparseVec): Float64Array {
  return softmax(scores(head, x), head.temperature);
}

/**
 * Fits the softmax temperature that minimises negative log-likelihood on held-out scores
 * (temperature scaling, Guo et al. 2017) by golden-section search over [1/3, 3]. The range is
 * bounded because a held-out split that shares near-duplicates with training is classified
 * perfectly, and its NLL would then keep falling as the temperature goes to zero.
 */
export function fitTemperature(zs: ReadonlyArray<Float64Array>, labels: ReadonlyArray<number>): number {
  if (zs.length === 0) return 1;
  const nll = (tmp: number): number => {
    let s = 0;
    zs.forEach((z, i) => {
      const p = softmax(z, tmp);
      s -= Math.log(Math.max(1e-12, p[labels[i] as number] as number));
    });
    return s;
  };
  let lo = Math.log(1 / 3);
  let hi = Math.log(3);
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = hi - phi * (hi - lo);
  let c = lo + phi * (hi - lo);
  let fa = nll(Math.exp(a));
  let fc = nll(Math.exp(c));
  for (let it = 0; it < 40; it++) {
    if (fa < fc) {
      hi = c;
      c = a;
      fc = fa;
      a = hi - phi * (hi - lo);
      fa = nll(Math.exp(a));
    } else {
      lo = a;
      a = c;
      fa = fc;
      c = lo + phi * (hi - lo);
      fc = nll(Math.exp(c));
    }
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * Features that pushed `cls` up the most for `x`: value × (weight for cls − mean weight over
 * classes), so a feature that raises every class equally does not count as evidence.
 */
export function topContributions(
  head: LinearHead,
  terms: string[],
  x: SparseVec,
  cls: number,
  limit: number,
): Array<{ feature: string; weight: number }> {
  const K = head.classes.length;
  // Keep only the best `limit` in a small sorted array: no object per feature, no full sort.
  const topIdx: number[] = [];
  const topVal: number[] = [];
  for (let p = 0; p < x.idx.length; p++) {
    const row = (x.idx[p] as number) * K;
    let mean = 0;
    for (let k = 0; k < K; k++) mean += head.weights[row + k] as number;
    const c = (x.val[p] as number) * ((head.weights[row + cls] as number) - mean / K);
    if (c <= 0 || (topVal.length === limit && c <= (topVal[limit - 1] as number))) continue;
    let at = topVal.length;
    while (at > 0 && (topVal[at - 1] as number) < c) at--;
    topVal.splice(at, 0, c);
    topIdx.splice(at, 0, x.idx[p] as number);
    if (topVal.length > limit) {
      topVal.pop();
      topIdx.pop();
    }
  }
  return topIdx.map((j, i) => ({ feature: terms[j] as string, weight: topVal[i] as number }));
}

/**
 * Keyword extraction for a need's Chinese text by dictionary match against the catalogue's keyword
 * vocabulary: every vocabulary word found as a substring and not inside a longer found word;
 * partial overlaps are kept (`漏水管` can yield `漏水` and `水管`).
 * No segmenter is needed because the vocabulary is the only thing matching can use anyway.
 *
 * Each word also gets an inverse-document-frequency weight over the catalogue, so a rare, telling
 * word (`加氟`) counts for more than a common one (`维修`).
 */

export interface Vocabulary {
  /** Word → idf weight, ln(1 + N / df). */
  weights: ReadonlyMap<string, number>;
  /** Longest word length, bounding the substring scan. */
  maxLength: number;
  /** Default weight for a word not in the catalogue (given explicitly by a caller). */
  unknownWeight: number;
}

/** Build the vocabulary from the keyword lists of a catalogue. */
export function buildVocabulary(keywordLists: ReadonlyArray<readonly string[]>): Vocabulary {
  const df = new Map<string, number>();
  for (const list of keywordLists) {
    for (const w of new Set(list.map(normaliseKeyword))) if (w) df.set(w, (df.get(w) ?? 0) + 1);
  }
  const n = Math.max(1, keywordLists.length);
  const weights = new Map<string, number>();
  let maxLength = 1;
  for (const [w, d] of df) {
    weights.set(w, Math.log(1 + n / d));
    maxLength = Math.max(maxLength, w.length);
  }
  return { weights, maxLength, unknownWeight: Math.log(1 + n) };
}

export function normaliseKeyword(word: string): string {
  return word.trim().toLowerCase();
}

/**
 * Vocabulary words found in the text, in order of first appearance. A word found only inside a
 * longer found word is dropped (`书法` does not also yield `书`), so one-character words only count
 * where they stand alone.
 */
export function extractKeywords(text: string, vocabulary: Vocabulary): string[] {
  const s = normaliseKeyword(text);
  const spans: Array<{ start: number; end: number; word: string }> = [];
  for (let i = 0; i < s.length; i++) {
    const top = Math.min(vocabulary.maxLength, s.length - i);
    for (let len = top; len >= 1; len--) {
      const w = s.slice(i, i + len);
      if (vocabulary.weights.has(w)) spans.push({ start: i, end: i + len, word: w });
    }
  }
  const found: string[] = [];
  const seen = new Set<string>();
  for (const span of spans) {
    const covered = spans.some(
      (o) =>
        o !== span && o.start <= span.start && o.end >= span.end && o.end - o.start > span.end - span.start,
    );
    if (covered || seen.has(span.word)) continue;
    seen.add(span.word);
    found.push(span.word);
  }
  return found;
}

export function keywordWeight(word: string, vocabulary: Vocabulary): number {
  return vocabulary.weights.get(word) ?? vocabulary.unknownWeight;
}

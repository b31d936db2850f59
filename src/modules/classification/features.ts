/**
 * Feature extraction over normalised text. Character n-grams carry most of the signal and do
 * not depend on a word segmenter being right; jieba words are added on top when enabled.
 *
 * Whitespace and punctuation separate segments and no n-gram crosses a separator, so a model
 * trained on pre-segmented text ("楼顶 水箱 长年") can be applied to raw text and back.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** How features are built; stored in the model so prediction matches training. */
export interface FeatureConfig {
  /** Longest character n-gram (1–4). */
  maxCharN: number;
  /** Shortest character n-gram (1 or 2). */
  minCharN: number;
  /** Add jieba word features (`_word`). */
  words: boolean;
  /** Add adjacent word pairs (`_a|b`) when words are on. */
  wordBigrams: boolean;
  /**
   * `segment`: char n-grams run over whole separator-free segments.
   * `word`: char n-grams stay inside words (jieba words for raw text, space tokens for
   * pre-segmented text) — matches a model trained on segmented text to raw input.
   */
  charScope: 'segment' | 'word';
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = {
  maxCharN: 3,
  minCharN: 1,
  words: true,
  wordBigrams: false,
  charScope: 'segment',
};

interface JiebaLike {
  cut(sentence: string, hmm?: boolean | null): string[];
}
let jieba: JiebaLike | null = null;

/**
 * The jieba segmenter with its bundled dictionary (offline), created on first use. The
 * dictionary file is read here rather than through the package's `dict.js`, which keeps both
 * its dictionary and its IDF table (11 MB) alive for the life of the process: jieba copies the
 * words into its own structures, so the bytes can be dropped once it is built.
 */
export function segmenter(): JiebaLike {
  if (jieba === null) {
    // jieba's allocator (mimalloc) commits whole arenas up front unless told otherwise: about
    // 5 MB of resident memory for nothing. Read when the library loads; an operator's own
    // setting wins.
    process.env.MIMALLOC_ARENA_EAGER_COMMIT ??= '0';
    const require = createRequire(import.meta.url);
    const mod = require('@node-rs/jieba') as { Jieba: { withDict(dict: Uint8Array): JiebaLike } };
    jieba = mod.Jieba.withDict(readFileSync(require.resolve('@node-rs/jieba/dict.txt')));
  }
  return jieba;
}

function isCjk(c: number): boolean {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff);
}
function isAlnum(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}

/**
 * Splits normalised text into segments of units. A unit is one CJK character, one run of
 * Latin letters/digits (digits folded to `0`), or a mask placeholder such as `<tel>`.
 */
export function segmentUnits(text: string): string[][] {
  const segments: string[][] = [];
  let cur: string[] = [];
  const flush = (): void => {
    if (cur.length > 0) segments.push(cur);
    cur = [];
  };
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isCjk(c)) {
      cur.push(text[i] as string);
      i++;
    } else if (isAlnum(c)) {
      let j = i;
      while (j < text.length && isAlnum(text.charCodeAt(j))) j++;
      cur.push(text.slice(i, j).replace(/[0-9]+/g, '0'));
      i = j;
    } else if (c === 0x3c /* < */) {
      const end = text.indexOf('>', i);
      if (end > i && end - i <= 6) {
        flush();
        segments.push([text.slice(i, end + 1)]);
        i = end + 1;
      } else i++;
    } else {
      flush();
      i++;
    }
  }
  flush();
  return segments;
}

function addCharNgrams(units: string[], cfg: FeatureConfig, out: Map<string, number>): void {
  for (let n = cfg.minCharN; n <= cfg.maxCharN; n++) {
    for (let i = 0; i + n <= units.length; i++) {
      let g = units[i] as string;
      for (let k = 1; k < n; k++) g += units[i + k] as string;
      out.set(g, (out.get(g) ?? 0) + 1);
    }
  }
}

/**
 * True when text looks pre-segmented (jieba tokens joined by spaces): spaces between CJK
 * characters are frequent, not just the odd gap between phrases.
 */
export function isPresegmented(text: string): boolean {
  const gaps = text.match(/[\u4e00-\u9fff] (?=[\u4e00-\u9fff])/g)?.length ?? 0;
  if (gaps === 0) return false;
  const cjk = text.match(/[\u4e00-\u9fff]/g)?.length ?? 0;
  return gaps / cjk >= 0.3;
}

/** A pre-segmented token longer than this is cut again (it is a phrase, not a word). */
const MAX_TOKEN_UNITS = 4;

/** Words of normalised text: space tokens when pre-segmented, else jieba per segment. */
export function wordsOf(segments: string[][], presegmented: boolean): string[][] {
  const out: string[][] = segments.map((s) =>
    s.length === 1 || (presegmented && s.length <= MAX_TOKEN_UNITS) ? [s.join('')] : [],
  );
  // One native call for all segments that need cutting (joined by newlines, which jieba
  // returns as tokens of their own), not one call per segment.
  const todo = segments.map((_, i) => i).filter((i) => (out[i] as string[]).length === 0);
  if (todo.length === 0) return out;
  const tokens = segmenter().cut(todo.map((i) => (segments[i] as string[]).join('')).join('\n'), true);
  let k = 0;
  for (const t of tokens) {
    if (t === '\n') k++;
    else if (k < todo.length) (out[todo[k] as number] as string[]).push(t);
  }
  return out;
}

/**
 * What a text's terms are made from: the runs of units its character n-grams are taken over
 * (whole segments, or each word's units when `charScope` is `word`) and its words (empty when
 * the configuration uses none). Shared by the term-count path and the term matcher, so both
 * walk the same runs in the same order.
 */
export function termSources(text: string, cfg: FeatureConfig): { runs: string[][]; words: string[][] } {
  const segments = segmentUnits(text);
  const needWords = cfg.words || cfg.charScope === 'word';
  const words = needWords ? wordsOf(segments, isPresegmented(text)) : [];
  const runs =
    cfg.charScope === 'word' ? words.flatMap((seg) => seg.map((w) => segmentUnits(w)[0] ?? [])) : segments;
  return { runs, words: cfg.words ? words : [] };
}

/** Calls `visit` with each word-feature key in order: `_word`, then `_a|b` for a pair when configured. */
export function forEachWordTerm(words: string[][], cfg: FeatureConfig, visit: (key: string) => void): void {
  let prev = '';
  for (const seg of words) {
    for (const w of seg) {
      visit('_' + w);
      if (cfg.wordBigrams && prev !== '') visit('_' + prev + '|' + w);
      prev = w;
    }
  }
}

/**
 * Raw term counts for one normalised text. Keys: character n-grams as themselves,
 * words as `_word`, word pairs as `_a|b`.
 */
export function extractTermCounts(text: string, cfg: FeatureConfig): Map<string, number> {
  const out = new Map<string, number>();
  const { runs, words } = termSources(text, cfg);
  for (const run of runs) addCharNgrams(run, cfg, out);
  forEachWordTerm(words, cfg, (key) => out.set(key, (out.get(key) ?? 0) + 1));
  return out;
}

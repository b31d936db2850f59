/**
 * The search index's tokens (pure). Chinese is written without spaces, so the index holds the
 * character pairs (bigrams) of every searched text rather than words: an order is a candidate
 * for a query when it holds every pair of the query. A text that contains the query contains
 * each of its pairs, so the candidates are never fewer than the matches; the list then keeps
 * only the candidates the query's `LIKE` matches (the index narrows, it never decides), so a
 * hash collision or a pair found elsewhere in the text adds a candidate and never a result.
 *
 * Only runs of letters and digits (`\p{L}\p{N}`) give pairs: a pair across punctuation or a
 * space is not indexed, and a query's pairs are taken the same way, each run on its own. Every
 * text is indexed as it is searched: width folded, ASCII letters in lower case (the caller
 * passes the searched forms; see `searchPatterns`).
 *
 * A run of ASCII letters and digits (an order number's parts, a model name) is also indexed
 * whole (`w…`): a query's run with a separator on both sides (the `20261205` of
 * `TY-20261205-000123`) is a whole run of the text too, and one token for it is far rarer than
 * its pairs of common digits.
 *
 * The digits a run begins with (a date, an order's sequence, a room or phone number) are also
 * indexed by each of their first 3 to 16 (`p…`): a query's run of digits with a separator before
 * it (`-000099999` of `BENCH-000099999`) begins a run of the text, and that beginning is rare
 * where its pairs (00, 09, 99) are in nearly every order.
 *
 * Tokens are plain ASCII letters and digits (each pair as its two code points in base 36), so
 * any full-text tokenizer keeps each one whole, and a community's orders carry their
 * community's token so that one index serves a city of communities.
 */

import { asciiLower } from './work-order.filters.ts';

/** A code point in four base-36 digits (36⁴ > U+10FFFF); those of the BMP kept once made. */
const cp36Made: string[] = [];
function cp36(cp: number): string {
  if (cp > 0xffff) return cp.toString(36).padStart(4, '0');
  return (cp36Made[cp] ??= cp.toString(36).padStart(4, '0'));
}

/** FNV-1a over the UTF-16 units, twice with different offsets: 64 bits as base 36. */
const FNV_A = 0x811c9dc5;
const FNV_B = 0x01000193 ^ 0x5bd1e995;
const FNV_PRIME = 0x01000193;
const fnvText = (a: number, b: number) => a.toString(36) + 'x' + b.toString(36);
function hash36(text: string): string {
  let a = FNV_A;
  let b = FNV_B;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, FNV_PRIME) >>> 0;
    b = Math.imul(b ^ c, FNV_PRIME) >>> 0;
  }
  return fnvText(a, b);
}

/** The token of a community: every order of it carries it. */
export function communityToken(communityId: string): string {
  return `c${hash36(communityId)}`;
}

/** Whether a code point is a letter or digit (`RUN`'s class), looked up once per BMP code point. */
const WORD_CHAR = /^[\p{L}\p{N}]$/u;
const wordClass = new Uint8Array(0x10000); // 0 not yet known, 1 a letter or digit, 2 not
function isWord(cp: number): boolean {
  if (cp > 0xffff) return WORD_CHAR.test(String.fromCodePoint(cp));
  let k = wordClass[cp]!;
  if (k === 0) wordClass[cp] = k = WORD_CHAR.test(String.fromCharCode(cp)) ? 1 : 2;
  return k === 1;
}

/**
 * Adds the tokens of one searched text to `into`, its ASCII letters taken in lower case: the
 * same runs, pairs, wholes and beginnings `queryTokens` finds with `RUN`, in one pass over the
 * text (this runs for every order intake takes).
 */
function addTextTokens(text: string, into: string[]): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    let cp = text.codePointAt(i)!;
    if (!isWord(cp)) {
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    // A run: its pairs as it goes; its text's hash while it is ASCII; its leading digits' hash
    // at each length from PREFIX_MIN to PREFIX_MAX.
    let prev = -1;
    let length = 0;
    let ascii = true;
    let a = FNV_A;
    let b = FNV_B;
    let leading = true;
    while (i < n) {
      cp = text.codePointAt(i)!;
      if (!isWord(cp)) break;
      i += cp > 0xffff ? 2 : 1;
      if (cp >= 65 && cp <= 90) cp += 32;
      if (prev >= 0) into.push('g' + cp36(prev) + cp36(cp));
      prev = cp;
      length += 1;
      if (ascii && cp < 128) {
        a = Math.imul(a ^ cp, FNV_PRIME) >>> 0;
        b = Math.imul(b ^ cp, FNV_PRIME) >>> 0;
      } else ascii = false;
      if (leading) {
        if (cp >= 48 && cp <= 57) {
          if (length >= PREFIX_MIN && length <= PREFIX_MAX) into.push('p' + fnvText(a, b));
        } else leading = false;
      }
    }
    if (ascii && length > 1) into.push('w' + fnvText(a, b));
  }
}

const RUN = /[\p{L}\p{N}]+/gu;
const ASCII_RUN = /^[a-z0-9]+$/;
const DIGITS = /^[0-9]+$/;
const PREFIX_MIN = 3;
const PREFIX_MAX = 16;
const prefixToken = (digits: string) => `p${hash36(digits)}`;

/**
 * The tokens of an order: its community's and those of every searched text (the width-folded
 * description, the description as masked viewers search it, the order number, the address), in
 * the form the list's `LIKE` compares (ASCII letters in lower case). A token may come more than
 * once (both indexes keep one posting per order): dropping repeats cost more than they do.
 */
export function orderTokens(communityId: string, texts: readonly (string | null | undefined)[]): string[] {
  const into = [communityToken(communityId)];
  for (const t of texts) if (t) addTextTokens(t, into);
  return into;
}

/**
 * What the index is asked for a search: for each pattern the list's `LIKE` tries (an order
 * matches when any one does), the tokens every match of it holds. Null when some pattern has no
 * pair (a single character, or only punctuation): the index cannot narrow that search, and the
 * list reads the orders themselves.
 */
export function queryTokens(patterns: readonly string[]): string[][] | null {
  const alternatives: string[][] = [];
  for (const p of patterns) {
    const text = asciiLower(p);
    const runs = text.matchAll(RUN);
    const tokens = new Set<string>();
    for (const m of runs) {
      const run = m[0];
      const cps = Array.from(run, (ch) => ch.codePointAt(0)!);
      const start = m.index;
      const end = start + run.length;
      // A whole run of the text only when something other than a letter or digit stands on
      // both sides of it in the query (so neither end can continue in the text); digits after
      // a separator begin a run of the text (which may go on). Either token says the text holds
      // the run, so its pairs (common ones, for digits) are not asked as well.
      if (start > 0 && end < text.length && cps.length > 1 && ASCII_RUN.test(run))
        tokens.add(`w${hash36(run)}`);
      else if (start > 0 && run.length >= PREFIX_MIN && run.length <= PREFIX_MAX && DIGITS.test(run))
        tokens.add(prefixToken(run));
      else for (let i = 0; i + 1 < cps.length; i++) tokens.add(`g${cp36(cps[i]!)}${cp36(cps[i + 1]!)}`);
    }
    if (tokens.size === 0) return null;
    alternatives.push([...tokens]);
  }
  return alternatives.length ? alternatives : null;
}

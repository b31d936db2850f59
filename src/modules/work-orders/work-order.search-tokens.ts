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

const RUN = /[\p{L}\p{N}]+/gu;
const ASCII_RUN = /^[a-z0-9]+$/;

/** A code point in four base-36 digits (36⁴ > U+10FFFF). */
const cp36 = (cp: number) => cp.toString(36).padStart(4, '0');

/** FNV-1a over the UTF-16 units, twice with different offsets: 64 bits as base 36. */
function hash36(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193) >>> 0;
  }
  return a.toString(36) + 'x' + b.toString(36);
}

/** The token of a community: every order of it carries it. */
export function communityToken(communityId: string): string {
  return `c${hash36(communityId)}`;
}

/** Adds the tokens of one searched text to `into`. */
function addTextTokens(text: string, into: Set<string>): void {
  for (const m of text.matchAll(RUN)) {
    const run = m[0];
    const cps = Array.from(run, (ch) => ch.codePointAt(0)!);
    for (let i = 0; i + 1 < cps.length; i++) into.add(`g${cp36(cps[i]!)}${cp36(cps[i + 1]!)}`);
    if (cps.length > 1 && ASCII_RUN.test(run)) into.add(`w${hash36(run)}`);
    const digits = LEADING_DIGITS.exec(run)?.[0] ?? '';
    for (let n = PREFIX_MIN; n <= Math.min(digits.length, PREFIX_MAX); n++)
      into.add(prefixToken(digits.slice(0, n)));
  }
}

const DIGITS = /^[0-9]+$/;
const LEADING_DIGITS = /^[0-9]+/;
const PREFIX_MIN = 3;
const PREFIX_MAX = 16;
const prefixToken = (digits: string) => `p${hash36(digits)}`;

/**
 * The tokens of an order: its community's and those of every searched text (the width-folded
 * description, the description as masked viewers search it, the order number, the address), in
 * the form the list's `LIKE` compares (ASCII letters in lower case).
 */
export function orderTokens(communityId: string, texts: readonly (string | null | undefined)[]): string[] {
  const into = new Set<string>([communityToken(communityId)]);
  for (const t of texts) if (t) addTextTokens(asciiLower(t), into);
  return [...into];
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

const asciiLower = (t: string) => t.replace(/[A-Z]+/g, (s) => s.toLowerCase());

/**
 * Text normalisation applied before every feature and every rule:
 * NFKC (folds full-width letters, digits and punctuation to half-width), traditional →
 * simplified Chinese (OpenCC, loaded on first need), lower-case Latin, and masking of
 * phone numbers and ID numbers so a model never learns from, or leaks, personal numbers.
 */
import { createRequire } from 'node:module';

type Converter = (text: string) => string;
interface OpenCcModule {
  Converter: (options: { from: string; to: string }) => Converter;
}

let t2s: Converter | null = null;

/** The traditional → simplified converter, built on first use (its dictionaries are large). */
function traditionalToSimplified(): Converter {
  if (t2s === null) {
    const require = createRequire(import.meta.url);
    const opencc = require('opencc-js/t2cn') as OpenCcModule;
    t2s = opencc.Converter({ from: 'tw', to: 'cn' });
  }
  return t2s;
}

/** Placeholders left where personal numbers were; features treat them as one token each. */
export const PHONE_MASK = '<tel>';
export const ID_MASK = '<id>';

// Mainland resident ID: 17 digits + digit/X (18), or the old 15-digit form.
const ID_RE = /(?<![0-9a-z])(?:\d{17}[\dx]|\d{15})(?![0-9a-z])/g;
// Mobile: 1[3-9]x xxxx xxxx, optionally +86 and separated by spaces or dashes.
const MOBILE_RE = /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)/g;
// Landline with area code (010-12345678, 0731 8888888) or a bare 7–8 digit number.
const LANDLINE_RE = /(?<!\d)(?:\(?0\d{2,3}\)?[- ]?)?[2-9]\d{6,7}(?:-\d{1,4})?(?!\d)/g;

/** Replaces ID numbers and phone numbers with placeholders. Expects lower-cased text. */
export function maskPersonalNumbers(text: string): string {
  return text
    .replace(ID_RE, ` ${ID_MASK} `)
    .replace(MOBILE_RE, ` ${PHONE_MASK} `)
    .replace(LANDLINE_RE, ` ${PHONE_MASK} `);
}

// Characters that need the traditional → simplified pass: every CJK ideograph.
const CJK_RE = /[\u3400-\u9fff]/;

/**
 * Normalises resident text for classification and rules. Deterministic and pure
 * (the converter is loaded once, lazily). Collapses runs of whitespace to one space.
 */
export function normalizeText(raw: string): string {
  let s = raw.normalize('NFKC');
  if (CJK_RE.test(s)) s = traditionalToSimplified()(s);
  s = s.toLowerCase();
  s = maskPersonalNumbers(s);
  return s.replace(/\s+/g, ' ').trim();
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { loadDefaultModel } from './classifier.ts';
import { DEFAULT_FEATURE_CONFIG, type FeatureConfig } from './features.ts';
import {
  featurizeNormalized,
  featurizeNormalizedByCounts,
  normalizeFields,
  trainTextModel,
  type TextModel,
} from './model.ts';
import type { SparseVec } from './linear.ts';
import { createTermMatcher } from './term-matcher.ts';
import { parseCsv } from '../../platform/csv.ts';

function same(a: SparseVec, b: SparseVec): boolean {
  if (a.idx.length !== b.idx.length) return false;
  for (let i = 0; i < a.idx.length; i++) {
    if (a.idx[i] !== b.idx[i] || !Object.is(a.val[i], b.val[i])) return false;
  }
  return true;
}

const corpus = (file: string): string[] =>
  parseCsv(readFileSync(new URL(`./corpus/${file}`, import.meta.url), 'utf8'))
    .slice(1)
    .map((r) => r[0] ?? '');

// Pieces text is made of, including the awkward ones: masks, stray brackets, digit runs,
// Latin runs, full-width forms, traditional characters, separators of every kind.
const PIECES = [
  '水',
  '管',
  '漏',
  '电',
  '梯',
  '坏',
  '了',
  '楼',
  '3号楼',
  '2单元',
  '维修',
  '噪音',
  '老人',
  '独居',
  '電梯',
  '請',
  'wifi',
  'WiFi',
  'abc',
  'a1b2',
  '12',
  '0',
  '<',
  '>',
  '<tel>',
  '<id>',
  '<ab',
  'x<y',
  '13812345678',
  '，',
  ',',
  '。',
  '!',
  '？',
  ' ',
  '  ',
  '\n',
  '\t',
  '－',
  'ＡＢ',
  '１２３',
  '燃气',
  '泄漏',
];
const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((p) => p.join(''));

test('the term matcher gives the bit-identical vector of the term-count path (default model, team corpus)', () => {
  const model = loadDefaultModel();
  const texts = [...corpus('test.csv'), ...corpus('train.csv')];
  assert.ok(texts.length > 500);
  for (const t of texts) {
    for (const fields of [[t], [t.slice(0, 8), t], ['', t]]) {
      const norm = normalizeFields(fields);
      assert.ok(same(featurizeNormalized(model, norm), featurizeNormalizedByCounts(model, norm)), t);
    }
  }
});

test('property: the same vector for any text, field split and feature configuration', () => {
  // A vocabulary learnt from corpus text and from the generator's own pieces, so that Latin
  // runs, masks and bracket cases are terms the matcher must find.
  const generated = fc.sample(text, { seed: 7, numRuns: 400 });
  const base = trainTextModel(
    [...corpus('train.csv').slice(0, 300), ...generated].map((t, i) => ({
      fields: [t],
      labels: { category: i % 2 ? 'a' : 'b' },
    })),
    { headNames: ['category'], taxonomyId: 'fixture', options: { bags: 1, calibrate: false } },
  );
  const configs: FeatureConfig[] = [
    DEFAULT_FEATURE_CONFIG,
    { ...DEFAULT_FEATURE_CONFIG, charScope: 'word', wordBigrams: true },
    { ...DEFAULT_FEATURE_CONFIG, minCharN: 2, maxCharN: 4, words: false },
  ];
  // The same vocabulary read under other configurations: terms outside a configuration's
  // n-gram range must simply never match.
  const models: TextModel[] = configs.map((features) => ({
    ...base,
    features,
    vectorizer: { ...base.vectorizer },
  }));
  fc.assert(
    fc.property(fc.array(text, { minLength: 1, maxLength: 3 }), fc.nat(models.length - 1), (fields, m) => {
      const model = models[m] as TextModel;
      const norm = normalizeFields(fields);
      return same(featurizeNormalized(model, norm), featurizeNormalizedByCounts(model, norm));
    }),
    { numRuns: 2000 },
  );
});

test('touching Latin runs (a stray "<" between them) are handed to the general path', () => {
  const model = loadDefaultModel();
  const m = createTermMatcher(model.vectorizer, model.features);
  assert.equal(m.vector('ab<cd'), null);
  assert.notEqual(m.vector('ab<tel>cd'), null);
  const norm = normalizeFields(['wifi<ok 坏了']);
  assert.ok(same(featurizeNormalized(model, norm), featurizeNormalizedByCounts(model, norm)));
});

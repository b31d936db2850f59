import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  trainTextModel,
  featurize,
  headProbabilities,
  TrainingError,
  type TrainingExample,
} from './model.ts';
import {
  deserializeModel,
  loadModelFile,
  ModelFileError,
  saveModelFile,
  serializeModel,
} from './model-io.ts';
import { createClassifier } from './classifier.ts';
import { fixtureRows } from './test-fixtures.ts';

function examples(): TrainingExample[] {
  return fixtureRows()
    .slice(1)
    .map(([text, , label]) => ({ fields: [text ?? ''], labels: { category: label } }));
}

const train = (seed = 42): ReturnType<typeof trainTextModel> =>
  trainTextModel(examples(), {
    headNames: ['category'],
    taxonomyId: 'fixture',
    options: { sgd: { epochs: 10, learningRate: 0.5, l2: 1e-4, seed, classBalance: 0.5, averageFrom: 0.5 } },
  });

const made: string[] = [];
/** A folder of its own, removed when the file's tests end. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'linli-model-'));
  made.push(dir);
  return dir;
}
after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

test('learns the fixture and predicts unseen phrasings', () => {
  const c = createClassifier(train());
  assert.equal(c.predict('隔壁的水管漏水了').category, 'repair');
  assert.equal(c.predict('电梯又坏了').category, 'lift');
  assert.equal(c.predict('我想报名参加合唱团').category, 'activity');
  const p = c.predict('电梯坏了');
  const total = Object.values(p.probabilities).reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(total - 1) < 1e-3);
  assert.ok(p.runnerUp && p.runnerUp.category !== p.category);
  assert.ok(p.explanation.features.some((f) => f.feature.includes('电梯')));
});

test('training is deterministic for a seed', () => {
  assert.equal(serializeModel(train(7)), serializeModel(train(7)));
  assert.notEqual(serializeModel(train(7)), serializeModel(train(8)));
});

test('save/load round-trip gives identical predictions', () => {
  const model = train();
  const dir = tempDir();
  const file = join(dir, 'm.json');
  saveModelFile(model, file);
  const loaded = loadModelFile(file);
  for (const text of ['水管漏水了', '电梯坏了', '活动室怎么借', '完全无关的一句话']) {
    const a = headProbabilities(model.heads.category!, featurize(model, [text]));
    const b = headProbabilities(loaded.heads.category!, featurize(loaded, [text]));
    assert.deepEqual(Array.from(b), Array.from(a));
  }
  assert.equal(serializeModel(loaded), readFileSync(file, 'utf8'));
});

test('load refuses corrupt, tampered, wrong-version and other-taxonomy files', () => {
  const text = serializeModel(train());
  const isCode = (code: string) => (e: unknown) =>
    e instanceof ModelFileError && e.code === code && e.message.startsWith('m.json:');
  assert.throws(() => deserializeModel(text.slice(0, 1000), 'm.json'), isCode('model_corrupt'));
  assert.throws(() => deserializeModel('{"hello":1}', 'm.json'), isCode('model_corrupt'));
  assert.throws(
    () => deserializeModel(text.replace('"fixture"', '"fixturf"'), 'm.json'),
    isCode('model_corrupt'),
  );
  assert.throws(
    () => deserializeModel(text.replace('"formatVersion":1', '"formatVersion":9'), 'm.json'),
    isCode('model_version'),
  );
  assert.throws(
    () => deserializeModel(text, 'm.json', { categories: ['basic_living', 'health'] }),
    (e: unknown) => isCode('model_other_taxonomy')(e) && /another taxonomy/.test((e as Error).message),
  );
  assert.throws(() => deserializeModel(text, 'm.json', { heads: ['urgency'] }), isCode('model_missing_head'));
  assert.throws(() => loadModelFile('/nonexistent/m.json'), /no such model file/);
});

test('training refuses one class and empty input', () => {
  const one = examples().map((e) => ({ ...e, labels: { category: 'repair' } }));
  assert.throws(
    () => trainTextModel(one, { headNames: ['category'], taxonomyId: 'x' }),
    (e: unknown) => e instanceof TrainingError && e.code === 'one_class',
  );
  assert.throws(() => trainTextModel([], { headNames: ['category'], taxonomyId: 'x' }), TrainingError);
});

test('a failed save leaves the existing model file untouched', () => {
  const dir = tempDir();
  const file = join(dir, 'active.json');
  writeFileSync(file, 'ACTIVE');
  assert.throws(() => saveModelFile(train(), join(dir, 'missing-dir', 'x.json')));
  assert.equal(readFileSync(file, 'utf8'), 'ACTIVE');
});

/**
 * Trains the shipped default model from corpus/train.csv and reports its figures on the
 * held-out corpus/test.csv: `node --import tsx src/modules/classification/train-default.ts`.
 * Reproducible: fixed seed, no time stamp, so the same corpus gives the same file.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCsvRecords } from '../../platform/csv.ts';
import { trainTextModel, type TrainingExample } from './model.ts';
import { saveModelFile } from './model-io.ts';
import { createClassifier, DEFAULT_MODEL_PATH, type Classifier } from './classifier.ts';
import { evaluate } from './metrics.ts';

const corpus = (name: string): string => fileURLToPath(new URL(`./corpus/${name}`, import.meta.url));

function readCorpus(name: string): Array<Record<string, string>> {
  return parseCsvRecords(readFileSync(corpus(name), 'utf8'), { fileName: name }).rows;
}

/** Figures of a classifier over the default model on the held-out test file. */
export function evaluateDefault(model: Classifier): Record<string, number> {
  const rows = readCorpus('test.csv');
  const preds = rows.map((r) => model.predict(r.text ?? ''));
  const cat = evaluate(
    rows.map((r) => r.category ?? ''),
    preds.map((p) => p.category),
  );
  const sub = evaluate(
    rows.map((r) => r.subcategory ?? ''),
    preds.map((p) => p.subcategory ?? ''),
  );
  const urg = evaluate(
    rows.map((r) => r.urgency ?? ''),
    preds.map((p) => p.urgency),
  );
  const emergencies = rows.map((r, i) => ({ r, p: preds[i] })).filter((x) => x.r.urgency === 'critical');
  const caught = emergencies.filter((x) => x.p?.urgency === 'critical' || x.p?.urgency === 'high').length;
  return {
    testRows: rows.length,
    categoryAccuracy: cat.accuracy,
    categoryMacroF1: cat.macroF1,
    subcategoryAccuracy: sub.accuracy,
    urgencyAccuracy: urg.accuracy,
    urgencyMacroF1: urg.macroF1,
    emergencyRows: emergencies.length,
    emergencyRecall: emergencies.length > 0 ? caught / emergencies.length : 1,
    triageRate: preds.filter((p) => p.needsTriage).length / Math.max(1, preds.length),
  };
}

/** Trains the default model from the corpus (no file written). */
export function trainDefaultModel(onProgress?: (msg: string) => void): ReturnType<typeof trainTextModel> {
  const examples: TrainingExample[] = readCorpus('train.csv').map((r) => ({
    fields: [r.text ?? ''],
    labels: { category: r.category, subcategory: r.subcategory, urgency: r.urgency },
  }));
  return trainTextModel(examples, {
    headNames: ['category', 'subcategory', 'urgency'],
    taxonomyId: 'default',
    onProgress,
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  const model = trainDefaultModel((m) => process.stderr.write(m + '\n'));
  const seconds = (performance.now() - t0) / 1000;
  saveModelFile(model, DEFAULT_MODEL_PATH);
  const figures = evaluateDefault(createClassifier(model));
  process.stdout.write(
    JSON.stringify({ trainSeconds: Math.round(seconds * 100) / 100, ...figures }, null, 2) + '\n',
  );
}

/** Classification metrics: accuracy, macro-F1, per-class precision/recall/F1, confusion matrix. */

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface EvaluationReport {
  examples: number;
  accuracy: number;
  macroF1: number;
  labels: string[];
  perClass: Record<string, ClassMetrics>;
  /** confusion[i][j]: examples of labels[i] predicted as labels[j]. */
  confusion: number[][];
}

const round4 = (x: number): number => Math.round(x * 10000) / 10000;

/**
 * Scores predictions against gold labels. The label set is the union of both, sorted;
 * macro-F1 averages over labels that occur in the gold set.
 */
export function evaluate(gold: ReadonlyArray<string>, predicted: ReadonlyArray<string>): EvaluationReport {
  if (gold.length !== predicted.length) throw new Error('gold and predicted differ in length');
  const labels = [...new Set([...gold, ...predicted])].sort();
  const at = new Map(labels.map((l, i) => [l, i]));
  const confusion = labels.map(() => labels.map(() => 0));
  let correct = 0;
  gold.forEach((g, i) => {
    const p = predicted[i] as string;
    const row = confusion[at.get(g) as number] as number[];
    const j = at.get(p) as number;
    row[j] = (row[j] as number) + 1;
    if (g === p) correct++;
  });
  const perClass: Record<string, ClassMetrics> = {};
  let f1Sum = 0;
  let f1Count = 0;
  labels.forEach((l, k) => {
    const tp = (confusion[k] as number[])[k] as number;
    const support = (confusion[k] as number[]).reduce((s, v) => s + v, 0);
    const predictedK = confusion.reduce((s, row) => s + (row[k] as number), 0);
    const precision = predictedK > 0 ? tp / predictedK : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[l] = { precision: round4(precision), recall: round4(recall), f1: round4(f1), support };
    if (support > 0) {
      f1Sum += f1;
      f1Count++;
    }
  });
  return {
    examples: gold.length,
    accuracy: round4(gold.length > 0 ? correct / gold.length : 0),
    macroF1: round4(f1Count > 0 ? f1Sum / f1Count : 0),
    labels,
    perClass,
    confusion,
  };
}

/** A plain-text rendering of a report for terminals. */
export function formatReport(r: EvaluationReport, title: string): string {
  const lines = [
    `${title}: ${r.examples} examples`,
    `accuracy ${r.accuracy.toFixed(4)}  macro-F1 ${r.macroF1.toFixed(4)}`,
    '',
  ];
  const w = Math.max(5, ...r.labels.map((l) => l.length));
  lines.push(`${'label'.padEnd(w)}  precision  recall  f1      support`);
  for (const l of r.labels) {
    const m = r.perClass[l] as ClassMetrics;
    lines.push(
      `${l.padEnd(w)}  ${m.precision.toFixed(4).padStart(9)}  ${m.recall.toFixed(4).padStart(6)}  ${m.f1.toFixed(4)}  ${String(m.support).padStart(7)}`,
    );
  }
  lines.push('', 'confusion matrix (rows = gold, columns = predicted, in label order above):');
  r.confusion.forEach((row, i) =>
    lines.push(`${String(i).padStart(3)} ${(r.labels[i] as string).padEnd(w)} ${row.join(' ')}`),
  );
  return lines.join('\n');
}

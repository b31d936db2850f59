/**
 * Training off the thread that serves requests.
 *
 * Training is seconds to a minute of pure computation (SGD over every labelled order). Run where
 * requests are answered, it held the whole node for as long: on the demo's 929 orders a retrain
 * through the API kept `/healthz` waiting 1.6 s, and with it the hotline, the resident app and
 * the emergency lane. Here it runs on a worker thread of its own, which exits when it is done;
 * the serving thread only compares and stores.
 *
 * The thread runs the bundled `training-worker.mjs` beside the server bundle, or the TypeScript
 * source through tsx when the server itself runs from source.
 */
import { Worker } from 'node:worker_threads';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Classifier } from './classifier.ts';
import { TrainingError } from './model.ts';
import type { TrainingExample } from './model.ts';

export interface TrainingJob {
  examples: TrainingExample[];
  params: {
    headNames: string[];
    taxonomyId: string;
    trainedAt: string | null;
    options: { bags: number };
  };
  /** Texts to predict with the trained model (the held-out orders). */
  holdout: string[];
  triageThreshold: number;
}

export interface Decision {
  category: string;
  urgency: string;
}

export type TrainingMessage =
  | { type: 'progress'; message: string }
  | { type: 'done'; modelJson: string; taxonomyId: string; predictions: Decision[] }
  | { type: 'training_error'; code: string; message: string }
  | { type: 'failed'; message: string };

export interface TrainedModel {
  /** The model as it is stored (`serializeModel`). */
  modelJson: string;
  taxonomyId: string;
  /** Its decisions on `holdout`, in order. */
  predictions: Decision[];
}

/** What the thread runs: the bundle's worker file, or the TypeScript source through tsx. */
function workerEntry(): { file: URL | string; eval?: true } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { file: new URL('./training-worker.mjs', here) };
  // From source. A thread does not take tsx's loader from `--import tsx` in its flags (Node 20
  // loads the thread's file before the hooks apply), so a small script registers it first.
  const api = import.meta.resolve('tsx/esm/api');
  const source = new URL('./training.worker.ts', here).href;
  return {
    file: `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(source)}); })`,
    eval: true,
  };
}

/**
 * Trains on a worker thread and predicts `holdout` with the result. Rejects with the
 * `TrainingError` the training raised (one class only, no features), or an Error if the thread
 * failed; `onProgress` hears the training's own messages.
 */
export function trainOffThread(
  job: TrainingJob,
  onProgress?: (message: string) => void,
): Promise<TrainedModel> {
  const entry = workerEntry();
  return new Promise<TrainedModel>((resolve, reject) => {
    let settled = false;
    const worker = new Worker(entry.file, { workerData: job, ...(entry.eval ? { eval: true } : {}) });
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.on('message', (m: TrainingMessage) => {
      if (m.type === 'progress') onProgress?.(m.message);
      else if (m.type === 'done')
        settle(() =>
          resolve({ modelJson: m.modelJson, taxonomyId: m.taxonomyId, predictions: m.predictions }),
        );
      else if (m.type === 'training_error') settle(() => reject(new TrainingError(m.code, m.message)));
      else settle(() => reject(new Error(`the training thread failed: ${m.message}`)));
    });
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`the training thread stopped (exit code ${code}) before it answered`))),
    );
  });
}

/** Predictions taken this many at a time between two turns of the event loop. */
const PREDICT_SLICE = 50;

/**
 * A classifier's decisions on many texts, on the serving thread but a slice at a time, so that
 * requests are answered in between: the model in force is judged here on every held-out order.
 */
export async function predictInTurns(classifier: Classifier, texts: readonly string[]): Promise<Decision[]> {
  const out: Decision[] = [];
  for (let i = 0; i < texts.length; i += PREDICT_SLICE) {
    if (i > 0) await nextTurn();
    for (const t of texts.slice(i, i + PREDICT_SLICE)) out.push(decide(classifier, t));
  }
  return out;
}

/** What a classifier decides of a text, as the held-out orders are judged. */
export function decide(classifier: Classifier, text: string): Decision {
  const p = classifier.predict(text, { probabilities: false });
  return { category: p.category, urgency: p.urgency };
}

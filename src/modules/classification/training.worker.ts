/**
 * The body of a training thread (see `training.ts`): trains on the examples it is given, stores
 * nothing, and answers with the model as its stored JSON and the model's predictions of the
 * held-out texts, so the thread that serves requests only compares and stores.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createClassifier } from './classifier.ts';
import { serializeModel } from './model-io.ts';
import { TrainingError, trainTextModel } from './model.ts';
import { decide } from './training.ts';
import type { TrainingJob, TrainingMessage } from './training.ts';

const port = parentPort;
if (port) {
  const job = workerData as TrainingJob;
  const send = (m: TrainingMessage) => port.postMessage(m);
  try {
    const model = trainTextModel(job.examples, {
      ...job.params,
      onProgress: (message) => send({ type: 'progress', message }),
    });
    const classifier = createClassifier(model, { triageThreshold: job.triageThreshold });
    const predictions = job.holdout.map((text) => decide(classifier, text));
    send({ type: 'done', modelJson: serializeModel(model), taxonomyId: model.taxonomyId, predictions });
  } catch (e) {
    send(
      e instanceof TrainingError
        ? { type: 'training_error', code: e.code, message: e.message }
        : { type: 'failed', message: e instanceof Error ? (e.stack ?? e.message) : String(e) },
    );
  }
}

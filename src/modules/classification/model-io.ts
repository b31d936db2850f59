/**
 * Model files: JSON with a format name and version, the label set of every head, weights as
 * base64 little-endian Float32Array, and a SHA-256 checksum over the body. Loading checks all
 * of it and refuses a corrupt file, a file of another format version, or — when the caller
 * names the categories it expects — a model trained for another taxonomy.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import type { FeatureConfig } from './features.ts';
import { vectorizerFrom, type LinearHead } from './linear.ts';
import type { TextModel } from './model.ts';

export const MODEL_FORMAT = 'linli-text-classifier';
export const MODEL_FORMAT_VERSION = 1;

/** The model file is unusable; the message names the file and the reason. */
export class ModelFileError extends Error {
  readonly code: string;
  readonly file: string;
  constructor(code: string, file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ModelFileError';
    this.code = code;
    this.file = file;
  }
}

interface HeadJson {
  classes: string[];
  weights: string;
  bias: number[];
  temperature: number;
}
interface BodyJson {
  taxonomyId: string;
  features: FeatureConfig;
  fieldWeight: number;
  terms: string[];
  idf: string;
  heads: Record<string, HeadJson>;
  meta: TextModel['meta'];
}

function f32ToBase64(a: Float32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}
function base64ToF32(s: string): Float32Array {
  const buf = Buffer.from(s, 'base64');
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf.subarray(0, out.length * 4));
  return out;
}

/** Serialises a model to the JSON file format (deterministic for the same model). */
export function serializeModel(model: TextModel): string {
  const heads: Record<string, HeadJson> = {};
  for (const [name, h] of Object.entries(model.heads)) {
    heads[name] = {
      classes: h.classes,
      weights: f32ToBase64(h.weights),
      bias: Array.from(h.bias),
      temperature: h.temperature,
    };
  }
  const body: BodyJson = {
    taxonomyId: model.taxonomyId,
    features: model.features,
    fieldWeight: model.fieldWeight,
    terms: model.vectorizer.terms,
    idf: f32ToBase64(model.vectorizer.idf),
    heads,
    meta: model.meta,
  };
  const bodyText = JSON.stringify(body);
  const checksum = 'sha256:' + createHash('sha256').update(bodyText).digest('hex');
  return `{"format":"${MODEL_FORMAT}","formatVersion":${MODEL_FORMAT_VERSION},"checksum":"${checksum}","body":${bodyText}}\n`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What the caller expects of a model (checked on load). */
export interface ModelExpectations {
  /** Category codes of the deployment's taxonomy; the model's `category` head must use only these. */
  categories?: ReadonlyArray<string>;
  /** Heads the caller will use. */
  heads?: ReadonlyArray<string>;
}

/** Parses and validates a model file's text. `file` is used in error messages. */
export function deserializeModel(text: string, file: string, expect: ModelExpectations = {}): TextModel {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ModelFileError(
      'model_corrupt',
      file,
      'not a model file (it is not valid JSON; truncated or damaged?)',
    );
  }
  if (!isRecord(doc) || doc.format !== MODEL_FORMAT) {
    throw new ModelFileError('model_corrupt', file, `not a ${MODEL_FORMAT} model file`);
  }
  if (doc.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ModelFileError(
      'model_version',
      file,
      `model format version ${String(doc.formatVersion)} is not supported (this build reads version ${MODEL_FORMAT_VERSION}); retrain the model`,
    );
  }
  if (!isRecord(doc.body) || typeof doc.checksum !== 'string') {
    throw new ModelFileError('model_corrupt', file, 'the model body or checksum is missing');
  }
  const sum = 'sha256:' + createHash('sha256').update(JSON.stringify(doc.body)).digest('hex');
  if (sum !== doc.checksum) {
    throw new ModelFileError('model_corrupt', file, 'checksum mismatch: the file was modified or damaged');
  }
  const body = doc.body as unknown as BodyJson;
  if (!Array.isArray(body.terms) || typeof body.idf !== 'string' || !isRecord(body.heads)) {
    throw new ModelFileError('model_corrupt', file, 'the model body is incomplete');
  }
  const idf = base64ToF32(body.idf);
  if (idf.length !== body.terms.length) {
    throw new ModelFileError('model_corrupt', file, 'vocabulary and IDF weights differ in length');
  }
  const heads: Record<string, LinearHead> = {};
  for (const [name, h] of Object.entries(body.heads)) {
    const weights = base64ToF32(h.weights);
    if (!Array.isArray(h.classes) || weights.length !== body.terms.length * h.classes.length) {
      throw new ModelFileError('model_corrupt', file, `head "${name}" has weights of the wrong size`);
    }
    heads[name] = {
      classes: h.classes,
      weights,
      bias: Float32Array.from(h.bias),
      temperature: h.temperature,
    };
  }
  for (const need of expect.heads ?? []) {
    if (!heads[need]) {
      throw new ModelFileError(
        'model_missing_head',
        file,
        `the model has no "${need}" output (it has: ${Object.keys(heads).join(', ')})`,
      );
    }
  }
  const cat = heads.category;
  if (expect.categories && cat) {
    const known = new Set(expect.categories);
    const foreign = cat.classes.filter((c) => !known.has(c));
    if (foreign.length > 0) {
      throw new ModelFileError(
        'model_other_taxonomy',
        file,
        `the model was trained for another taxonomy ("${body.taxonomyId}": ${cat.classes.slice(0, 8).join(', ')}${
          cat.classes.length > 8 ? ', …' : ''
        }); categories ${foreign
          .slice(0, 5)
          .join(', ')} are not in this deployment's taxonomy. Train a model on this taxonomy's labels`,
      );
    }
  }
  return {
    taxonomyId: body.taxonomyId,
    features: body.features,
    fieldWeight: body.fieldWeight,
    vectorizer: vectorizerFrom(body.terms, idf),
    heads,
    meta: body.meta,
  };
}

/** Reads and validates a model file. Throws `ModelFileError` naming the file. */
export function loadModelFile(file: string, expect: ModelExpectations = {}): TextModel {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelFileError(
      'model_unreadable',
      file,
      code === 'ENOENT' ? 'no such model file' : `cannot read (${code})`,
    );
  }
  return deserializeModel(text, file, expect);
}

/**
 * Writes a model atomically: to a temporary file beside the target, then renamed over it, so
 * a failure part-way never leaves a half-written or replaced active model.
 */
export function saveModelFile(model: TextModel, file: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, serializeModel(model));
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Command-line entry points of the classifier (wired as `linli classifier …` and
 * `linli classify …`):
 *
 *   classifier train --csv FILE --text COL[,COL…] --label COL --out MODEL [--seed N]
 *   classifier eval  --model MODEL|default --csv FILE --text COL[,COL…] --label COL
 *                    [--target category|subcategory|urgency|HEAD] [--json]
 *   classify [--model MODEL] [--json] "TEXT"
 *
 * `classifier train --from-orders`, `models`, `activate`, `rollback` and `import-model` work on
 * a community's models in the database: `src/cli/main.ts` sends them to its `communityModels`.
 *
 * Bad input gets a message naming the file, row or column and a non-zero exit code; a failed
 * training never touches the --out file (the model is written to a temporary file, then renamed).
 */
import { readFileSync } from 'node:fs';
import { CsvError, decodeTextFile, parseCsvRecords } from '../../platform/csv.ts';
import { fileErrorReason, outputPathProblem } from '../../platform/files.ts';
import { allCategoryCodes, DEFAULT_TAXONOMY } from '../taxonomy/taxonomy.default.ts';
import { createClassifier, DEFAULT_MODEL_PATH, type Prediction } from './classifier.ts';
import { evaluate, formatReport } from './metrics.ts';
import {
  DEFAULT_TRAIN_OPTIONS,
  trainTextModel,
  TrainingError,
  type TrainingExample,
  type TextModel,
} from './model.ts';
import { loadModelFile, ModelFileError, saveModelFile } from './model-io.ts';

export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** A user-facing error: printed as `error: message`, exit code 1 (2 for usage). */
class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

const TRAIN_USAGE =
  'usage: linli classifier train --csv FILE --text COL[,COL…] --label COL --out MODEL [--seed N]';
const EVAL_USAGE =
  'usage: linli classifier eval --model MODEL|default --csv FILE --text COL[,COL…] --label COL [--target category|urgency] [--json]';
const CLASSIFY_USAGE = 'usage: linli classify [--model MODEL] [--json] "TEXT"';
/** The commands about a community's own models, which `src/cli/main.ts` runs against the database. */
const COMMUNITY_USAGE = [
  'usage: linli classifier train --from-orders --community C [--activate auto|always|never]',
  'usage: linli classifier models|rollback --community C',
  'usage: linli classifier activate --community C --version N',
  'usage: linli classifier import-model --community C --file MODEL [--activate always]',
].join('\n');

interface ParsedArgs {
  options: Map<string, string>;
  flags: Set<string>;
  positional: string[];
}

function parseArgs(
  args: ReadonlyArray<string>,
  booleanFlags: ReadonlyArray<string>,
  usage: string,
  /** The options that take a value: any other is refused (a misspelt --sed was ignored). */
  valueOptions: ReadonlyArray<string>,
): ParsedArgs {
  const options = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
      if (booleanFlags.includes(name)) {
        flags.add(name);
        continue;
      }
      if (!valueOptions.includes(name)) throw new CliError(`unknown option --${name}\n${usage}`, 2);
      const value = eq === -1 ? args[++i] : a.slice(eq + 1);
      if (value === undefined || value === '')
        throw new CliError(`option --${name} needs a value\n${usage}`, 2);
      options.set(name, value);
    } else positional.push(a);
  }
  return { options, flags, positional };
}

function required(p: ParsedArgs, name: string, usage: string): string {
  const v = p.options.get(name);
  if (v === undefined) throw new CliError(`missing --${name}\n${usage}`, 2);
  return v;
}

interface LabelledRows {
  texts: string[][];
  labels: string[];
  skipped: number;
}

/** Reads a CSV (UTF-8 or GBK), checks the columns, returns the text fields and labels. */
function readLabelledCsv(file: string, textCols: string[], labelCol: string, io: CliIo): LabelledRows {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new CliError(`${file}: ${fileErrorReason(e)}`);
  }
  if (buf.length === 0) throw new CliError(`${file}: the file is empty`);
  const decoded = decodeTextFile(buf, file);
  if (decoded.converted)
    io.err(`note: ${file} is ${decoded.encoding.toUpperCase()} text, not UTF-8; converted it`);
  const { header, rows } = parseCsvRecords(decoded.text, { fileName: file });
  const missing = [...textCols, labelCol].filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new CliError(
      `${file}: missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} (columns are: ${header.join(', ')})`,
    );
  }
  if (rows.length === 0) throw new CliError(`${file}: no data rows under the header`);
  const texts: string[][] = [];
  const labels: string[] = [];
  let skipped = 0;
  for (const r of rows) {
    const label = (r[labelCol] ?? '').trim();
    const fields = textCols.map((c) => r[c] ?? '');
    if (label === '' || fields.every((f) => f.trim() === '')) {
      skipped++;
      continue;
    }
    texts.push(fields);
    labels.push(label);
  }
  if (labels.length === 0) throw new CliError(`${file}: column "${labelCol}" is empty in every row`);
  return { texts, labels, skipped };
}

function loadModelArg(arg: string): TextModel {
  if (arg === 'default') {
    return loadModelFile(DEFAULT_MODEL_PATH, {
      categories: allCategoryCodes(DEFAULT_TAXONOMY),
      heads: ['category', 'subcategory', 'urgency'],
    });
  }
  return loadModelFile(arg);
}

async function train(args: ReadonlyArray<string>, io: CliIo): Promise<number> {
  const p = parseArgs(args, [], TRAIN_USAGE, ['csv', 'text', 'label', 'out', 'seed']);
  const csv = required(p, 'csv', TRAIN_USAGE);
  const textCols = required(p, 'text', TRAIN_USAGE)
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const labelCol = required(p, 'label', TRAIN_USAGE);
  const out = required(p, 'out', TRAIN_USAGE);
  const seedArg = p.options.get('seed');
  const seed = seedArg === undefined ? 42 : Number(seedArg);
  if (!Number.isInteger(seed)) throw new CliError(`--seed must be an integer, got "${seedArg}"`, 2);
  // Before the training, which can take a while: where the model goes must exist.
  const outProblem = outputPathProblem(out);
  if (outProblem) throw new CliError(`--out ${out}: ${outProblem}`);
  const data = readLabelledCsv(csv, textCols, labelCol, io);
  const classes = new Set(data.labels);
  if (classes.size < 2) {
    throw new CliError(
      `${csv}: column "${labelCol}" has only one class ("${[...classes][0]}"); a classifier needs at least two`,
    );
  }
  if (data.skipped > 0) io.err(`skipped ${data.skipped} row(s) with an empty label or empty text`);
  const examples: TrainingExample[] = data.texts.map((fields, i) => ({
    fields,
    labels: { [labelCol]: data.labels[i] },
  }));
  const long = examples.length >= 2000;
  const t0 = performance.now();
  const model = trainTextModel(examples, {
    headNames: [labelCol],
    taxonomyId: `custom:${labelCol}`,
    options: { sgd: { ...DEFAULT_TRAIN_OPTIONS.sgd, seed } },
    trainedAt: new Date().toISOString(),
    onProgress: long ? (m) => io.err(m) : undefined,
  });
  const seconds = (performance.now() - t0) / 1000;
  saveModelFile(model, out);
  io.out(
    `trained on ${examples.length} rows, ${classes.size} classes, ${model.vectorizer.terms.length} features in ${seconds.toFixed(1)} s → ${out}`,
  );
  return 0;
}

function targetValue(pred: Prediction, target: string): string {
  if (target === 'urgency') return pred.urgency;
  if (target === 'subcategory') return pred.subcategory ?? '';
  return pred.category;
}

async function evalCmd(args: ReadonlyArray<string>, io: CliIo): Promise<number> {
  const p = parseArgs(args, ['json'], EVAL_USAGE, ['model', 'csv', 'text', 'label', 'target']);
  const modelArg = required(p, 'model', EVAL_USAGE);
  const csv = required(p, 'csv', EVAL_USAGE);
  const textCols = required(p, 'text', EVAL_USAGE)
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const labelCol = required(p, 'label', EVAL_USAGE);
  const model = loadModelArg(modelArg);
  const heads = Object.keys(model.heads);
  let target = p.options.get('target') ?? (model.heads[labelCol] ? labelCol : 'category');
  if (!model.heads[target]) {
    if (!p.options.has('target') && heads.length === 1) target = heads[0] as string;
    else
      throw new CliError(
        `the model has no "${target}" output (it has: ${heads.join(', ')}); choose one with --target`,
      );
  }
  const data = readLabelledCsv(csv, textCols, labelCol, io);
  const isBuiltIn = target === 'category' || target === 'subcategory' || target === 'urgency';
  const classifier = createClassifier(model, isBuiltIn ? {} : { primaryHead: target });
  const t0 = performance.now();
  const predicted = data.texts.map((fields) =>
    targetValue(classifier.predict(fields), isBuiltIn ? target : 'category'),
  );
  const ms = performance.now() - t0;
  const report = evaluate(data.labels, predicted);
  const known = new Set(model.heads[target]?.classes ?? []);
  const unknown = [...new Set(data.labels)].filter((l) => !known.has(l));
  if (unknown.length > 0) io.err(`note: labels the model does not know: ${unknown.slice(0, 10).join(', ')}`);
  if (p.flags.has('json')) {
    io.out(
      JSON.stringify({
        model: modelArg,
        file: csv,
        target,
        ...report,
        skipped: data.skipped,
        msPerExample: Math.round((ms / Math.max(1, data.labels.length)) * 1000) / 1000,
      }),
    );
  } else {
    io.out(formatReport(report, `${csv} · target ${target} · model ${modelArg}`));
  }
  return 0;
}

/** `linli classifier train|eval …`. Returns the process exit code. */
export async function runClassifierCli(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  return guarded(io, async () => {
    if (sub === 'train') return train(rest, io);
    if (sub === 'eval') return evalCmd(rest, io);
    throw new CliError(
      `unknown classifier command "${sub ?? ''}"\n${TRAIN_USAGE}\n${EVAL_USAGE}\n${COMMUNITY_USAGE}`,
      2,
    );
  });
}

function formatPrediction(text: string, pred: Prediction): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `text:        ${text}`,
    `category:    ${pred.category}${pred.subcategory ? ` / ${pred.subcategory}` : ''} (${pct(pred.confidence)})`,
    `urgency:     ${pred.urgency}`,
  ];
  if (pred.runnerUp) lines.push(`runner-up:   ${pred.runnerUp.category} (${pct(pred.runnerUp.probability)})`);
  lines.push(
    `probabilities: ${Object.entries(pred.probabilities)
      .map(([c, v]) => `${c} ${pct(v)}`)
      .join(', ')}`,
  );
  if (pred.urgencyProbabilities) {
    lines.push(
      `urgency probabilities: ${Object.entries(pred.urgencyProbabilities)
        .map(([c, v]) => `${c} ${pct(v)}`)
        .join(', ')}`,
    );
  }
  const rule = pred.explanation.rule;
  if (rule) lines.push(`why:         rule "${rule.ruleId}" (${rule.description}) matched "${rule.phrase}"`);
  if (pred.explanation.features.length > 0) {
    lines.push(
      `features:    ${pred.explanation.features.map((f) => `${f.feature}${f.kind === 'word' ? '(词)' : ''} +${f.weight}`).join(', ')}`,
    );
  }
  if (pred.needsTriage) lines.push('triage:      confidence below threshold — send to a person to label');
  return lines.join('\n');
}

/** `linli classify [--model MODEL] [--json] "TEXT"`. Returns the process exit code. */
export async function runClassifyCli(args: string[], io: CliIo): Promise<number> {
  return guarded(io, async () => {
    const p = parseArgs(args, ['json'], CLASSIFY_USAGE, ['model']);
    const text = p.positional.join(' ').trim();
    if (text === '') throw new CliError(`no text to classify\n${CLASSIFY_USAGE}`, 2);
    const model = loadModelArg(p.options.get('model') ?? 'default');
    const pred = createClassifier(model).predict(text);
    io.out(p.flags.has('json') ? JSON.stringify(pred) : formatPrediction(text, pred));
    return 0;
  });
}

async function guarded(io: CliIo, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`error: ${e.message}`);
      return e.exitCode;
    }
    if (e instanceof CsvError || e instanceof ModelFileError || e instanceof TrainingError) {
      io.err(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

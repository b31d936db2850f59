/**
 * Generates the team's labelled corpus (train.csv and test.csv beside this file) from the
 * hand-written fragments, with a fixed seed: `node --import tsx src/modules/classification/corpus/generate.ts`.
 *
 * Test rows are composed only from held-out problem lines (a fifth of each sub-category's),
 * so a model cannot pass the test by remembering requests; styles vary (polite, voice transcript
 * without punctuation, elderly and family callers, typos, traditional characters, full-width
 * digits, mixed concerns).
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { toCsv } from '../../../platform/csv.ts';
import { DEFAULT_TAXONOMY } from '../../taxonomy/taxonomy.default.ts';
import { rng } from '../linear.ts';
import {
  ASIDES,
  CALM_CLOSERS,
  CLOSERS,
  ESCALATIONS,
  FILLERS,
  IMMEDIATE_PHRASES,
  NEAR_MISSES,
  OPENERS,
  PROBLEMS,
  TIME_PHRASES,
  TOPICS,
  TOPIC_TEMPLATES,
  TYPOS,
  URGENT_CLOSERS,
} from './fragments.ts';

const SEED = 20251121;
const TRAIN_PER_SUB = 60;
const TEST_PER_SUB = 12;
const URGENCY: Readonly<Record<string, string>> = { c: 'critical', h: 'high', n: 'normal', l: 'low' };

type Split = 'train' | 'test';
const inSplit = (i: number, split: Split): boolean => (i % 5 === 4) === (split === 'test');
const pool = <T>(items: ReadonlyArray<T>, split: Split): T[] => items.filter((_, i) => inSplit(i, split));

export interface CorpusRow {
  text: string;
  category: string;
  subcategory: string;
  urgency: string;
}

interface Pools {
  openers: string[];
  times: string[];
  immediate: string[];
  closers: string[];
  urgentClosers: string[];
  calmClosers: string[];
  escalations: string[];
  asides: string[];
}

/**
 * Wrappers (openers, time phrases, closers, asides) are shared by both splits: they are the
 * same few hundred ways any caller starts and ends. What is held out is the content — the
 * problem lines — so the test measures whether unseen requests are understood.
 */
function pools(): Pools {
  return {
    openers: [...OPENERS],
    times: [...TIME_PHRASES],
    immediate: [...IMMEDIATE_PHRASES],
    closers: [...CLOSERS],
    urgentClosers: [...URGENT_CLOSERS],
    calmClosers: [...CALM_CLOSERS],
    escalations: [...ESCALATIONS],
    asides: [...ASIDES],
  };
}

function toTraditional(): (s: string) => string {
  const require = createRequire(import.meta.url);
  const opencc = require('opencc-js/cn2t') as {
    Converter: (o: { from: string; to: string }) => (s: string) => string;
  };
  return opencc.Converter({ from: 'cn', to: 'tw' });
}

/** Composes one resident message around a problem; returns the text and its urgency. */
function compose(
  problem: string,
  urgency: string,
  top: string,
  p: Pools,
  rand: () => number,
  cn2t: (s: string) => string,
): { text: string; urgency: string } {
  const pick = <T>(arr: ReadonlyArray<T>): T => arr[Math.floor(rand() * arr.length)] as T;
  const parts: string[] = [];
  let u = urgency;
  const short = rand() < 0.12;
  if (!short && rand() < 0.7) parts.push(pick(p.openers));
  if (u === 'critical') {
    if (rand() < 0.6) parts.push(pick(p.immediate));
  } else if (!short && rand() < 0.4) parts.push(pick(p.times));
  parts.push(problem);
  const canEscalate = top === 'basic_living' || top === 'health' || top === 'elderly_care';
  if (u === 'normal' && canEscalate && rand() < 0.1) {
    parts.push(pick(p.escalations));
    u = 'high';
  }
  if (!short && u !== 'critical' && rand() < 0.12) parts.push(pick(p.asides));
  if (!short) {
    if (u === 'critical') {
      if (rand() < 0.7) parts.push(pick(p.urgentClosers));
    } else if (u === 'low' && rand() < 0.4) parts.push(pick(p.calmClosers));
    else if (rand() < 0.6) parts.push(pick(p.closers));
  }
  const style = rand();
  let text: string;
  if (style < 0.3) {
    // Voice transcript: no punctuation, fillers, odd spaces.
    const words: string[] = [];
    for (const part of parts) {
      if (rand() < 0.35) words.push(pick(FILLERS));
      words.push(part);
    }
    text = words.join(rand() < 0.5 ? ' ' : '');
  } else if (style < 0.45) {
    text = parts.join(' ');
  } else {
    const end = u === 'critical' ? '！' : u === 'low' && rand() < 0.5 ? '？' : '。';
    text = parts.join('，') + end;
  }
  if (rand() < 0.12) {
    const present = TYPOS.filter(([from]) => text.includes(from));
    if (present.length > 0) {
      const [from, to] = pick(present);
      text = text.replace(from, to);
    }
  }
  if (rand() < 0.05) text = text.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
  if (rand() < 0.04) text = cn2t(text);
  return { text, urgency: u };
}

/** Builds both splits deterministically. */
export function generateCorpus(seed = SEED): { train: CorpusRow[]; test: CorpusRow[] } {
  const rand = rng(seed);
  const cn2t = toTraditional();
  const order = DEFAULT_TAXONOMY.flatMap((c) => (c.children ?? []).map((s) => s.code));
  const out: Record<Split, CorpusRow[]> = { train: [], test: [] };
  for (const split of ['train', 'test'] as const) {
    const p = pools();
    const seen = new Set<string>();
    for (const sub of order) {
      const problems = pool(PROBLEMS[sub] ?? [], split);
      if (problems.length === 0) throw new Error(`no ${split} problems for ${sub}`);
      const top = sub.slice(0, sub.indexOf('.'));
      const n = split === 'train' ? TRAIN_PER_SUB : TEST_PER_SUB;
      for (let r = 0; r < n; r++) {
        const line = problems[r % problems.length] as string;
        const urgency = URGENCY[line.slice(0, 1)];
        if (!urgency) throw new Error(`bad urgency in "${line}"`);
        for (let attempt = 0; attempt < 8; attempt++) {
          const row = compose(line.slice(2), urgency, top, p, rand, cn2t);
          if (seen.has(row.text)) continue;
          seen.add(row.text);
          out[split].push({ text: row.text, category: top, subcategory: sub, urgency: row.urgency });
          break;
        }
      }
    }
    if (split === 'train') {
      for (const [sub, line] of NEAR_MISSES) {
        const top = sub.slice(0, sub.indexOf('.'));
        for (let k = 0; k < 2; k++) {
          const row = compose(line.slice(2), URGENCY[line.slice(0, 1)] as string, top, p, rand, cn2t);
          if (seen.has(row.text)) continue;
          seen.add(row.text);
          out.train.push({ text: row.text, category: top, subcategory: sub, urgency: row.urgency });
        }
      }
      for (const sub of order) {
        const topics = TOPICS[sub] ?? [];
        const top = sub.slice(0, sub.indexOf('.'));
        topics.forEach((topic, i) => {
          for (const shift of [0, 5]) {
            const tpl = TOPIC_TEMPLATES[(i * 3 + shift + topics.length) % TOPIC_TEMPLATES.length] as string;
            let urgency = URGENCY[tpl.slice(0, 1)] as string;
            if (sub === 'safety_emergency.hazard' && urgency === 'normal') urgency = 'high';
            const row = compose(tpl.slice(2).replace('{}', topic), urgency, top, p, rand, cn2t);
            if (seen.has(row.text)) continue;
            seen.add(row.text);
            out.train.push({ text: row.text, category: top, subcategory: sub, urgency: row.urgency });
          }
        });
      }
    }
    // Shuffle so files are not grouped by label.
    const rows = out[split];
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [rows[i], rows[j]] = [rows[j] as CorpusRow, rows[i] as CorpusRow];
    }
  }
  return out;
}

function writeRows(file: string, rows: CorpusRow[]): void {
  writeFileSync(
    file,
    toCsv([
      ['text', 'category', 'subcategory', 'urgency'],
      ...rows.map((r) => [r.text, r.category, r.subcategory, r.urgency]),
    ]),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { train, test } = generateCorpus();
  writeRows(fileURLToPath(new URL('./train.csv', import.meta.url)), train);
  writeRows(fileURLToPath(new URL('./test.csv', import.meta.url)), test);
  process.stdout.write(`train.csv: ${train.length} rows, test.csv: ${test.length} rows\n`);
}

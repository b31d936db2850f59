/**
 * The `attribute[CODE]=v` and `attribute[CODE][]=v1&attribute[CODE][]=v2` fields of a POST, read
 * and checked against a category's extra questions. Pure.
 */
import type { CategoryQuestion } from './open311.types.ts';
import { onTheCalendar } from './open311.query.ts';
import { INT_MAX } from '../../platform/http/limits.ts';

export type Answer = string | number | string[];

const KEY = /^attribute\[([^\]]{1,64})\](\[\d*\])?$/;
const W3_DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Collects the raw attribute values of a form body by question code. */
export function readAttributeFields(body: Record<string, unknown>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, raw] of Object.entries(body)) {
    const m = KEY.exec(key);
    if (!m?.[1]) continue;
    const values = (Array.isArray(raw) ? raw : [raw]).map((v) => (typeof v === 'string' ? v : String(v)));
    const prior = out.get(m[1]) ?? [];
    out.set(m[1], [...prior, ...values]);
  }
  return out;
}

export interface AttributeCheck {
  answers: Record<string, Answer>;
  /** One message per problem, naming the field. */
  problems: string[];
}

/** Checks answers against the questions: known codes, required ones present, values of the right type. */
export function checkAttributes(
  questions: readonly CategoryQuestion[],
  fields: Map<string, string[]>,
  serviceCode: string,
): AttributeCheck {
  const answers: Record<string, Answer> = {};
  const problems: string[] = [];
  const byCode = new Map(questions.map((q) => [q.code, q]));
  for (const code of fields.keys()) {
    if (!byCode.has(code)) problems.push(`attribute[${code}]: service ${serviceCode} has no such attribute`);
  }
  for (const q of questions) {
    if (q.variable === false) continue;
    const field = `attribute[${q.code}]`;
    const values = (fields.get(q.code) ?? []).map((v) => v.trim()).filter((v) => v !== '');
    if (values.length === 0) {
      if (q.required) problems.push(`${field}: required by service ${serviceCode}`);
      continue;
    }
    const keys = new Set((q.values ?? []).map((v) => v.key));
    if (q.datatype === 'multivaluelist') {
      const bad = values.filter((v) => !keys.has(v));
      if (bad.length) problems.push(`${field}: ${bad.join(', ')} is not one of ${[...keys].join(', ')}`);
      else answers[q.code] = [...new Set(values)];
      continue;
    }
    if (values.length > 1) {
      problems.push(`${field}: takes one value, got ${values.length}`);
      continue;
    }
    const v = values[0] ?? '';
    switch (q.datatype) {
      case 'singlevaluelist':
        if (!keys.has(v)) problems.push(`${field}: ${v} is not one of ${[...keys].join(', ')}`);
        else answers[q.code] = v;
        break;
      case 'number':
        if (!NUMBER.test(v) || !Number.isFinite(Number(v))) problems.push(`${field}: expected a number`);
        else if (Math.abs(Number(v)) > INT_MAX)
          problems.push(`${field}: expected a number between -${INT_MAX} and ${INT_MAX}`);
        else answers[q.code] = Number(v);
        break;
      case 'datetime':
        if (!W3_DATETIME.test(v) || Number.isNaN(Date.parse(v)) || !onTheCalendar(v))
          problems.push(`${field}: expected an ISO 8601 date-time, e.g. 2026-11-20T08:30:00+08:00`);
        else answers[q.code] = v;
        break;
      case 'string':
        if (/[\r\n]/.test(v)) problems.push(`${field}: a string takes no line breaks`);
        else if (v.length > 1000) problems.push(`${field}: at most 1000 characters`);
        else answers[q.code] = v;
        break;
      case 'text':
        if (v.length > 4000) problems.push(`${field}: at most 4000 characters`);
        else answers[q.code] = v;
        break;
    }
  }
  return { answers, problems };
}

/** A readable line per answer, used when the client sends no description of its own. */
export function describeAnswers(
  questions: readonly CategoryQuestion[],
  answers: Record<string, Answer>,
  locale: 'zh' | 'en',
): string {
  const parts: string[] = [];
  for (const q of questions) {
    const a = answers[q.code];
    if (a === undefined) continue;
    const nameOf = (k: string) => q.values?.find((v) => v.key === k)?.label[locale] ?? k;
    const text = Array.isArray(a) ? a.map(nameOf).join('、') : typeof a === 'string' ? nameOf(a) : String(a);
    parts.push(`${q.label[locale]}：${text}`);
  }
  return parts.join('；');
}

/**
 * Live classification while someone types, when the server offers a classify route.
 * The answer's shape is read defensively: category, urgency, confidence and an explanation.
 */
import { useEffect, useState } from 'react';
import { api } from './api.ts';
import { useFeatures } from './features.ts';
import type { RouteInfo } from './features.ts';

export interface Suggestion {
  category: string;
  subcategory: string | null;
  urgency: string | null;
  confidence: number | null;
  explanation: string | null;
  needsTriage: boolean;
}

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

function explain(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    // Distinct terms, in the order given (the strongest first).
    const parts = v
      .map((x) =>
        typeof x === 'string'
          ? x
          : isJson(x)
            ? (str(x.term) ?? str(x.token) ?? str(x.feature) ?? str(x.word) ?? str(x.reason))
            : null,
      )
      .filter((x): x is string => x !== null);
    const distinct = [...new Set(parts)];
    return distinct.length ? distinct.slice(0, 5).join('、') : null;
  }
  if (isJson(v)) {
    for (const k of ['summary', 'text', 'reason']) if (typeof v[k] === 'string') return v[k];
    for (const k of ['terms', 'keywords', 'features', 'top', 'reasons', 'rules']) {
      const e = explain(v[k]);
      if (e) return e;
    }
  }
  return null;
}

function ruleName(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (isJson(v)) return str(v.name) ?? str(v.label) ?? str(v.id);
  return null;
}

/** Reads a classification answer (or an order's `classification`) into a suggestion. */
export function parseSuggestion(v: unknown): Suggestion | null {
  if (!isJson(v)) return null;
  const inner = isJson(v.prediction) ? v.prediction : isJson(v.classification) ? v.classification : v;
  const category = str(inner.category);
  if (!category) return null;
  const conf = typeof inner.confidence === 'number' ? inner.confidence : null;
  return {
    category,
    subcategory: str(inner.subcategory),
    urgency: str(inner.urgency),
    confidence: conf,
    explanation:
      ruleName(inner.rule) ??
      explain(inner.explanation ?? inner.explain ?? inner.reasons ?? inner.features ?? v.explanation),
    needsTriage: inner.needsTriage === true,
  };
}

function bodyFor(route: RouteInfo, text: string): Record<string, string> {
  const prop =
    ['text', 'description', 'message', 'content'].find((p) => route.bodyProps.includes(p)) ?? 'text';
  return { [prop]: text };
}

/** Debounced suggestion for `text` (null when no classify route exists or the text is short). */
export function useSuggestion(text: string, minLength = 4): { suggestion: Suggestion | null; busy: boolean } {
  const features = useFeatures();
  const [suggestion, setSuggestion] = useState<Suggestion | null>(null);
  const [busy, setBusy] = useState(false);
  const route = features?.classify ?? null;
  useEffect(() => {
    if (!route || text.trim().length < minLength) {
      setSuggestion(null);
      return;
    }
    const ctl = new AbortController();
    const id = setTimeout(() => {
      setBusy(true);
      api<unknown>(route.path, { method: 'POST', body: bodyFor(route, text.trim()), signal: ctl.signal })
        .then((r) => setSuggestion(parseSuggestion(r)))
        .catch(() => undefined)
        .finally(() => {
          if (!ctl.signal.aborted) setBusy(false);
        });
    }, 350);
    return () => {
      clearTimeout(id);
      ctl.abort();
    };
  }, [route, text, minLength]);
  return { suggestion, busy };
}

/** Ranked candidates for an order, when the matching module offers them (shape read defensively). */
import { api } from '../../lib/api.ts';
import type { RouteInfo } from '../../lib/features.ts';

export interface Candidate {
  /** The user id to dispatch to (null when the resource has no staff on the system). */
  assigneeId: string | null;
  name: string;
  kind: string;
  score: number | null;
  parts: [string, number][];
  reasons: string[];
}

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

const round = (n: number) => Math.round(n * 100) / 100;

function numbers(v: unknown): [string, number][] {
  if (isJson(v)) {
    const out: [string, number][] = [];
    for (const [k, x] of Object.entries(v)) {
      // Either a plain number or `{ value, weight, contribution, detail }`.
      if (typeof x === 'number') out.push([k, round(x)]);
      else if (isJson(x) && typeof x.contribution === 'number') out.push([k, round(x.contribution)]);
    }
    return out;
  }
  if (Array.isArray(v)) {
    const out: [string, number][] = [];
    for (const x of v as unknown[]) {
      if (!isJson(x)) continue;
      const k = str(x.name) ?? str(x.key) ?? str(x.factor) ?? str(x.label);
      const n =
        typeof x.value === 'number'
          ? x.value
          : typeof x.score === 'number'
            ? x.score
            : typeof x.contribution === 'number'
              ? x.contribution
              : null;
      if (k && n !== null) out.push([k, Math.round(n * 100) / 100]);
    }
    return out;
  }
  return [];
}

export function parseCandidates(payload: unknown): Candidate[] {
  const list: unknown[] = Array.isArray(payload)
    ? payload
    : isJson(payload)
      ? ((Array.isArray(payload.candidates)
          ? payload.candidates
          : Array.isArray(payload.items)
            ? payload.items
            : []) as unknown[])
      : [];
  const out: Candidate[] = [];
  for (const raw of list) {
    if (!isJson(raw)) continue;
    const nested = isJson(raw.resource) ? raw.resource : isJson(raw.user) ? raw.user : raw;
    const assigneeId =
      str(raw.assigneeId) ??
      str(raw.userId) ??
      str(nested.userId) ??
      str(nested.assigneeId) ??
      str(raw.id) ??
      str(nested.id);
    if (!assigneeId) continue;
    const reasons = Array.isArray(raw.reasons)
      ? (raw.reasons as unknown[]).filter((x): x is string => typeof x === 'string')
      : [];
    out.push({
      assigneeId,
      name: str(raw.name) ?? str(nested.name) ?? str(nested.displayName) ?? assigneeId,
      kind: str(raw.kind) ?? str(nested.kind) ?? str(raw.role) ?? str(nested.role) ?? '',
      score: typeof raw.score === 'number' ? raw.score : typeof raw.total === 'number' ? raw.total : null,
      parts: numbers(raw.parts ?? raw.breakdown ?? raw.components ?? raw.scoreParts ?? raw.explanation),
      reasons,
    });
  }
  return out;
}

export interface AutoSuggestion {
  assigneeName: string;
  reason: string;
}

export async function loadCandidates(
  route: RouteInfo,
  orderId: string,
): Promise<{ list: Candidate[]; suggestion: AutoSuggestion | null }> {
  const payload = await api<unknown>(route.path.replace('{id}', encodeURIComponent(orderId)));
  const sug = isJson(payload) && isJson(payload.suggestion) ? payload.suggestion : null;
  return {
    list: parseCandidates(payload),
    suggestion: sug ? { assigneeName: str(sug.assigneeName) ?? '', reason: str(sug.reason) ?? '' } : null,
  };
}

/** Ranked candidates for an order (GET /api/v1/work-orders/{id}/candidates), read for the dispatch board. */
import { api } from '../../lib/api.ts';
import type { RouteInfo } from '../../lib/features.ts';
import type { Lang } from '../../lib/i18n.ts';

export interface Candidate {
  /** The person to dispatch to: the team's on-duty member with the fewest open orders (null when it has nobody on the system). */
  assigneeId: string | null;
  /** Team (resource) and person, e.g. 桃源水电维修队 · 陈磊. */
  name: string;
  kind: string;
  score: number | null;
  /** Each part of the score and what it added. */
  parts: [string, number][];
  reasons: string[];
}

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const round = (n: number) => Math.round(n * 100) / 100;

const PART_NAMES: Record<Lang, Record<string, string>> = {
  zh: {
    category: '类别',
    keywords: '关键词',
    distance: '距离',
    capacity: '余量',
    openNow: '在岗',
    rating: '评价',
    fairness: '均衡',
  },
  en: {
    category: 'category',
    keywords: 'keywords',
    distance: 'distance',
    capacity: 'capacity',
    openNow: 'open now',
    rating: 'rating',
    fairness: 'fairness',
  },
};

interface Staff {
  userId: string;
  name: string;
  onDuty: boolean;
  openOrders: number;
}

function staffOf(v: unknown): Staff[] {
  if (!Array.isArray(v)) return [];
  const out: Staff[] = [];
  for (const s of v as unknown[]) {
    if (!isJson(s)) continue;
    const userId = str(s.userId);
    if (!userId) continue;
    out.push({
      userId,
      name: str(s.name) ?? userId,
      onDuty: s.onDuty === true,
      openOrders: typeof s.openOrders === 'number' ? s.openOrders : 0,
    });
  }
  return out;
}

/** The member a dispatcher would pick: on duty first, then the fewest open orders. */
function bestOf(staff: Staff[]): Staff | null {
  return (
    [...staff].sort((a, b) => Number(b.onDuty) - Number(a.onDuty) || a.openOrders - b.openOrders)[0] ?? null
  );
}

/** The ranked candidates of the API's answer (`candidates[]`: teams with their staff and score parts). */
export function parseCandidates(payload: unknown, lang: Lang = 'zh'): Candidate[] {
  const list = isJson(payload) && Array.isArray(payload.candidates) ? (payload.candidates as unknown[]) : [];
  const names = PART_NAMES[lang];
  const out: Candidate[] = [];
  for (const raw of list) {
    if (!isJson(raw)) continue;
    const team = str(raw.name) ?? str(raw.code) ?? '';
    const person = bestOf(staffOf(raw.staff));
    const parts: [string, number][] = [];
    if (isJson(raw.parts))
      for (const [k, x] of Object.entries(raw.parts))
        if (isJson(x) && typeof x.contribution === 'number')
          parts.push([names[k] ?? k, round(x.contribution)]);
    const reasons: string[] = [];
    if (typeof raw.distanceM === 'number')
      reasons.push(lang === 'zh' ? `距离 ${raw.distanceM} 米` : `${raw.distanceM} m away`);
    const matched = Array.isArray(raw.matchedKeywords)
      ? (raw.matchedKeywords as unknown[]).filter((k): k is string => typeof k === 'string')
      : [];
    if (matched.length) reasons.push(`${lang === 'zh' ? '匹配' : 'matched'}：${matched.join('、')}`);
    out.push({
      assigneeId: person?.userId ?? null,
      name: person ? `${team} · ${person.name}` : team,
      kind: str(raw.type) ?? '',
      score: typeof raw.score === 'number' ? raw.score : null,
      parts,
      reasons,
    });
  }
  return out;
}

/** A team the constraints left out, and why (a reason once, however many of its people it held for). */
export interface LeftOut {
  name: string;
  reasons: string[];
}

/** The teams left out (`rejected[]`, asked for with `includeRejected`). */
export function parseLeftOut(payload: unknown): LeftOut[] {
  const list = isJson(payload) && Array.isArray(payload.rejected) ? (payload.rejected as unknown[]) : [];
  const out: LeftOut[] = [];
  for (const raw of list) {
    if (!isJson(raw)) continue;
    const name = str(raw.name) ?? str(raw.code);
    if (!name) continue;
    const reasons = Array.isArray(raw.failures)
      ? [...new Set((raw.failures as unknown[]).map((f) => (isJson(f) ? str(f.message) : null)))].filter(
          (m): m is string => m !== null,
        )
      : [];
    out.push({ name, reasons });
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
  lang: Lang = 'zh',
): Promise<{ list: Candidate[]; suggestion: AutoSuggestion | null; leftOut: LeftOut[] }> {
  // With the teams left out: when no one can take the order, the panel says why.
  const payload = await api<unknown>(
    `${route.path.replace('{id}', encodeURIComponent(orderId))}?includeRejected=true`,
  );
  const sug = isJson(payload) && isJson(payload.suggestion) ? payload.suggestion : null;
  return {
    list: parseCandidates(payload, lang),
    leftOut: parseLeftOut(payload),
    suggestion: sug ? { assigneeName: str(sug.assigneeName) ?? '', reason: str(sug.reason) ?? '' } : null,
  };
}

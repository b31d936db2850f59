/**
 * Duplicate suggestions for a new order: which open orders look like the same problem, by
 * text, place and time. Pure; the caller selects the candidates (same community, open).
 *
 *   score = text × (0.4 + 0.35 × near + 0.25 × recent)
 *
 * text   = cosine similarity of character uni+bigram counts of the normalised texts (0–1);
 * near   = exp(−metres apart / distanceScaleM), 0.5 when either order has no location;
 * recent = exp(−hours apart / timeScaleHours).
 * Text gates the score: two unrelated orders at the same door are not duplicates.
 */
import { normalizeText } from './normalize.ts';
import { segmentUnits } from './features.ts';

export interface DuplicateQuery {
  text: string;
  lat?: number | null;
  lng?: number | null;
  createdAt: Date;
}

export interface DuplicateCandidate extends DuplicateQuery {
  id: string;
}

export interface DuplicateOptions {
  limit: number;
  minScore: number;
  distanceScaleM: number;
  timeScaleHours: number;
}

export const DEFAULT_DUPLICATE_OPTIONS: DuplicateOptions = {
  limit: 5,
  minScore: 0.3,
  distanceScaleM: 300,
  timeScaleHours: 72,
};

export interface DuplicateSuggestion {
  id: string;
  score: number;
  parts: { text: number; near: number; recent: number };
  distanceM: number | null;
  hoursApart: number;
}

/** Character unigram + bigram counts of normalised text (no n-gram crosses punctuation). */
export function charProfile(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const seg of segmentUnits(normalizeText(text))) {
    for (let i = 0; i < seg.length; i++) {
      const u = seg[i] as string;
      out.set(u, (out.get(u) ?? 0) + 1);
      if (i + 1 < seg.length) {
        const b = u + (seg[i + 1] as string);
        out.set(b, (out.get(b) ?? 0) + 2);
      }
    }
  }
  return out;
}

/** Cosine similarity of two count profiles. */
export function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [k, v] of a) {
    na += v * v;
    const w = b.get(k);
    if (w !== undefined) dot += v * w;
  }
  for (const v of b.values()) nb += v * v;
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** Great-circle distance in metres (haversine). */
export function haversineM(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const r = 6_371_000;
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * r * Math.asin(Math.min(1, Math.sqrt(h)));
}

function hasPoint(q: DuplicateQuery): q is DuplicateQuery & { lat: number; lng: number } {
  return typeof q.lat === 'number' && typeof q.lng === 'number';
}

/** Ranks candidate open orders by how likely they report the same problem as `order`. */
export function suggestDuplicates(
  order: DuplicateQuery,
  candidates: ReadonlyArray<DuplicateCandidate>,
  options: Partial<DuplicateOptions> = {},
): DuplicateSuggestion[] {
  const o = { ...DEFAULT_DUPLICATE_OPTIONS, ...options };
  const mine = charProfile(order.text);
  const round3 = (x: number): number => Math.round(x * 1000) / 1000;
  const out: DuplicateSuggestion[] = [];
  for (const c of candidates) {
    const text = cosine(mine, charProfile(c.text));
    const distanceM = hasPoint(order) && hasPoint(c) ? haversineM(order.lat, order.lng, c.lat, c.lng) : null;
    const near = distanceM === null ? 0.5 : Math.exp(-distanceM / o.distanceScaleM);
    const hoursApart = Math.abs(order.createdAt.getTime() - c.createdAt.getTime()) / 3_600_000;
    const recent = Math.exp(-hoursApart / o.timeScaleHours);
    const score = text * (0.4 + 0.35 * near + 0.25 * recent);
    if (score < o.minScore) continue;
    out.push({
      id: c.id,
      score: round3(score),
      parts: { text: round3(text), near: round3(near), recent: round3(recent) },
      distanceM: distanceM === null ? null : Math.round(distanceM),
      hoursApart: Math.round(hoursApart * 10) / 10,
    });
  }
  out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  return out.slice(0, o.limit);
}

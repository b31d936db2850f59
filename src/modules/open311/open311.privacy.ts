/**
 * What a public listing may show of an order's free text and location. Pure functions.
 * Free text is written by residents and staff; it can carry a phone number, an ID number, an
 * e-mail address or the name of the person concerned, so those are blanked before it leaves.
 */
import type { AddressPrecision } from './open311.types.ts';

const MASK = '***';
const PATTERNS: RegExp[] = [
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, // e-mail
  /(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])/g, // resident ID number (18)
  /(?<!\d)\d{15}(?!\d)/g, // old ID number (15)
  /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)/g, // mobile
  /(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)/g, // landline with area code
];

/** Blanks contact data and the given personal names in a text. */
export function scrubText(text: string, names: readonly (string | null | undefined)[] = []): string {
  let out = text;
  // Every pattern needs a digit or an @: most texts have neither and skip the work.
  if (/[\d@]/.test(out)) for (const re of PATTERNS) out = out.replace(re, MASK);
  for (const name of names) {
    // One-character names would blank ordinary words.
    const n = name?.trim();
    if (n && n.length >= 2 && out.includes(n)) out = out.split(n).join(MASK);
  }
  return out;
}

/** Drops everything after the last building marker (栋, 座, 号楼, 单元): the room identifies a household. */
export function buildingOf(address: string): string {
  const m = /^(.*?(?:号楼|栋|座|幢|单元))/.exec(address);
  if (m?.[1]) {
    // Keep up to the last marker, so "3栋2单元501" keeps "3栋2单元".
    const last = /^(.*(?:号楼|栋|座|幢|单元))/.exec(address);
    return (last?.[1] ?? m[1]).trim();
  }
  return address.replace(/[\s,，-]*\d+\s*(?:室|房|号房)?\s*$/, '').trim();
}

/** The part of an address before the first house or building number. */
export function streetOf(address: string): string {
  const i = address.search(/[0-9０-９]/);
  const s = (i === -1 ? address : address.slice(0, i)).replace(/[\s,，-]+$/, '').trim();
  return s;
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export interface PublicLocation {
  address: string | null;
  lat: number | null;
  long: number | null;
}

/** Coarsens an order's location to a category's precision. */
export function coarsen(
  precision: AddressPrecision,
  loc: { address: string | null; lat: number | null; lng: number | null },
  community: { name: string; lat: number; lng: number },
): PublicLocation {
  const hasPoint = loc.lat !== null && loc.lng !== null;
  switch (precision) {
    case 'exact':
      return { address: loc.address, lat: loc.lat, long: loc.lng };
    case 'building':
      return {
        address: loc.address === null ? null : buildingOf(loc.address),
        lat: hasPoint && loc.lat !== null ? round(loc.lat, 4) : null,
        long: hasPoint && loc.lng !== null ? round(loc.lng, 4) : null,
      };
    case 'street':
      return {
        address: loc.address === null ? null : streetOf(loc.address) || community.name,
        lat: hasPoint && loc.lat !== null ? round(loc.lat, 3) : null,
        long: hasPoint && loc.lng !== null ? round(loc.lng, 3) : null,
      };
    case 'community':
      return { address: community.name, lat: community.lat, long: community.lng };
    case 'hidden':
      return { address: null, lat: null, long: null };
  }
}

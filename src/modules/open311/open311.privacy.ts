/**
 * What a public listing may show of an order's free text and location. Pure functions. Free
 * text has its contact data and the names of the people concerned blanked (`scrubText`, shared
 * with the staff presenters) before it leaves.
 */
import type { AddressPrecision } from './open311.types.ts';

export { scrubText } from '../../platform/auth/text-privacy.ts';

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

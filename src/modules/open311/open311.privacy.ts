/**
 * What a public listing may show of an order's free text and location. Pure functions. Free
 * text has its contact data and the names of the people concerned blanked (`scrubText`, shared
 * with the staff presenters) before it leaves.
 */
import type { AddressPrecision } from './open311.types.ts';
import { blankOwnNumbers, scrubText } from '../../platform/auth/text-privacy.ts';

export { scrubText };

/** Whom an order's public text must not name: its reporter and beneficiary, and the reporter's phone. */
export interface PrivatePerson {
  names: readonly (string | null | undefined)[];
  numbers: readonly (string | null | undefined)[];
}

const LATIN_NAME = /^[A-Za-z][A-Za-z' .-]*$/;

/**
 * Public text of an order: contact data and the names of the people concerned blanked (`scrubText`),
 * a name in Latin letters also by each of its words (John Smith: "Smith", "John"), and the
 * reporter's own phone however it is written (+852 9123 4567, 852-9123-4567, in full-width or
 * Chinese numerals), which the general patterns, made for mainland numbers, do not all know.
 */
export function scrubPublic(text: string, who: PrivatePerson): string {
  let out = scrubText(text, who.names);
  for (const name of who.names) {
    const words = latinWords(name?.trim() ?? '');
    if (words) out = out.replace(words, '***');
  }
  return blankOwnNumbers(out, who.numbers);
}

const latinWordsCache = new Map<string, RegExp | null>();

/** A Latin name's words of two letters or more, as whole words in any case; null for other names. */
function latinWords(name: string): RegExp | null {
  let re = latinWordsCache.get(name);
  if (re !== undefined) return re;
  const words = LATIN_NAME.test(name) ? name.split(/[\s.]+/).filter((w) => w.length >= 2) : [];
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  re = escaped.length ? new RegExp(`(?<![A-Za-z])(?:${escaped.join('|')})(?![A-Za-z])`, 'gi') : null;
  if (latinWordsCache.size < 4096) latinWordsCache.set(name, re);
  return re;
}

// Digits as addresses write them: ASCII, full-width, Chinese numerals (五, 五零一, 十二, 两).
const DIGIT = '[0-9０-９零〇○一二三四五六七八九十百千两幺]';
// A household's own part: a room (501室, 五零一房, 3号房, 501户, 房间), a floor (5层, 五楼 after a building).
const ROOM = new RegExp(`[-－#]?${DIGIT}+\\s*(?:室|房间|号房|房|户)`, 'g');
const BUILDING_MARKER = '(?:号楼|栋|座|幢|单元)';
const UP_TO_LAST_BUILDING = new RegExp(`^(.*${BUILDING_MARKER})`);
const TRAILING_NUMBER = new RegExp(`[\\s,，\\-－#]*${DIGIT}+\\s*(?:室|房|号房|户)?\\s*$`);
const FIRST_NUMBER = new RegExp(
  `[0-9０-９]|[零〇○一二三四五六七八九十百千两幺]+\\s*(?:号|栋|座|幢|单元|楼|层|室|房|户|弄|巷|排|组)`,
);

/**
 * An address to its building: a room anywhere in it is dropped (501室 桃源村5栋, 桃源村五号五零一室),
 * then everything after the last building marker (栋, 座, 号楼, 幢, 单元), or, with none, the number
 * it ends with (桃源村5号501 → 桃源村5号).
 */
export function buildingOf(address: string): string {
  const noRoom = address.replace(ROOM, ' ').replace(/\s+/g, ' ').trim();
  const last = UP_TO_LAST_BUILDING.exec(noRoom);
  if (last?.[1]) return last[1].trim();
  return noRoom
    .replace(TRAILING_NUMBER, '')
    .replace(/[\s,，\-－]+$/, '')
    .trim();
}

/**
 * The part of an address before its first house or building number: an Arabic or full-width
 * digit, or Chinese numerals followed by a marker of a number (五栋, 十二号, 三单元, 五零一室).
 * Chinese numerals in a name stay (十里堡, 三里屯路).
 */
export function streetOf(address: string): string {
  const i = address.search(FIRST_NUMBER);
  return (i === -1 ? address : address.slice(0, i)).replace(/[\s,，\-－#]+$/, '').trim();
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

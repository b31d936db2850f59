/**
 * Erasing a resident's personal data (个人信息删除, PIPL art. 47), as pure functions: what goes
 * from the resident's record, and how the free text of their orders is anonymised. The record
 * stays as a tombstone and the orders stay, so counts, dashboards, SLA figures and the audit
 * chain (which holds ids and digests, never personal data) are unchanged; what could identify the
 * person goes: name, phone, ID number, birth year, emergency contact, special groups, household,
 * and their name and every phone, ID number and e-mail address in the text of their orders.
 */
import { ALL_CONTACTS, scrubText } from '../../platform/auth/text-privacy.ts';

/** Why a record is erased: said in the audit entry (a code, never free text, so no personal data). */
export const ERASURE_REASONS = [
  'resident_request',
  'consent_withdrawn',
  'deceased',
  'moved_away',
  'duplicate_record',
  'purpose_fulfilled',
] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];

/** The name an erased record shows (the record's id still tells records apart). */
export const ERASED_NAME = '已删除居民';

/** Who is being erased, as their text may name them. */
export interface ErasedPerson {
  id: string;
  name: string;
  phone: string | null;
  idNumber: string | null;
  emergencyContactName: string | null;
  emergencyContactPhone: string | null;
}

/** The record's columns after erasure: every personal field cleared. */
export function erasedRecord(at: string) {
  return {
    name: ERASED_NAME,
    phone: null,
    id_number: null,
    birth_year: null,
    tags_json: '[]',
    tags_consent: 0,
    emergency_contact_name: null,
    emergency_contact_phone: null,
    preferred_channel: null,
    household_id: null,
    household_since: null,
    erased_at: at,
  };
}

/**
 * A text about the person, anonymised: every phone, ID number and e-mail address (also typed in
 * full-width or look-alike forms), and the person's and their emergency contact's names as people
 * write them (王秀英, 王阿姨, 秀英奶奶, 老王), become ***. Contact data of anyone is blanked, not only
 * the person's: in the text of their orders it is there to reach them or their family.
 */
export function anonymise<T extends string | null>(text: T, who: ErasedPerson): T {
  if (text === null || text === '') return text;
  let out = scrubText(text, [who.name, who.emergencyContactName], ALL_CONTACTS);
  // Her own numbers wherever they stand, also run into other digits (the patterns want a number
  // to stand alone: 1380000000112 is no phone to them), in ASCII or full-width digits.
  for (const n of [who.phone, who.idNumber, who.emergencyContactPhone]) {
    const re = n ? numberPattern(n) : null;
    if (re) out = out.replace(re, '***');
  }
  return out as T;
}

const numberPatterns = new Map<string, RegExp>();
/** A number's digits, each as ASCII or full-width (X of an ID number either case, either width). */
function numberPattern(n: string): RegExp | null {
  const digits = n.replace(/[^0-9Xx]/g, '');
  if (digits.length < 7) return null;
  let re = numberPatterns.get(digits);
  if (!re) {
    re = new RegExp(
      [...digits]
        .map((d) => (/[Xx]/.test(d) ? '[XxＸｘ]' : `[${d}${String.fromCharCode(0xff10 + Number(d))}]`))
        .join(''),
      'g',
    );
    if (numberPatterns.size < 1024) numberPatterns.set(digits, re);
  }
  return re;
}

/** A JSON document's string values anonymised (an order's intake answers); null when nothing changes. */
export function anonymiseJson(json: string | null, who: ErasedPerson): string | null {
  if (json === null) return null;
  let changed = false;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const a = anonymise(v, who);
      if (a !== v) changed = true;
      return a;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  const out = JSON.stringify(walk(parsed));
  return changed ? out : null;
}

/** The free-text columns of an order that erasure reads. */
export interface OrderText {
  description: string;
  reporter_type: string;
  reporter_id: string | null;
  reporter_name: string | null;
  reporter_phone: string | null;
  resolution_note: string | null;
  rating_comment: string | null;
  closure_reason: string | null;
  referred_to: string | null;
  attributes_json: string | null;
}

/**
 * What changes in one of the person's orders: the columns whose text changes (only those), and
 * their names. The reporter's name and phone go when the person reported it, or when they are the
 * person's (a call taken by an agent): someone else who reported for them keeps theirs.
 */
export function anonymisedOrder(o: OrderText, who: ErasedPerson): Partial<OrderText> {
  const set: Partial<OrderText> = {};
  const text = (
    k: 'description' | 'resolution_note' | 'rating_comment' | 'closure_reason' | 'referred_to',
  ) => {
    const v = o[k];
    const a = anonymise(v, who);
    if (a !== v) (set as Record<string, string | null>)[k] = a;
  };
  text('description');
  text('resolution_note');
  text('rating_comment');
  text('closure_reason');
  text('referred_to');
  const attributes = anonymiseJson(o.attributes_json, who);
  if (attributes !== null) set.attributes_json = attributes;
  const theirs =
    (o.reporter_type === 'resident' && o.reporter_id === who.id) ||
    (who.phone !== null && o.reporter_phone === who.phone) ||
    (o.reporter_name !== null && o.reporter_name.trim() === who.name);
  if (theirs) {
    if (o.reporter_name !== null) set.reporter_name = null;
    if (o.reporter_phone !== null) set.reporter_phone = null;
  }
  return set;
}

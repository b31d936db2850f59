/**
 * Erasing a resident's personal data (个人信息删除, PIPL art. 47), as pure functions: what goes
 * from the resident's record, and how the free text of their orders is anonymised. The record
 * stays as a tombstone and the orders stay, so counts, dashboards, SLA figures and the audit
 * chain (which holds ids and digests, never personal data) are unchanged; what could identify the
 * person goes: name, phone, ID number, birth year, emergency contact, special groups, household,
 * and their name (and any name they had before a rename) and every phone, ID number and e-mail
 * address in the text of their orders.
 */
import { ALL_CONTACTS, blankOwnNumbers, scrubText } from '../../platform/auth/text-privacy.ts';

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
  /** Names they had before a rename: text written before it names them so. */
  formerNames: readonly string[];
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
 * full-width or look-alike forms), and the person's names (today's and those they had before a
 * rename) and their emergency contact's as people write them (王秀英, 王阿姨, 秀英奶奶, 老王), become
 * ***. Contact data of anyone is blanked, not only the person's: in the text of their orders it
 * is there to reach them or their family.
 */
export function anonymise<T extends string | null>(text: T, who: ErasedPerson): T {
  if (text === null || text === '') return text;
  const own = namesOf(who);
  let out = scrubText(text, [...own, contactName(who.emergencyContactName)], ALL_CONTACTS);
  // Each name with something between its characters (王 秀英, 王·秀英).
  for (const name of own) {
    const spaced = spacedName(name);
    if (spaced) out = out.replace(spaced, '***');
  }
  // Her own numbers however they are written: with spaces, dots or dashes between the digits, in
  // full-width digits or Chinese numerals (一三八…, 幺三八…), a landline also without its area
  // code. Only where a number stands alone: run into other digits it is another number
  // (订单号 20261380000000123 is not her phone).
  return blankOwnNumbers(out, [who.phone, who.idNumber, who.emergencyContactPhone]) as T;
}

/**
 * The person's names, today's and former, longest first: a name inside a longer one (王秀 in
 * 王秀英) blanked first would leave the rest of the longer one standing.
 */
function namesOf(who: ErasedPerson): string[] {
  const names = [...new Set([who.name, ...who.formerNames].map((n) => n.trim()).filter((n) => n !== ''))];
  return names.sort((a, b) => [...b].length - [...a].length);
}

/** Words for a relation that an emergency contact's "name" often is (女儿, 家属): not a name to blank. */
const RELATION_WORDS = new Set(
  '女儿 儿子 儿媳 女婿 家属 家人 老伴 爱人 丈夫 妻子 孙子 孙女 外孙 外孙女 侄子 侄女 亲属 亲戚 邻居 朋友 同事 母亲 父亲 妈妈 爸爸 哥哥 姐姐 弟弟 妹妹'.split(
    ' ',
  ),
);
function contactName(name: string | null): string | null {
  const n = name?.trim() ?? '';
  return n && !RELATION_WORDS.has(n) ? n : null;
}

const SEPARATOR = '[\\s\\u00b7\\u30fb.\\-－—·]';
function spacedName(name: string): RegExp | null {
  const chars = [...name.trim()];
  if (chars.length < 2 || chars.length > 4 || !chars.every((c) => /[\u4e00-\u9fff]/.test(c))) return null;
  return new RegExp(chars.join(`${SEPARATOR}{0,2}`), 'g');
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
    (o.reporter_name !== null && namesOf(who).includes(o.reporter_name.trim()));
  if (theirs) {
    if (o.reporter_name !== null) set.reporter_name = null;
    if (o.reporter_phone !== null) set.reporter_phone = null;
  }
  return set;
}

/**
 * Which personal data a viewer may see unmasked. Pure: the presenter asks, the table answers.
 * phone — to call the resident back or reach them on site; idNumber — only for paperwork at
 * the window or hotline; tags (special groups, health) — for staff who must weigh priority or
 * care for the person, and only when the resident consented.
 */
import type { Principal, StaffRole } from './principal.ts';
import { ALL_CONTACTS, scrubText } from './text-privacy.ts';

export type PersonalField = 'phone' | 'idNumber' | 'tags';

const UNMASKED: Record<StaffRole, readonly PersonalField[]> = {
  agent: ['phone', 'idNumber', 'tags'],
  dispatcher: ['phone', 'tags'],
  grid_worker: ['phone', 'tags'],
  provider: ['phone', 'tags'],
  manager: [],
  auditor: [],
  admin: ['phone', 'idNumber', 'tags'],
};

export function maySee(viewer: Principal, field: PersonalField, opts: { self?: boolean } = {}): boolean {
  if (opts.self) return true;
  if (viewer.kind === 'user') return UNMASKED[viewer.role].includes(field);
  return viewer.kind === 'system';
}

/** 138****0001 */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return phone;
  if (phone.length < 7) return '*'.repeat(phone.length);
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

/** 王** : the family name only (by code point, so a rare character is not split). */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : `${chars[0] ?? ''}${'*'.repeat(chars.length - 1)}`;
}

/** 4403**********1234 */
export function maskIdNumber(id: string | null): string | null {
  if (!id) return id;
  if (id.length < 8) return '*'.repeat(id.length);
  return `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;
}

/** w***@example.com */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '*'.repeat(email.length);
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

/**
 * Free text as a viewer may read it: the phone numbers, e-mail addresses and ID numbers typed
 * into it blanked unless the viewer's role may see them (or it is about the viewer).
 */
export function freeTextFor(viewer: Principal, self = false): <T extends string | null>(t: T) => T {
  const hidden = ALL_CONTACTS.filter(
    (k) => !maySee(viewer, k === 'idNumber' ? 'idNumber' : 'phone', { self }),
  );
  return <T extends string | null>(t: T): T =>
    hidden.length === 0 || t === null ? t : (scrubText(t, [], hidden) as T);
}

/**
 * Whether the viewer reads free text whole (no contact data blanked for them). Whoever does not
 * searches orders' text with that data blanked too: a search that matched the hidden digits would
 * tell them, one query at a time, what the blanks hold.
 */
export function readsAllContacts(viewer: Principal): boolean {
  return maySee(viewer, 'phone') && maySee(viewer, 'idNumber');
}

/** Keys of a step's or a message's data that hold words a person typed (the rest are ids, numbers and codes). */
const FREE_TEXT_DATA = new Set(['referredTo', 'reason', 'comment', 'note', 'response', 'description']);

/** Data of a step or a message, the words typed into it as the viewer may read them (changed in place). */
export function freeTextData(
  data: Record<string, unknown>,
  text: (t: string) => string,
): Record<string, unknown> {
  for (const [k, v] of Object.entries(data))
    if (FREE_TEXT_DATA.has(k) && typeof v === 'string') data[k] = text(v);
  return data;
}

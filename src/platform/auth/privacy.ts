/**
 * Which personal data a viewer may see unmasked. Pure: the presenter asks, the table answers.
 * phone — to call the resident back or reach them on site; idNumber — only for paperwork at
 * the window or hotline; tags (special groups, health) — for staff who must weigh priority or
 * care for the person, and only when the resident consented.
 */
import type { Principal, StaffRole } from './principal.ts';

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

/**
 * Report drafts, kept on the phone per resident: a draft survives a reload and signing out (the
 * resident is told), and on a shared phone the next resident starts with an empty form.
 */
import type { NewOrder } from '../lib/types.ts';

export interface Draft {
  description: string;
  /** Selector value: [] means "decide for me". */
  category: string[];
  forWhom: 'self' | 'family';
  memberId: string;
  relation: string;
  address: string;
}

const DRAFTS_KEY = 'linli.drafts';
/** Where one draft was kept before drafts were kept per resident. */
const OLD_DRAFT_KEY = 'linli.draft';
export const EMPTY: Draft = {
  description: '',
  category: [],
  forWhom: 'self',
  memberId: '',
  relation: '',
  address: '',
};
type Saved = Partial<Draft> & { owner?: string };

function readDrafts(): Record<string, Saved> {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(DRAFTS_KEY) ?? '{}');
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, Saved>) : {};
  } catch {
    return {};
  }
}

/**
 * A draft is the resident's own: kept per resident, also over signing out (they are told), so on
 * a shared phone the next resident starts with an empty form and the first finds theirs again.
 */
export function loadDraft(owner: string): Draft {
  try {
    let saved: Saved | undefined = readDrafts()[owner];
    if (!saved) {
      const raw = localStorage.getItem(OLD_DRAFT_KEY);
      const old = raw ? (JSON.parse(raw) as Saved) : undefined;
      if (old?.owner === owner) saved = old;
    }
    const { owner: _owner, ...fields } = saved ?? {};
    const d = { ...EMPTY, ...fields };
    return { ...d, category: Array.isArray(d.category) ? d.category : [] };
  } catch {
    return EMPTY;
  }
}

/** True when this resident has started a report and not sent it. */
export function hasDraft(owner: string): boolean {
  return (loadDraft(owner).description ?? '').trim() !== '';
}

export function saveDraft(d: Draft | null, owner: string): void {
  try {
    const all = readDrafts();
    if (d) all[owner] = d;
    else delete all[owner];
    localStorage.setItem(DRAFTS_KEY, JSON.stringify(all));
    localStorage.removeItem(OLD_DRAFT_KEY);
  } catch {
    // Storage unavailable: the draft lives as long as the page.
  }
}

/**
 * Puts a report the server refused back into the resident's draft, to be rewritten (its photos
 * are not kept in a draft).
 */
export function draftFrom(owner: string, body: NewOrder): void {
  saveDraft(
    {
      ...EMPTY,
      description: body.description,
      category: body.category ? [body.category] : [],
      forWhom: body.residentId ? 'family' : 'self',
      memberId: body.residentId ?? '',
      relation: body.reporter?.relation ?? '',
      address: body.address ?? '',
    },
    owner,
  );
}

import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { OPEN_STATUSES } from './work-order.machine.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import {
  freeTextData,
  freeTextFor,
  maskEmail,
  maskName,
  maskPhone,
  maySee,
} from '../../platform/auth/privacy.ts';
import type { WorkOrderRow, WorkOrderEventRow } from './work-order.repository.ts';
import { residentsByIds, usersByIds } from './work-order.repository.ts';
import type { WorkOrderView } from './work-order.schema.ts';
import type { Status } from './work-order.machine.ts';
import type { Action } from './work-order.machine.ts';
import { defaultPrioritize } from './work-order.defaults.ts';
import { stillSuspected } from './work-order.understanding.ts';

type Resident = Awaited<ReturnType<typeof residentsByIds>>[number];
type User = Awaited<ReturnType<typeof usersByIds>>[number];

export interface PresentContext {
  residents: Map<string, Resident>;
  users: Map<string, User>;
}

/** Loads, in two queries, the people a page of orders refers to. */
export async function loadContext(db: Kysely<DB>, orders: WorkOrderRow[]): Promise<PresentContext> {
  const residentIds = [...new Set(orders.map((o) => o.beneficiary_id).filter((x): x is string => !!x))];
  const userIds = [...new Set(orders.map((o) => o.assignee_id).filter((x): x is string => !!x))];
  const [residents, users] = await Promise.all([residentsByIds(db, residentIds), usersByIds(db, userIds)]);
  return { residents: new Map(residents.map((r) => [r.id, r])), users: new Map(users.map((u) => [u.id, u])) };
}

const OPEN = new Set(['submitted', 'accepted', 'dispatched', 'in_progress', 'waiting_on_resident']);
/** The more urgent of two bands (P1 is the most urgent). */
const bandOf = (a: string, b: string) => (a < b ? a : b);

const isSelf = (viewer: Principal, residentId: string | null) =>
  viewer.kind === 'resident' && viewer.id === residentId;

/** Every string in an answer (at any depth) as the viewer may read free text. */
function textValues(v: unknown, text: (t: string) => string): unknown {
  if (typeof v === 'string') return text(v);
  if (Array.isArray(v)) return v.map((x) => textValues(x, text));
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, textValues(x, text)]));
  return v;
}

/**
 * The order's answers as stored, with the contact data typed into them (a callback number, an
 * e-mail address) blanked like in any free text for viewers who may not see it, and the contact
 * details an Open311 client sent beside them (`_open311`: e-mail, device and account ids)
 * masked like a phone.
 */
function presentAttributes(
  json: string,
  contactsVisible: boolean,
  text: (t: string) => string,
): Record<string, unknown> {
  const { _open311: meta, ...answers } = JSON.parse(json) as Record<string, unknown>;
  const shown = textValues(answers, text) as Record<string, unknown>;
  if (meta === undefined) return shown;
  if (contactsVisible || typeof meta !== 'object' || meta === null) return { ...shown, _open311: meta };
  const masked: Record<string, unknown> = { ...(meta as Record<string, unknown>) };
  if (typeof masked.email === 'string') masked.email = maskEmail(masked.email);
  for (const k of ['device_id', 'account_id'])
    if (typeof masked[k] === 'string') masked[k] = '*'.repeat(Math.min(8, (masked[k] as string).length));
  return { ...shown, _open311: masked };
}

/**
 * The stored classification as a staff viewer may read it. Its priority parts include the weight
 * of the beneficiary's special groups (living alone, illness, disability…), which tells what the
 * groups are: only viewers who may see those groups get them.
 */
function presentClassification(json: string, tagsVisible: boolean): Record<string, unknown> {
  const c = JSON.parse(json) as Record<string, unknown>;
  if (tagsVisible) return c;
  const { priorityParts: _hidden, ...rest } = c;
  return rest;
}

/** Categories whose service depends on the person's health or situation (care, not repairs). */
const CARE_CATEGORIES = new Set(['health', 'elderly_care', 'safety_emergency']);

/**
 * A provider sees the special groups (illness, disability, living alone) of the person an order is
 * for only where the service depends on them, care rather than a repair, and only while the
 * order is open: the plumber mending a tap does not need to know of a chronic illness, and no
 * provider needs it once the work is done. Other roles by the privacy table alone.
 */
function providerNeedsGroups(viewer: Principal, o: WorkOrderRow): boolean {
  if (viewer.kind !== 'user' || viewer.role !== 'provider') return true;
  return CARE_CATEGORIES.has(o.category) && (OPEN_STATUSES as readonly string[]).includes(o.status);
}

/**
 * What a viewer sees of an order: personal data masked unless their role needs it, also where
 * it was typed into free text (a callback number in the description); internal notes for staff only.
 */
export function presentOrder(
  viewer: Principal,
  o: WorkOrderRow,
  ctx: PresentContext,
  allowed: Action[],
  extras: {
    timeline?: WorkOrderEventRow[];
    photos?: { id: string; content_type: string; size_bytes: number }[];
    /** When given, open orders also show their priority now, waiting time included. */
    now?: Date;
    /** The order's repeat reports (merged duplicates, "not fixed" reopens), counted in the priority now. */
    repeats?: number;
  } = {},
): WorkOrderView {
  const ben = o.beneficiary_id ? ctx.residents.get(o.beneficiary_id) : undefined;
  const self = isSelf(viewer, o.beneficiary_id);
  const reporterSelf =
    viewer.kind === 'resident' && o.reporter_type === 'resident' && viewer.id === o.reporter_id;
  const assignee = o.assignee_id ? ctx.users.get(o.assignee_id) : undefined;
  const isStaff = viewer.kind === 'user' || viewer.kind === 'system';
  const text = freeTextFor(viewer, self || reporterSelf);
  const tagsVisible = maySee(viewer, 'tags', { self }) && providerNeedsGroups(viewer, o);
  const view: WorkOrderView = {
    id: o.id,
    number: o.number,
    communityId: o.community_id,
    gridId: o.grid_id,
    channel: o.channel,
    status: o.status as Status,
    category: o.category,
    subcategory: o.subcategory,
    urgency: o.urgency,
    priority: o.priority,
    // The score adds the special groups' weight to the urgency's: shown to whoever may see the groups.
    priorityScore: tagsVisible ? o.priority_score : null,
    description: text(o.description),
    address: o.address,
    location: o.lat !== null && o.lng !== null ? { lat: o.lat, lng: o.lng } : null,
    reporter: {
      type: o.reporter_type,
      id: isStaff || reporterSelf ? o.reporter_id : null,
      name: o.reporter_name,
      phone: maySee(viewer, 'phone', { self: reporterSelf }) ? o.reporter_phone : maskPhone(o.reporter_phone),
    },
    beneficiary: ben
      ? {
          id: ben.id,
          // An integration (an SOS device filing for its wearer) is not told who the person is.
          name: viewer.kind === 'api_key' ? maskName(ben.name) : ben.name,
          phone: maySee(viewer, 'phone', { self }) ? ben.phone : maskPhone(ben.phone),
          tags:
            tagsVisible && (ben.tags_consent === 1 || self) ? (JSON.parse(ben.tags_json) as string[]) : null,
        }
      : null,
    proxy: o.is_proxy === 1,
    assignee: assignee ? { id: assignee.id, name: assignee.display_name, role: assignee.role } : null,
    resolutionNote: text(o.resolution_note),
    rating: o.rating,
    ratingComment: text(o.rating_comment),
    closureReason: text(o.closure_reason),
    referredTo: text(o.referred_to),
    mergedInto: o.merged_into,
    reopenCount: o.reopen_count,
    // The model's reasoning is for staff; residents see the outcome.
    classification:
      isStaff && o.classification_json ? presentClassification(o.classification_json, tagsVisible) : null,
    attributes: o.attributes_json
      ? presentAttributes(o.attributes_json, maySee(viewer, 'phone', { self: self || reporterSelf }), text)
      : null,
    version: o.version,
    createdAt: o.created_at,
    updatedAt: o.updated_at,
    acceptedAt: o.accepted_at,
    dispatchedAt: o.dispatched_at,
    resolvedAt: o.resolved_at,
    closedAt: o.closed_at,
    allowedActions: allowed,
  };
  if (extras.now && isStaff && OPEN.has(o.status)) {
    const tags = ben && ben.tags_consent === 1 ? (JSON.parse(ben.tags_json) as string[]) : [];
    const waitingHours = (extras.now.getTime() - new Date(o.created_at).getTime()) / 3_600_000;
    // The whole formula, as the stored priority was computed at the last repeat: without the
    // repeats, a low order reopened three times showed P4 however long it waited.
    const p = defaultPrioritize({
      urgency: o.urgency,
      tags,
      repeatCount: extras.repeats ?? 0,
      waitingHours,
      suspectedEmergency: stillSuspected(o),
    });
    view.priorityNow = {
      score: tagsVisible ? Math.max(o.priority_score, Math.round(p.score)) : null,
      band: bandOf(o.priority, p.band),
    };
  }
  if (extras.timeline) {
    // Outside staff, an internal step that changed the status (a dispatch, a rejection) still
    // shows as a step, so the timeline agrees with the status; its note and actor stay inside.
    view.timeline = extras.timeline
      .filter(
        (e) =>
          isStaff || e.visibility === 'public' || (e.to_status !== null && e.to_status !== e.from_status),
      )
      .map((e) => ({
        id: e.id,
        type: e.type,
        fromStatus: e.from_status,
        toStatus: e.to_status,
        actor: { type: e.actor_type, name: isStaff || e.actor_type === 'resident' ? e.actor_name : null },
        note: isStaff || e.visibility === 'public' ? text(e.note) : null,
        // What a resident sees of a step is public; staff see which steps are internal.
        visibility: isStaff && e.visibility === 'internal' ? 'internal' : 'public',
        data:
          isStaff && e.data_json
            ? freeTextData(JSON.parse(e.data_json) as Record<string, unknown>, text)
            : null,
        at: e.created_at,
      }));
  }
  if (extras.photos) {
    view.photos = extras.photos.map((p) => ({
      id: p.id,
      contentType: p.content_type,
      size: p.size_bytes,
      url: `/api/v1/work-orders/${o.id}/photos/${p.id}`,
    }));
  }
  return view;
}

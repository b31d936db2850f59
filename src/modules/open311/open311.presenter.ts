/**
 * What an Open311 client sees. Public by design: never the reporter's name, phone or e-mail,
 * never a beneficiary's special-group data, free text scrubbed of contact data, locations
 * coarsened per category. Pure: every lookup is handed in.
 */
import { zoneFor } from '../sla/zone.ts';
import { publicUpdatedAt } from './open311.repository.ts';
import type { RequestRow } from './open311.repository.ts';
import { CLOSED_STATUSES } from './open311.query.ts';
import { coarsen, scrubPublic, type PrivatePerson } from './open311.privacy.ts';
import type { CategoryQuestion, Locale, ServiceEntry } from './open311.types.ts';
import { MAX_DESCRIPTION } from './open311.intake.ts';
import type {
  AttributeView,
  RequestUpdateView,
  RequestView,
  ServiceDefinitionView,
  ServiceView,
} from './open311.schema.ts';

export interface CommunityInfo {
  id: string;
  code: string;
  name: string;
  nameEn: string;
  lat: number;
  lng: number;
  timeZone: string;
  hotline: string | null;
}

const HALF_HOUR_MS = 1_800_000;
const DAY_MS = 86_400_000;
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const offsets = new Map<string, Map<number, number>>();
const days = new Map<number, string>();
const suffixes = new Map<number, string>();

/** The zone's UTC offset for the half hour holding `ms` (offsets change on such boundaries; cached). */
function offsetOf(timeZone: string, ms: number): number {
  let zone = offsets.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsets.set(timeZone, zone);
  }
  const bucket = Math.floor(ms / HALF_HOUR_MS);
  let off = zone.get(bucket);
  if (off === undefined) {
    try {
      off = zoneFor(timeZone).offsetAt(ms);
    } catch {
      off = 0;
    }
    if (zone.size > 50_000) zone.clear();
    zone.set(bucket, off);
  }
  return off;
}

function suffixOf(offset: number): string {
  let s = suffixes.get(offset);
  if (s === undefined) {
    const mins = Math.round(Math.abs(offset) / 60_000);
    s =
      offset === 0
        ? 'Z'
        : `${offset < 0 ? '-' : '+'}${TWO[Math.floor(mins / 60)] ?? ''}:${TWO[mins % 60] ?? ''}`;
    suffixes.set(offset, s);
  }
  return s;
}

function dayOf(day: number): string {
  let s = days.get(day);
  if (s === undefined) {
    s = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (days.size > 50_000) days.clear();
    days.set(day, s);
  }
  return s;
}

/**
 * An instant as a W3C date-time in the community's zone, e.g. 2026-11-20T10:00:00+08:00.
 * A listing writes three per row, so this avoids `toISOString` (days and offsets are cached).
 */
export function w3(iso: string, timeZone: string): string {
  return w3At(Date.parse(iso), timeZone);
}

/** `w3` of an instant given in milliseconds since the epoch. */
export function w3At(ms: number, timeZone: string): string {
  const offset = offsetOf(timeZone, ms);
  const local = ms + offset;
  const day = Math.floor(local / DAY_MS);
  const t = Math.floor((local - day * DAY_MS) / 1000);
  const hh = TWO[Math.floor(t / 3600)] ?? '';
  const mm = TWO[Math.floor(t / 60) % 60] ?? '';
  const ss = TWO[t % 60] ?? '';
  return `${dayOf(day)}T${hh}:${mm}:${ss}${suffixOf(offset)}`;
}

const name = (s: ServiceEntry, l: Locale) => (l === 'en' ? s.nameEn : s.nameZh);

export function presentService(s: ServiceEntry, l: Locale): ServiceView {
  const desc = l === 'en' ? s.descriptionEn : s.descriptionZh;
  return {
    service_code: s.code,
    service_name: name(s, l),
    description: desc ?? (l === 'en' ? `${s.groupEn}: ${s.nameEn}` : `${s.groupZh}：${s.nameZh}`),
    metadata: s.questions.length > 0,
    type: s.serviceType,
    keywords: (l === 'en' ? s.keywordsEn : s.keywordsZh) || null,
    group: l === 'en' ? s.groupEn : s.groupZh,
  };
}

function presentAttribute(q: CategoryQuestion, l: Locale): AttributeView {
  return {
    variable: q.variable !== false,
    code: q.code,
    datatype: q.datatype,
    required: q.variable === false ? false : q.required,
    datatype_description: q.hint ? q.hint[l] : null,
    order: q.order,
    description: q.label[l],
    ...(q.values ? { values: q.values.map((v) => ({ key: v.key, name: v.label[l] })) } : {}),
  };
}

export function presentDefinition(s: ServiceEntry, l: Locale): ServiceDefinitionView {
  const attrs = [...s.questions].sort((a, b) => a.order - b.order);
  return { service_code: s.code, attributes: attrs.map((q) => presentAttribute(q, l)) };
}

const NOTES: Record<string, [string, string]> = {
  submitted: ['已收到，等待受理', 'Received, waiting to be accepted'],
  accepted: ['已受理', 'Accepted'],
  dispatched: ['已派单，等待处理', 'Dispatched to the team in charge'],
  in_progress: ['处理中', 'Work in progress'],
  waiting_on_resident: ['等待居民补充信息', 'Waiting for more information from the resident'],
  resolved: ['已办结，待居民确认', 'Resolved, waiting for the resident to confirm'],
  closed: ['已办结', 'Closed'],
  referred: ['已转交其他部门办理', 'Referred to another body'],
  duplicate: ['重复诉求，已并入另一工单', 'Duplicate of another request'],
  not_actionable: ['无法办理', 'Cannot be acted upon'],
  cancelled: ['已撤销', 'Cancelled'],
};

const ROLE_AGENCY: Record<string, [string, string]> = {
  grid_worker: ['网格服务站', 'grid service team'],
  provider: ['服务单位', 'service provider'],
  dispatcher: ['调度中心', 'dispatch centre'],
  agent: ['服务窗口', 'service desk'],
  manager: ['社区工作站', 'community office'],
  admin: ['服务中心', 'service centre'],
};

const NOTICES: Record<string, [string, string]> = {
  critical: ['紧急诉求，已进入应急通道', 'Emergency: handled in the emergency lane'],
  high: ['当日响应', 'Answered the same day'],
  normal: ['一般在 5 日内办结', 'Usually resolved within 5 days'],
};

export function serviceNotice(urgency: string, l: Locale): string | null {
  const n = NOTICES[urgency];
  return n ? n[l === 'en' ? 1 : 0] : null;
}

export interface PresentContext {
  locale: Locale;
  community: CommunityInfo;
  services: Map<string, ServiceEntry>;
  assigneeRoles: Map<string, string>;
  residentNames: Map<string, string>;
  /** Expected fulfilment per order id, in milliseconds since the epoch. */
  expected: Map<string, number | null>;
  /** Photos per order id, with their public links. */
  photos?: Map<string, { url: string; createdAt: string }[]>;
}

interface ClientMeta {
  media_url?: string;
  address_id?: string;
}

function clientMeta(attributesJson: string | null): ClientMeta {
  if (!attributesJson) return {};
  try {
    const parsed = JSON.parse(attributesJson) as { _open311?: ClientMeta };
    return parsed._open311 ?? {};
  } catch {
    return {};
  }
}

function agencyOf(o: RequestRow, ctx: PresentContext, who: PrivatePerson): string | null {
  const l = ctx.locale === 'en' ? 1 : 0;
  const community = ctx.locale === 'en' ? ctx.community.nameEn : ctx.community.name;
  if (o.status === 'referred' && o.referred_to) return scrubPublic(o.referred_to, who);
  const role = o.assignee_id ? ctx.assigneeRoles.get(o.assignee_id) : undefined;
  const unit = ROLE_AGENCY[role ?? 'admin'] ?? ROLE_AGENCY.admin;
  return ctx.locale === 'en' ? `${community} ${unit?.[l] ?? ''}`.trim() : `${community}${unit?.[l] ?? ''}`;
}

function statusNotes(o: RequestRow, who: PrivatePerson, l: Locale): string | null {
  const base = NOTES[o.status]?.[l === 'en' ? 1 : 0] ?? null;
  let detail: string | null = null;
  if ((o.status === 'resolved' || o.status === 'closed') && o.resolution_note) detail = o.resolution_note;
  if (o.status === 'referred' && o.referred_to) detail = o.referred_to;
  if (o.status === 'not_actionable' && o.closure_reason) detail = o.closure_reason;
  if (!detail) return base;
  return `${base ?? ''}${l === 'en' ? ': ' : '：'}${scrubPublic(detail, who)}`;
}

/** The first `n` characters (code points) of a text: a cut never splits a surrogate pair. */
export function firstCodePoints(text: string, n: number): string {
  if (text.length <= n) return text;
  let units = 0;
  let count = 0;
  for (const ch of text) {
    if (count === n) break;
    units += ch.length;
    count++;
  }
  return text.slice(0, units);
}

export function presentRequest(o: RequestRow, ctx: PresentContext, extensions: boolean): RequestView {
  const code = o.subcategory ?? o.category;
  const service = ctx.services.get(code) ?? ctx.services.get(o.category);
  const who: PrivatePerson = {
    names: [o.reporter_name, o.beneficiary_id ? ctx.residentNames.get(o.beneficiary_id) : null],
    numbers: [o.reporter_phone],
  };
  const precision = service?.precision ?? 'community';
  const meta = clientMeta(o.attributes_json);
  // A request located by its address id alone keeps the id as its address for staff; the public
  // see the id where the standard puts it (exact precision only), never as an address.
  const address = meta.address_id && o.address === `address_id ${meta.address_id}` ? null : o.address;
  const loc = coarsen(
    precision,
    { address, lat: o.lat, lng: o.lng },
    {
      name: ctx.locale === 'en' ? ctx.community.nameEn : ctx.community.name,
      lat: ctx.community.lat,
      lng: ctx.community.lng,
    },
  );
  const tz = ctx.community.timeZone;
  const photos = ctx.photos?.get(o.id) ?? [];
  const mediaUrl = meta.media_url ?? photos[0]?.url ?? null;
  const expected = ctx.expected.get(o.id) ?? null;
  const view: RequestView = {
    service_request_id: o.number,
    status: CLOSED_STATUSES.includes(o.status) ? 'closed' : 'open',
    status_notes: statusNotes(o, who, ctx.locale),
    service_name: service ? name(service, ctx.locale) : null,
    service_code: code,
    description: firstCodePoints(scrubPublic(o.description, who), MAX_DESCRIPTION),
    agency_responsible: agencyOf(o, ctx, who),
    service_notice: serviceNotice(o.urgency, ctx.locale),
    requested_datetime: w3(o.created_at, tz),
    updated_datetime: w3(publicUpdatedAt(o), tz),
    expected_datetime: expected === null ? null : w3At(expected, tz),
    address: loc.address === null ? null : scrubPublic(loc.address, who),
    address_id: precision === 'exact' ? (meta.address_id ?? null) : null,
    zipcode: null,
    lat: loc.lat,
    long: loc.long,
    media_url: mediaUrl,
  };
  if (extensions) {
    view.extended_attributes = {
      channel: o.channel,
      photos: photos.map((p) => ({ media_url: p.url, created_at: w3(p.createdAt, tz) })),
    };
  }
  return view;
}

/** mySociety's update statuses, from Linli's lifecycle. */
const UPDATE_STATUS: Record<string, string> = {
  submitted: 'open',
  accepted: 'investigating',
  dispatched: 'action_scheduled',
  in_progress: 'in_progress',
  waiting_on_resident: 'investigating',
  resolved: 'fixed',
  closed: 'closed',
  referred: 'not_councils_responsibility',
  duplicate: 'duplicate',
  not_actionable: 'no_further_action',
  cancelled: 'closed',
};

export function presentUpdate(
  e: {
    id: string;
    type: string;
    to_status: string | null;
    note: string | null;
    created_at: string;
    number: string;
    /** The order's status now: a reply changes none, so it reports the current one. */
    status: string;
    reporter_name: string | null;
    reporter_phone?: string | null;
    beneficiary_name?: string | null;
  },
  l: Locale,
  timeZone: string,
): RequestUpdateView {
  const status = e.to_status ?? e.status;
  const label = NOTES[status]?.[l === 'en' ? 1 : 0] ?? status;
  return {
    update_id: e.id,
    service_request_id: e.number,
    status: e.type === 'reopen' ? 'open' : (UPDATE_STATUS[status] ?? 'open'),
    external_status_code: status,
    updated_datetime: w3(e.created_at, timeZone),
    description: e.note
      ? scrubPublic(e.note, { names: [e.reporter_name, e.beneficiary_name], numbers: [e.reporter_phone] })
      : label,
    media_url: null,
  };
}

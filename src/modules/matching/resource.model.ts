/**
 * The catalogue's input shapes and their pure validation, and the mapping between stored rows and
 * the plain profiles matching reads. Every problem names the field (`capacity.concurrent`,
 * `serviceArea.polygon.coordinates[0][2]`) so an API answer or an import report points at it.
 */
import { containsPoint, validateGeometry } from '../grids/geo.ts';
import type { GeoJsonArea, GeoJsonPolygon, LatLng } from '../grids/geo.types.ts';
import { RESOURCE_TYPES, WEEKDAYS } from './matching.types.ts';
import type {
  Certificate,
  ResourceProfile,
  ResourceType,
  ServiceArea,
  TimeRange,
  WeeklyHours,
} from './matching.types.ts';
import type { ResourceRow } from './resource.repository.ts';

export interface ResourceInput {
  code: string;
  name: string;
  type: ResourceType;
  categories: string[];
  keywords: string[];
  location: LatLng;
  address?: string | null | undefined;
  /** A polygon is checked (GeoJSON validity, orientation) before it is stored. */
  serviceArea: { kind: 'radius'; radiusM: number } | { kind: 'polygon'; polygon: unknown };
  capacity: { concurrent: number; dailyQuota: number };
  openingHours?: Partial<WeeklyHours> | undefined;
  contacts?: { phone?: string | undefined; name?: string | undefined } | undefined;
  rating?: number | undefined;
  onDuty?: boolean | undefined;
  emergencyResponder?: boolean | undefined;
  skills?: string[] | undefined;
  certificates?: Certificate[] | undefined;
  /** Usernames or user ids of the staff who work for it. */
  staff?: string[] | undefined;
}

export interface Problem {
  field: string;
  message: string;
}

export interface CommunityArea {
  id: string;
  code: string;
  name: string;
  boundary: GeoJsonArea | null;
}

export interface ResourceCheckContext {
  community: CommunityArea;
  /** Every community of the deployment, to say where a misplaced resource lies. */
  communities: readonly CommunityArea[];
  categoryCodes: ReadonlySet<string>;
}

const CODE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const CLOSED_WEEK: WeeklyHours = { sun: [], mon: [], tue: [], wed: [], thu: [], fri: [], sat: [] };

/** Checks a coordinate pair for range and for a swapped latitude/longitude. */
export function checkLocation(p: LatLng, field: string): Problem[] {
  const out: Problem[] = [];
  if (!Number.isFinite(p.lat) || !Number.isFinite(p.lng)) {
    return [{ field, message: 'lat and lng must be numbers' }];
  }
  if (Math.abs(p.lat) > 90) {
    const swapped = Math.abs(p.lng) <= 90 && Math.abs(p.lat) <= 180;
    out.push({
      field: `${field}.lat`,
      message: swapped
        ? `latitude ${p.lat} is out of range: latitude and longitude look swapped`
        : `latitude ${p.lat} is out of range (-90..90)`,
    });
  }
  if (Math.abs(p.lng) > 180)
    out.push({ field: `${field}.lng`, message: `longitude ${p.lng} is out of range` });
  return out;
}

/** A real calendar date written `YYYY-MM-DD` (`2026-02-31` is not one: it round-trips to March). */
export function isCalendarDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const t = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === text;
}

/** Every problem with weekly hours: unknown weekdays and times that are not HH:MM (00:00–24:00). */
export function checkHours(hours: Partial<WeeklyHours>, field: string): Problem[] {
  const out: Problem[] = [];
  for (const [day, ranges] of Object.entries(hours)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      out.push({ field: `${field}.${day}`, message: `unknown weekday "${day}" (sun, mon, … sat)` });
      continue;
    }
    (ranges ?? []).forEach((r: TimeRange, i: number) => {
      if (!HHMM.test(r.open)) out.push({ field: `${field}.${day}[${i}].open`, message: 'use HH:MM' });
      if (!HHMM.test(r.close)) out.push({ field: `${field}.${day}[${i}].close`, message: 'use HH:MM' });
    });
  }
  return out;
}

export function checkCertificates(certs: readonly Certificate[], field: string): Problem[] {
  const out: Problem[] = [];
  certs.forEach((c, i) => {
    if (!c.name.trim()) out.push({ field: `${field}[${i}].name`, message: 'a certificate needs a name' });
    if (!isCalendarDate(c.expiresOn)) {
      out.push({ field: `${field}[${i}].expiresOn`, message: 'use a real date, YYYY-MM-DD' });
    }
  });
  return out;
}

/** Which community's boundary holds the point, if any. */
function communityHolding(communities: readonly CommunityArea[], p: LatLng): CommunityArea | undefined {
  return communities.find((c) => c.boundary !== null && containsPoint(c.boundary, p));
}

/**
 * Every problem with a resource; empty when it may be stored. Returns the service area as
 * validated (a polygon rewound to RFC 7946 orientation).
 */
export function validateResource(
  input: ResourceInput,
  ctx: ResourceCheckContext,
): { problems: Problem[]; serviceArea?: ServiceArea } {
  const problems: Problem[] = [];
  const bad = (field: string, message: string): void => {
    problems.push({ field, message });
  };
  if (!CODE.test(input.code)) bad('code', 'use 1–64 lower-case letters, digits, ".", "_" or "-"');
  if (!input.name.trim()) bad('name', 'a resource needs a name');
  if (!(RESOURCE_TYPES as readonly string[]).includes(input.type)) {
    bad('type', `type must be one of ${RESOURCE_TYPES.join(', ')}`);
  }
  if (input.categories.length === 0) bad('categories', 'name at least one category served');
  input.categories.forEach((c, i) => {
    if (!ctx.categoryCodes.has(c)) bad(`categories[${i}]`, `unknown category "${c}"`);
  });
  const locationProblems = checkLocation(input.location, 'location');
  problems.push(...locationProblems);
  if (locationProblems.length === 0 && ctx.community.boundary) {
    if (!containsPoint(ctx.community.boundary, input.location)) {
      const other = communityHolding(ctx.communities, input.location);
      bad(
        'location',
        other
          ? `(${input.location.lat}, ${input.location.lng}) lies in community ${other.code}, not in ${ctx.community.code}`
          : `(${input.location.lat}, ${input.location.lng}) lies outside every community`,
      );
    }
  }
  const { concurrent, dailyQuota } = input.capacity;
  if (!Number.isInteger(concurrent) || concurrent < 0) {
    bad('capacity.concurrent', `capacity must be a whole number of orders, 0 or more (got ${concurrent})`);
  }
  if (!Number.isInteger(dailyQuota) || dailyQuota < 0) {
    bad('capacity.dailyQuota', `the daily quota must be a whole number, 0 or more (got ${dailyQuota})`);
  }
  if (input.rating !== undefined && !(input.rating >= 1 && input.rating <= 5)) {
    bad('rating', 'rating must be between 1 and 5');
  }
  problems.push(...checkHours(input.openingHours ?? {}, 'openingHours'));
  problems.push(...checkCertificates(input.certificates ?? [], 'certificates'));

  let serviceArea: ServiceArea | undefined;
  const area = input.serviceArea;
  if (area.kind === 'radius') {
    if (!(area.radiusM > 0)) bad('serviceArea.radiusM', 'the service radius must be more than 0 metres');
    else serviceArea = { kind: 'radius', radiusM: area.radiusM };
  } else {
    const v = validateGeometry(area.polygon);
    for (const issue of v.issues) {
      if (issue.severity === 'error') {
        bad(`serviceArea.polygon${issue.path}`, `${issue.code}: ${issue.message}`);
      }
    }
    if (v.ok && v.geometry?.type === 'Polygon') serviceArea = { kind: 'polygon', polygon: v.geometry };
    else if (v.ok) bad('serviceArea.polygon', 'a service area is one Polygon');
  }
  return serviceArea ? { problems, serviceArea } : { problems };
}

export function weekFrom(hours: Partial<WeeklyHours> | undefined): WeeklyHours {
  return { ...CLOSED_WEEK, ...hours };
}

const parse = <T>(json: string | null, fallback: T): T => (json ? (JSON.parse(json) as T) : fallback);

/** A stored resource as matching reads it. */
export function profileOf(row: ResourceRow, communityCode: string): ResourceProfile {
  return {
    code: row.code,
    communityCode,
    name: row.name,
    type: row.type as ResourceType,
    categories: parse<string[]>(row.categories_json, []),
    keywords: parse<string[]>(row.keywords_json, []),
    location: { lat: row.lat, lng: row.lng },
    serviceArea: parse<ServiceArea>(row.service_area_json, { kind: 'radius', radiusM: 0 }),
    capacity: { concurrent: row.capacity_concurrent, dailyQuota: row.capacity_daily },
    openingHours: weekFrom(parse<Partial<WeeklyHours>>(row.opening_hours_json, {})),
    rating: row.rating,
    onDuty: row.on_duty === 1,
    emergencyResponder: row.emergency_responder === 1,
    skills: parse<string[]>(row.skills_json, []),
    certificates: parse<Certificate[]>(row.certificates_json, []),
  };
}

/** The columns of a validated resource input. */
export function columnsOf(input: ResourceInput, serviceArea: ServiceArea) {
  return {
    code: input.code,
    name: input.name.trim(),
    type: input.type,
    categories_json: JSON.stringify(input.categories),
    keywords_json: JSON.stringify(input.keywords.map((k) => k.trim()).filter(Boolean)),
    lat: input.location.lat,
    lng: input.location.lng,
    address: input.address ?? null,
    service_area_json: JSON.stringify(serviceArea),
    capacity_concurrent: input.capacity.concurrent,
    capacity_daily: input.capacity.dailyQuota,
    opening_hours_json: JSON.stringify(weekFrom(input.openingHours)),
    contacts_json: JSON.stringify(input.contacts ?? {}),
    rating: input.rating ?? 4,
    on_duty: input.onDuty ? 1 : 0,
    emergency_responder: input.emergencyResponder ? 1 : 0,
    skills_json: JSON.stringify(input.skills ?? []),
    certificates_json: JSON.stringify(input.certificates ?? []),
  };
}

export function boundaryOf(json: string | null): GeoJsonArea | null {
  if (!json) return null;
  const g = JSON.parse(json) as GeoJsonArea | { type: 'Feature'; geometry: GeoJsonArea };
  return g.type === 'Feature' ? g.geometry : g;
}

export type { GeoJsonPolygon };

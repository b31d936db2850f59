/**
 * Plain data shapes shared by the resource catalogue, matching and dispatch.
 * Times are local wall-clock strings (`HH:MM`, `24:00` allowed as a closing time);
 * dates are `YYYY-MM-DD`. Distances are metres.
 */
import type { GeoJsonPolygon, LatLng } from '../grids/geo.types.ts';
import type { Urgency } from '../taxonomy/taxonomy.default.ts';

export const RESOURCE_TYPES = ['organisation', 'place', 'team', 'person'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
/** Index 0 is Sunday, like `Date.prototype.getDay()`. */
export type Weekday = (typeof WEEKDAYS)[number];

export interface TimeRange {
  open: string;
  close: string;
}
/** Opening or on-duty hours per weekday; an empty list means closed that day. */
export type WeeklyHours = Record<Weekday, TimeRange[]>;

/** Where a resource serves: a radius around its location, or a polygon. */
export type ServiceArea = { kind: 'radius'; radiusM: number } | { kind: 'polygon'; polygon: GeoJsonPolygon };

export interface Capacity {
  /** Orders it can hold open at once. */
  concurrent: number;
  /** Orders it can take per day. */
  dailyQuota: number;
}

export interface Certificate {
  name: string;
  /** Last valid day, `YYYY-MM-DD`. */
  expiresOn: string;
}

/** What a service resource (organisation, place, team or person) offers, as matching reads it. */
export interface ResourceProfile {
  code: string;
  communityCode: string;
  name: string;
  type: ResourceType;
  /** Category codes served; a top code (`health`) serves all its sub-categories. */
  categories: string[];
  keywords: string[];
  location: LatLng;
  serviceArea: ServiceArea;
  capacity: Capacity;
  openingHours: WeeklyHours;
  rating: number;
  /** Currently on duty (staffed and reachable now). */
  onDuty: boolean;
  /** Takes critical orders through the emergency lane. */
  emergencyResponder: boolean;
  skills: string[];
  certificates: Certificate[];
}

/** Live load of a resource, kept by dispatch. */
export interface ResourceLoad {
  /** Orders currently assigned and not finished. */
  open: number;
  /** Orders assigned today. */
  today: number;
  /** Orders assigned in the fairness window (e.g. the last 7 days). */
  recentAssignments: number;
}

export interface MatchOrder {
  category: string;
  subcategory?: string;
  /** Free text of the need; keywords are extracted from it unless given. */
  text?: string;
  keywords?: string[];
  location: LatLng;
  urgency: Urgency;
  /** 1 (highest) … 5 (lowest); informs whether to rank by distance first. */
  priority?: number;
  /** The moment of the decision; read in the configured time zone (default Asia/Shanghai). */
  now: Date;
  /** Skills or certificates the work needs (e.g. `电工证`). */
  requiredSkills?: string[];
}

/** A wall-clock moment without a time zone: the community's local time. */
export interface LocalTime {
  /** `YYYY-MM-DD` */
  date: string;
  /** `HH:MM` */
  time: string;
  weekday: Weekday;
}

import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { INT_MAX } from '../../platform/http/limits.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const LatLngSchema = Type.Object(
  { lat: Type.Number(), lng: Type.Number() },
  { additionalProperties: false, description: 'WGS 84 degrees' },
);

const Position = Type.Array(Type.Number(), { minItems: 2, maxItems: 3 });
export const PolygonSchema = Type.Object(
  {
    type: Type.Literal('Polygon'),
    coordinates: Type.Array(Type.Array(Position, { maxItems: 10_000 }), { minItems: 1, maxItems: 100 }),
  },
  { description: 'GeoJSON Polygon, positions [lng, lat]' },
);

export const ServiceAreaSchema = Type.Union([
  Type.Object(
    { kind: Type.Literal('radius'), radiusM: Type.Number({ description: 'metres' }) },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('polygon'), polygon: PolygonSchema }, { additionalProperties: false }),
]);

const TimeRangeSchema = Type.Object(
  { open: Type.String({ maxLength: 5 }), close: Type.String({ maxLength: 5 }) },
  { additionalProperties: false },
);
const Day = Type.Optional(Type.Array(TimeRangeSchema, { maxItems: 6 }));
export const WeeklyHoursSchema = Type.Object(
  { sun: Day, mon: Day, tue: Day, wed: Day, thu: Day, fri: Day, sat: Day },
  { additionalProperties: false, description: 'Per weekday, HH:MM ranges; a missing or empty day is closed' },
);
const FullDay = Type.Array(TimeRangeSchema);
const FullWeek = Type.Object({
  sun: FullDay,
  mon: FullDay,
  tue: FullDay,
  wed: FullDay,
  thu: FullDay,
  fri: FullDay,
  sat: FullDay,
});

export const CertificateSchema = Type.Object(
  {
    name: Type.String({ maxLength: 100 }),
    expiresOn: Type.String({ maxLength: 10, description: 'YYYY-MM-DD' }),
  },
  { additionalProperties: false },
);

const StringList = (max: number) => Type.Array(Type.String({ maxLength: 100 }), { maxItems: max });

export const ResourceBody = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    type: Type.Union([
      Type.Literal('organisation'),
      Type.Literal('place'),
      Type.Literal('team'),
      Type.Literal('person'),
    ]),
    categories: Type.Array(Type.String({ maxLength: 100 }), { minItems: 1, maxItems: 50 }),
    keywords: StringList(200),
    location: LatLngSchema,
    address: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
    serviceArea: ServiceAreaSchema,
    capacity: Type.Object(
      {
        concurrent: Type.Integer({ maximum: INT_MAX, description: 'orders held open at once; 0 or more' }),
        dailyQuota: Type.Integer({ maximum: INT_MAX, description: 'orders per day; 0 or more' }),
      },
      { additionalProperties: false },
    ),
    openingHours: Type.Optional(WeeklyHoursSchema),
    contacts: Type.Optional(
      Type.Object(
        {
          phone: Type.Optional(Type.String({ maxLength: 40 })),
          name: Type.Optional(Type.String({ maxLength: 100 })),
        },
        { additionalProperties: false },
      ),
    ),
    rating: Type.Optional(Type.Number()),
    onDuty: Type.Optional(Type.Boolean()),
    emergencyResponder: Type.Optional(Type.Boolean()),
    skills: Type.Optional(StringList(100)),
    certificates: Type.Optional(Type.Array(CertificateSchema, { maxItems: 50 })),
    staff: Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100, description: 'usernames or user ids' }),
    ),
  },
  { additionalProperties: false },
);
export type ResourceBody = Static<typeof ResourceBody>;

export const ResourceUpdateBody = Type.Object(
  { version: Type.Integer({ minimum: 1, maximum: INT_MAX }), ...ResourceBody.properties },
  { additionalProperties: false },
);

export const StaffView = Type.Object({
  userId: Type.String(),
  username: Type.String(),
  name: Type.String(),
  active: Type.Boolean(),
});

export const ResourceView = Type.Object({
  id: Type.String(),
  communityId: Type.String(),
  code: Type.String(),
  name: Type.String(),
  type: Type.String(),
  categories: Type.Array(Type.String()),
  keywords: Type.Array(Type.String()),
  location: LatLngSchema,
  address: Nullable(Type.String()),
  serviceArea: Type.Unknown({ description: 'radius or polygon' }),
  capacity: Type.Object({ concurrent: Type.Integer(), dailyQuota: Type.Integer() }),
  openingHours: FullWeek,
  contacts: Type.Record(Type.String(), Type.String()),
  rating: Type.Number(),
  onDuty: Type.Boolean(),
  emergencyResponder: Type.Boolean(),
  skills: Type.Array(Type.String()),
  certificates: Type.Array(CertificateSchema),
  staff: Type.Array(StaffView),
  active: Type.Boolean(),
  version: Type.Integer(),
  updatedAt: Type.String(),
});

export const ResourceListQuery = Type.Object(
  {
    community: Type.String({ maxLength: 64, description: 'community id or code' }),
    category: Type.Optional(Type.String({ maxLength: 100 })),
    includeInactive: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });
export const CommunityQuery = Type.Object(
  { community: Type.String({ maxLength: 64, description: 'community id or code' }) },
  { additionalProperties: false },
);
export const VersionQuery = Type.Object(
  { version: Type.Integer({ minimum: 1, maximum: INT_MAX }) },
  { additionalProperties: false },
);

export const PackageBody = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 64 }),
    resourceId: Type.String({ maxLength: 64, description: 'id or code of the resource that delivers it' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    category: Type.String({ maxLength: 100 }),
    description: Type.String({ maxLength: 4000 }),
    durationMinutes: Type.Integer({ maximum: INT_MAX }),
    priceCny: Type.Number({ description: 'per session; 0 = free' }),
    eligibility: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type PackageBody = Static<typeof PackageBody>;

export const PackageView = Type.Object({
  id: Type.String(),
  communityId: Type.String(),
  code: Type.String(),
  resourceId: Type.String(),
  name: Type.String(),
  category: Type.String(),
  description: Type.String(),
  durationMinutes: Type.Integer(),
  priceCny: Type.Number(),
  free: Type.Boolean(),
  eligibility: Type.Array(Type.String()),
});

export const CapabilityBody = Type.Object(
  {
    skills: StringList(100),
    certificates: Type.Array(CertificateSchema, { maxItems: 50 }),
    dutyHours: Type.Union([WeeklyHoursSchema, Type.Null()], {
      description: 'weekly on-duty hours; null = the resource’s hours',
    }),
  },
  { additionalProperties: false },
);

export const CapabilityView = Type.Object({
  userId: Type.String(),
  username: Type.String(),
  name: Type.String(),
  role: Type.String(),
  skills: Type.Array(Type.String()),
  certificates: Type.Array(
    Type.Object({ name: Type.String(), expiresOn: Type.String(), expired: Type.Boolean() }),
  ),
  dutyHours: Type.Union([FullWeek, Type.Null()]),
});

export const ImportQuery = Type.Object(
  {
    community: Type.String({ maxLength: 64 }),
    dryRun: Type.Optional(Type.Boolean()),
    fileName: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const ImportReportView = Type.Object({
  dryRun: Type.Boolean(),
  format: Type.String(),
  rows: Type.Integer(),
  created: Type.Integer(),
  updated: Type.Integer(),
  problems: Type.Array(Type.Object({ row: Type.Integer(), column: Type.String(), message: Type.String() })),
});

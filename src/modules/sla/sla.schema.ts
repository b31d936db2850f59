import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { INT_MAX } from '../../platform/http/limits.ts';

const Str = (max = 200) => Type.String({ maxLength: max });
const NullableStr = Type.Union([Type.String(), Type.Null()]);
const CommunityRef = Type.String({ maxLength: 64, description: 'community id or code' });
const NullableNum = Type.Union([Type.Number(), Type.Null()]);
const NullableBool = Type.Union([Type.Boolean(), Type.Null()]);

export const EscalationStep = Type.Union([
  Type.String({ maxLength: 64 }),
  Type.Object({ next: Type.String({ maxLength: 100 }) }, { additionalProperties: false }),
]);

export const PolicyBody = Type.Object(
  {
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$' })),
    category: Type.String({
      minLength: 1,
      maxLength: 80,
      description: 'A category or sub-category code, or *',
    }),
    priorityBand: Type.String({ maxLength: 4, description: 'P1 … P4, or *' }),
    channel: Type.Optional(Str(20)),
    communityId: Type.Optional(Str(64)),
    calendarId: Type.String({ minLength: 1, maxLength: 100 }),
    firstResponseMinutes: Type.Number({ description: 'Business minutes from submission to acceptance' }),
    resolutionMinutes: Type.Number({ description: 'Business minutes from submission to resolution' }),
    updateIntervalMinutes: Type.Optional(Type.Number()),
    warnAtRatio: Type.Optional(
      Type.Number({ description: 'Due-soon warning at this share of a target (0-1)' }),
    ),
    escalationChain: Type.Array(EscalationStep, { maxItems: 10 }),
    escalationStepMinutes: Type.Optional(
      Type.Number({ description: 'Business minutes between escalation levels' }),
    ),
  },
  { additionalProperties: false },
);
export type PolicyBody = Static<typeof PolicyBody>;

export const PolicyView = Type.Object({
  id: Type.String(),
  category: Type.String(),
  priorityBand: Type.String(),
  channel: Type.Optional(Type.String()),
  communityId: Type.Optional(Type.String()),
  calendarId: Type.String(),
  firstResponseMinutes: Type.Number(),
  resolutionMinutes: Type.Number(),
  updateIntervalMinutes: Type.Optional(Type.Number()),
  warnAtRatio: Type.Optional(Type.Number()),
  escalationChain: Type.Array(EscalationStep),
  escalationStepMinutes: Type.Number(),
});

const Period = Type.Object({ start: Str(5), end: Str(5) }, { additionalProperties: false });

export const CalendarBody = Type.Object(
  {
    name: Type.String({ maxLength: 200 }),
    timeZone: Type.Optional(Str(64)),
    mode: Type.String({ maxLength: 10, description: '24x7 or business' }),
    weekly: Type.Optional(Type.Record(Type.String({ maxLength: 2 }), Type.Array(Period, { maxItems: 12 }))),
    holidays: Type.Optional(Type.Array(Str(10), { maxItems: 400 })),
    workdays: Type.Optional(Type.Array(Str(10), { maxItems: 400 })),
    workdayHoursFrom: Type.Optional(Type.Integer({ maximum: INT_MAX })),
    holidayRegion: Type.Optional(Type.Union([Str(8), Type.Null()])),
  },
  { additionalProperties: false },
);
export type CalendarBody = Static<typeof CalendarBody>;

export const CalendarView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  timeZone: Type.String(),
  mode: Type.String(),
  weekly: Type.Record(Type.String(), Type.Array(Type.Object({ start: Type.String(), end: Type.String() }))),
  holidays: Type.Array(Type.String()),
  workdays: Type.Array(Type.String()),
  workdayHoursFrom: Type.Integer(),
  holidayRegion: NullableStr,
});

const HolidayEntry = Type.Object({ date: Type.String(), name: Type.String() });
export const HolidayFileView = Type.Object({
  region: Type.String(),
  year: Type.Integer(),
  source: Type.String(),
  provisional: Type.Boolean(),
  imported: Type.Boolean(),
  holidays: Type.Array(HolidayEntry),
  workdays: Type.Array(HolidayEntry),
});

export const HolidayParams = Type.Object({
  region: Type.String({ maxLength: 8 }),
  year: Type.Integer({ minimum: 1900, maximum: 2200 }),
});

export const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });

/** Which community's view a policy id is looked up in: needed only by a caller who serves several communities with a policy of that id each. */
export const PolicyQuery = Type.Object(
  {
    community: Type.Optional(
      Type.String({
        ...CommunityRef,
        description:
          'the community whose policy (or the shared one it sees) is meant; policy ids are unique within a community and the shared policies, so only a caller serving several communities, each with a policy of this id, must say',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ScopeQuery = Type.Object(
  {
    community: Type.Optional(CommunityRef),
    assignee: Type.Optional(Str(64)),
    grid: Type.Optional(Str(64)),
    withinMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 43200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);
export type ScopeQuery = Static<typeof ScopeQuery>;

export const DeadlineItem = Type.Object({
  orderId: Type.String(),
  number: Type.String(),
  status: Type.String(),
  slaStatus: Type.String(),
  communityId: Type.String(),
  gridId: NullableStr,
  assigneeId: NullableStr,
  category: Type.String(),
  priority: Type.String(),
  clock: Type.String({ description: 'first_response or resolution: the deadline that comes next' }),
  dueAt: Type.String(),
  minutesLeft: Type.Integer({ description: 'Negative when overdue' }),
  escalationLevel: NullableStr,
});

export const ComplianceQuery = Type.Object(
  {
    by: Type.Union([
      Type.Literal('category'),
      Type.Literal('grid'),
      Type.Literal('provider'),
      Type.Literal('month'),
    ]),
    community: Type.Optional(CommunityRef),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

const Rate = Type.Object({ met: Type.Integer(), breached: Type.Integer(), rate: NullableNum });
export const ComplianceRow = Type.Object({
  key: NullableStr,
  label: NullableStr,
  total: Type.Integer(),
  firstResponse: Rate,
  resolution: Rate,
  openBreached: Type.Integer(),
  avgResolutionMinutes: NullableNum,
  pausedMinutes: Type.Number(),
});

const ClockView = Type.Object({
  dueAt: NullableStr,
  at: NullableStr,
  businessMinutes: Type.Number(),
  met: NullableBool,
  warnedAt: NullableStr,
  breachedAt: NullableStr,
});

export const SupervisionView = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  communityId: Type.String(),
  level: NullableStr,
  issuedBy: Type.String(),
  reason: Type.String(),
  dueAt: Type.String(),
  status: Type.String({
    description:
      'open; overdue (not answered by its deadline); responded; withdrawn (its order left: closed, cancelled, referred, dismissed); folded (its order was merged into an order already supervised: answered through that one). A supervision of an order merged into one not supervised moves there, orderId and all',
  }),
  response: NullableStr,
  respondedBy: NullableStr,
  respondedAt: NullableStr,
  createdAt: Type.String(),
});

export const OrderSlaView = Type.Object({
  orderId: Type.String(),
  number: Type.String(),
  sla: Type.Union([
    Type.Object({
      policyId: Type.String(),
      calendarId: Type.String(),
      status: Type.String(),
      firstResponse: ClockView,
      resolution: ClockView,
      updateDueAt: NullableStr,
      pausedMinutes: Type.Number(),
      pausedWallMinutes: Type.Number(),
      reopenCount: Type.Integer(),
      escalationLevel: NullableStr,
    }),
    Type.Null(),
  ]),
  escalations: Type.Array(Type.Object({ level: Type.String(), clock: Type.String(), at: Type.String() })),
  supervisions: Type.Array(SupervisionView),
  pendingTimers: Type.Array(Type.Object({ kind: Type.String(), dueAt: Type.String() })),
});

export const SupervisionBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 1000 }),
    dueInMinutes: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 525_600,
        description: 'Wall-clock minutes to answer, at most a year (default one day)',
      }),
    ),
    dueAt: Type.Optional(
      Type.String({
        maxLength: 40,
        description: 'The deadline: in the future and at most a year from now',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RespondBody = Type.Object(
  { response: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);

export const SupervisionQuery = Type.Object(
  {
    community: Type.Optional(CommunityRef),
    status: Type.Optional(
      Type.Union([
        Type.Literal('open'),
        Type.Literal('overdue'),
        Type.Literal('responded'),
        Type.Literal('withdrawn'),
        Type.Literal('folded'),
      ]),
    ),
    order: Type.Optional(Str(64)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);

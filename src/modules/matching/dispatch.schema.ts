import { Type } from '@sinclair/typebox';

const ScorePartView = Type.Object({
  value: Type.Number(),
  weight: Type.Number(),
  contribution: Type.Number(),
  detail: Type.String(),
});

const LoadView = Type.Object({ open: Type.Integer(), today: Type.Integer(), recent: Type.Integer() });

const PersonView = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  onDuty: Type.Boolean(),
  openOrders: Type.Integer(),
});

export const CandidatesQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
    includeRejected: Type.Optional(
      Type.Boolean({ description: 'also list resources that failed a hard constraint' }),
    ),
  },
  { additionalProperties: false },
);

export const CandidatesView = Type.Object({
  orderId: Type.String(),
  communityId: Type.String(),
  location: Type.Object({
    lat: Type.Number(),
    lng: Type.Number(),
    source: Type.Union([Type.Literal('order'), Type.Literal('community_centre')]),
  }),
  keywords: Type.Array(Type.String()),
  rule: Type.Object({
    id: Type.String(),
    name: Type.String(),
    mode: Type.String(),
    strategy: Type.String(),
    acceptTimeoutS: Type.Integer(),
  }),
  candidates: Type.Array(
    Type.Object({
      rank: Type.Integer(),
      resourceId: Type.String(),
      code: Type.String(),
      name: Type.String(),
      type: Type.String(),
      score: Type.Number(),
      distanceM: Type.Integer(),
      matchedKeywords: Type.Array(Type.String()),
      parts: Type.Record(Type.String(), ScorePartView, {
        description: 'category, keywords, distance, capacity, openNow, rating, fairness',
      }),
      load: LoadView,
      capacity: Type.Object({ concurrent: Type.Integer(), dailyQuota: Type.Integer() }),
      staff: Type.Array(PersonView),
    }),
  ),
  rejected: Type.Array(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      failures: Type.Array(Type.Object({ code: Type.String(), message: Type.String() })),
    }),
  ),
  baseline: Type.Array(
    Type.Object(
      { rank: Type.Integer(), code: Type.String(), name: Type.String(), score: Type.Number() },
      { description: 'keyword-overlap baseline over the same catalogue, for comparison' },
    ),
  ),
  suggestion: Type.Union([
    Type.Object({
      lane: Type.String(),
      resourceCode: Type.String(),
      assigneeId: Type.String(),
      assigneeName: Type.String(),
      reason: Type.String(),
    }),
    Type.Null(),
  ]),
});

export const AssignmentsView = Type.Object({
  orderId: Type.String(),
  assignments: Type.Array(
    Type.Object({
      id: Type.String(),
      userId: Type.String(),
      userName: Type.Union([Type.String(), Type.Null()]),
      resourceCode: Type.Union([Type.String(), Type.Null()]),
      resourceName: Type.Union([Type.String(), Type.Null()]),
      role: Type.String(),
      lane: Type.String(),
      state: Type.String(),
      attempt: Type.Integer(),
      score: Type.Union([Type.Number(), Type.Null()]),
      reason: Type.Union([Type.String(), Type.Null()]),
      assignedAt: Type.String(),
      deadlineAt: Type.Union([Type.String(), Type.Null()]),
      respondedAt: Type.Union([Type.String(), Type.Null()]),
      responseNote: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

export const RuleBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    category: Type.Union([Type.String({ maxLength: 100 }), Type.Null()]),
    urgencies: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 4 })),
    priorities: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 10 })),
    mode: Type.Union([Type.Literal('emergency'), Type.Literal('auto'), Type.Literal('queue')]),
    strategy: Type.Optional(Type.Union([Type.Literal('least_loaded'), Type.Literal('round_robin')])),
    acceptTimeoutS: Type.Integer({ minimum: 10, maximum: 7 * 86_400 }),
  },
  { additionalProperties: false },
);

export const RulesBody = Type.Object(
  { rules: Type.Array(RuleBody, { maxItems: 200 }) },
  { additionalProperties: false },
);

export const RulesView = Type.Object({
  communityId: Type.String(),
  rules: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      category: Type.Union([Type.String(), Type.Null()]),
      urgencies: Type.Array(Type.String()),
      priorities: Type.Array(Type.String()),
      mode: Type.String(),
      strategy: Type.String(),
      acceptTimeoutS: Type.Integer(),
      sortOrder: Type.Integer(),
    }),
  ),
});

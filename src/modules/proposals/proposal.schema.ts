import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { INT_MAX } from '../../platform/http/limits.ts';
import { PROPOSAL_ACTIONS, PROPOSAL_STATUSES } from './proposal.machine.ts';

const NullableStr = Type.Union([Type.String(), Type.Null()]);
const NullableInt = Type.Union([Type.Integer(), Type.Null()]);
const Literals = <T extends string>(xs: readonly T[]) => Type.Union(xs.map((x) => Type.Literal(x)));

export const StatusSchema = Literals(PROPOSAL_STATUSES);
export const ActionSchema = Literals(PROPOSAL_ACTIONS);
export const AllowedSchema = Literals([...PROPOSAL_ACTIONS, 'vote', 'withdraw_vote'] as const);

export const ProposalView = Type.Object({
  id: Type.String(),
  communityId: Type.String(),
  title: Type.String(),
  description: Type.String(),
  status: StatusSchema,
  version: Type.Integer(),
  author: Type.Object({
    name: Type.String({ description: 'masked (王**) for viewers whose role does not need it' }),
    phone: NullableStr,
    self: Type.Boolean({ description: 'the viewer is the author' }),
  }),
  filedByStaff: Type.Boolean({ description: 'filed by an agent on the resident’s behalf (代办)' }),
  rejectReason: NullableStr,
  voting: Type.Union([
    Type.Object({
      startsAt: Type.String({ format: 'date-time' }),
      endsAt: Type.String({ format: 'date-time' }),
      quorum: Type.Integer(),
      phase: Literals(['upcoming', 'open', 'closed'] as const),
    }),
    Type.Null(),
  ]),
  budgetEstimate: NullableInt,
  votes: Type.Integer(),
  myVote: Type.Union([Type.Boolean(), Type.Null()], {
    description: 'residents: whether they voted; others null',
  }),
  progressPercent: Type.Integer(),
  decidedAt: NullableStr,
  completedAt: NullableStr,
  createdAt: Type.String(),
  updatedAt: Type.String(),
  actions: Type.Array(AllowedSchema, { description: 'what the viewer may do now' }),
});
export type ProposalViewT = Static<typeof ProposalView>;

export const ProposalUpdateView = Type.Object({
  action: Type.String(),
  status: StatusSchema,
  percent: NullableInt,
  note: NullableStr,
  at: Type.String(),
});

export const ProposalDetailView = Type.Composite([
  ProposalView,
  Type.Object({ updates: Type.Array(ProposalUpdateView) }),
]);

export const ListQuery = Type.Object(
  {
    community: Type.Optional(Type.String({ maxLength: 64, description: 'community id or code (staff)' })),
    status: Type.Optional(StatusSchema),
    cursor: Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'the `nextCursor` of the page before; one this API did not give out is refused',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);

export const ListResponse = Type.Object({ items: Type.Array(ProposalView), nextCursor: NullableStr });

export const CreateBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 80 }),
    description: Type.String({ minLength: 1, maxLength: 2000 }),
    budgetEstimate: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    residentId: Type.Optional(
      Type.String({ maxLength: 64, description: 'staff (agents) filing for a resident: who proposes' }),
    ),
  },
  { additionalProperties: false },
);

export const ActionBody = Type.Object(
  {
    action: ActionSchema,
    version: Type.Integer({
      minimum: 1,
      maximum: INT_MAX,
      description: 'the version the caller saw (version_conflict otherwise)',
    }),
    reason: Type.Optional(Type.String({ maxLength: 1000, description: 'reject: why, for the author' })),
    votingStartsAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'open_voting; default now, not earlier' }),
    ),
    votingEndsAt: Type.Optional(Type.String({ format: 'date-time', description: 'open_voting: required' })),
    quorum: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'open_voting: votes that select it' }),
    ),
    budgetEstimate: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    percent: Type.Optional(Type.Integer({ minimum: 0, maximum: 99, description: 'progress' })),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const VoteResponse = Type.Object({ voted: Type.Boolean(), votes: Type.Integer() });

const Line = {
  rank: Type.Integer(),
  residents: Type.Integer(),
  participants: Type.Integer({ description: 'residents who proposed or voted in the period' }),
  proposals: Type.Integer(),
  votes: Type.Integer(),
  selected: Type.Integer(),
  completed: Type.Integer(),
  participationRate: Type.Number(),
  implementedShare: Type.Number(),
  index: Type.Number({ description: '100 × (0.7 × participationRate + 0.3 × implementedShare)' }),
};

export const ParticipationQuery = Type.Object(
  {
    community: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'default: a year before `to`' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
  },
  { additionalProperties: false },
);

export const ParticipationResponse = Type.Object({
  from: Type.String(),
  to: Type.String(),
  communities: Type.Array(
    Type.Object({
      communityId: Type.String(),
      code: Type.String(),
      name: Type.String(),
      ...Line,
      grids: Type.Array(Type.Object({ gridId: NullableStr, name: NullableStr, ...Line })),
    }),
  ),
});

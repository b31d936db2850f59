import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { ERASURE_REASONS } from './resident.erasure.ts';
import { WorkOrderView } from '../work-orders/work-order.schema.ts';
import { INT_MAX } from '../../platform/http/limits.ts';
import { HistoryItemView, RecordView } from '../time-bank/time-bank.schema.ts';
import { StatusSchema as ProposalStatusSchema } from '../proposals/proposal.schema.ts';

const NullableStr = Type.Union([Type.String(), Type.Null()]);

/**
 * A resident as one viewer may see them (see `presentResident`): every field is there, masked or
 * null where the viewer may not read it.
 */
export const ResidentView = Type.Object({
  id: Type.String(),
  communityId: Type.String(),
  householdId: NullableStr,
  householdSince: Type.Union([Type.String(), Type.Null()], {
    description: 'when the resident joined the household: they read its orders filed since then',
  }),
  name: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()], {
    description: 'masked (`138****0001`) unless the viewer is the resident or their role reads phones',
  }),
  idNumber: Type.Union([Type.String(), Type.Null()], {
    description:
      'masked (`4403**********1234`) unless the viewer is the resident or their role reads ID numbers',
  }),
  birthYear: Type.Union([Type.Integer(), Type.Null()]),
  tags: Type.Union([Type.Array(Type.String()), Type.Null()], {
    description: 'Special-group tags; null when masked for this viewer or not consented',
  }),
  tagsConsent: Type.Union([Type.Boolean(), Type.Null()], {
    description:
      'whether the resident consented to their special groups being held; null for whom may not see the groups',
  }),
  emergencyContact: Type.Union([
    Type.Object({
      name: NullableStr,
      phone: Type.Union([Type.String(), Type.Null()], { description: 'masked as `phone` is' }),
    }),
    Type.Null(),
  ]),
  preferredChannel: Type.Union([Type.String(), Type.Null()], {
    description:
      'how the resident likes to hear back (`inapp`, `sms`, `wechat`) when an order came in through another system',
  }),
  updatedAt: Type.String({ description: 'when the record last changed: send it back with a change' }),
  erasedAt: Type.Union([Type.String(), Type.Null()], {
    description:
      'when the resident’s personal data was erased (the record is a tombstone: its name reads 已删除居民 and every personal field is null); null otherwise',
  }),
});
export type ResidentView = Static<typeof ResidentView>;

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

/** What `PATCH /api/v1/residents/{id}` changes: only the fields sent. */
export const ResidentPatchBody = Type.Object(
  {
    name: Type.Optional(Text(100)),
    // Null first: the body is coerced, and null would otherwise be read as 0 or "".
    birthYear: Type.Optional(Type.Union([Type.Null(), Type.Integer({ maximum: INT_MAX })])),
    phone: Type.Optional(
      Type.Union([Type.Null(), Type.String({ maxLength: 20, description: 'an 11-digit mobile number' })]),
    ),
    emergencyContact: Type.Optional(
      Type.Union([
        Type.Object(
          {
            name: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 100 })])),
            phone: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 20 })])),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
    ),
    preferredChannel: Type.Optional(
      Type.Union([Type.Literal('inapp'), Type.Literal('sms'), Type.Literal('wechat'), Type.Null()]),
    ),
    home: Type.Optional(
      Type.Union(
        [
          Type.Object(
            {
              address: Text(300),
              building: Type.Optional(Type.String({ maxLength: 50 })),
              room: Type.Optional(Type.String({ maxLength: 50 })),
              location: Type.Optional(
                Type.Object(
                  {
                    lat: Type.Number({ minimum: -90, maximum: 90 }),
                    lng: Type.Number({ minimum: -180, maximum: 180 }),
                  },
                  { additionalProperties: false },
                ),
              ),
            },
            { additionalProperties: false },
          ),
          Type.Null(),
        ],
        {
          description:
            'a move: the household at this address of the community (made when none lives there); null: moved away',
        },
      ),
    ),
    updatedAt: Type.Optional(
      Type.String({
        maxLength: 40,
        format: 'date-time',
        description: 'the record as you read it (`updatedAt`)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** A resident with their household and the latest orders the viewer may read. */
export const ResidentDetail = Type.Composite([
  ResidentView,
  Type.Object({
    household: Type.Union([
      Type.Object({
        id: Type.String(),
        address: Type.String(),
        gridId: NullableStr,
        location: Type.Union([Type.Object({ lat: Type.Number(), lng: Type.Number() }), Type.Null()]),
        members: Type.Array(ResidentView, { description: 'the other residents of the household' }),
      }),
      Type.Null(),
    ]),
    recentOrders: Type.Array(
      Type.Object({
        id: Type.String(),
        number: Type.String(),
        status: Type.String(),
        category: Type.String(),
        urgency: Type.String(),
        description: Type.String({
          description: 'typed contact data blanked for this viewer, as in the order itself',
        }),
        createdAt: Type.String({ format: 'date-time' }),
      }),
      { description: 'the latest 10 orders by or for the resident that the viewer may read' },
    ),
  }),
]);

/** What an import did, or (dry run) would do. */
export const ResidentImportReport = Type.Object({
  dryRun: Type.Boolean(),
  encoding: Type.String({
    description: 'how the file was read: `utf-8`, `utf-8-bom`, `utf-16le`, `utf-16be` or `gb18030` (GBK)',
  }),
  rows: Type.Integer(),
  created: Type.Integer({ description: 'residents created (a clean dry run: that would be)' }),
  households: Type.Integer({ description: 'households created (a clean dry run: that would be)' }),
  joined: Type.Integer({
    description:
      'residents placed in a household already registered at their address: they read its orders filed from the import on',
  }),
  skippedEmptyRows: Type.Integer({
    description:
      'rows of empty fields only (`,,,`, as spreadsheets write them) that were skipped; they count neither as rows nor towards the limit',
  }),
  problems: Type.Array(
    Type.Object({
      row: Type.Integer({
        description:
          'the line of the file the row starts on, as a spreadsheet numbers it (1 is the header; blank lines count)',
      }),
      column: Type.String({ description: 'empty when the problem is the whole row or file' }),
      message: Type.String(),
    }),
    { description: 'a dry run lists every problem; an import with any answers 400 instead' },
  ),
});

/** `POST /api/v1/residents/{id}/erase`. */
export const ResidentEraseBody = Type.Object(
  {
    reason: Type.Union(
      ERASURE_REASONS.map((r) => Type.Literal(r)),
      { description: 'why, as a code (kept in the audit entry; no free text, so no personal data there)' },
    ),
    updatedAt: Type.Optional(
      Type.String({
        maxLength: 40,
        format: 'date-time',
        description: 'the record as you read it: a change made meanwhile is refused (409)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** What an erasure did. */
export const ResidentErasureReport = Type.Object({
  residentId: Type.String(),
  erasedAt: Type.String({ format: 'date-time' }),
  reason: Type.String(),
  orders: Type.Integer({
    description: 'orders by or for the resident whose text was anonymised (the orders stay)',
  }),
  events: Type.Integer({ description: 'timeline entries whose note or author’s name was anonymised' }),
  sessions: Type.Integer({ description: 'sessions ended' }),
  messagesCancelled: Type.Integer({ description: 'messages not yet sent, cancelled' }),
  inboxItems: Type.Integer({ description: 'in-app inbox items deleted' }),
  serviceRecordsRejected: Type.Integer({
    description:
      'time bank service records they gave that were still pending, rejected (志愿者的个人信息已删除); those they were to confirm stay pending for staff',
  }),
});

/** A resident's copy of their personal data (see `exportResidentData`). */
export const ResidentDataExport = Type.Object({
  format: Type.Literal('linli.resident-data/1', { description: 'the version of this document’s shape' }),
  exportedAt: Type.String({ format: 'date-time' }),
  resident: ResidentView,
  formerNames: Type.Array(
    Type.Object({
      name: Type.String(),
      until: Type.String({ format: 'date-time', description: 'when a rename replaced it' }),
    }),
    { description: 'names the record held before a rename, oldest first' },
  ),
  household: Type.Union([
    Type.Object({ address: NullableStr, since: NullableStr }, { description: 'where they live, since when' }),
    Type.Null(),
  ]),
  orders: Type.Array(WorkOrderView, {
    description: 'the orders filed by or for the resident, oldest first, with their public timelines',
  }),
  surveys: Type.Array(
    Type.Object({
      orderId: Type.String(),
      channel: Type.String(),
      sentAt: Type.String(),
      answeredAt: NullableStr,
      score: Type.Union([Type.Integer(), Type.Null()]),
      comment: NullableStr,
    }),
  ),
  messages: Type.Array(
    Type.Object({
      channel: Type.String(),
      address: NullableStr,
      template: Type.String(),
      content: Type.Unknown({
        description: 'what the message said (null for a one-time code: never the code)',
      }),
      status: Type.String(),
      createdAt: Type.String(),
      deliveredAt: NullableStr,
    }),
    { description: 'messages sent (or to be sent) to the resident' },
  ),
  inbox: Type.Array(
    Type.Object({
      title: Type.String(),
      body: Type.String(),
      orderId: NullableStr,
      createdAt: Type.String(),
      readAt: NullableStr,
    }),
  ),
  sessions: Type.Array(Type.Object({ startedAt: Type.String(), expiresAt: Type.String() }), {
    description: 'when each signed-in session began and ends (never a token)',
  }),
  timeBank: Type.Object(
    {
      balance: Type.Union([Type.Integer(), Type.Null()], {
        description: 'minutes; null when they never had an account',
      }),
      pendingMinutes: Type.Integer({ description: 'minutes of their service awaiting verification' }),
      records: Type.Array(RecordView, {
        description: 'service they gave or received, oldest first (other residents’ names masked)',
      }),
      postings: Type.Array(HistoryItemView, {
        description: 'every posting of their account, newest first (reversals included)',
      }),
    },
    { description: 'the volunteer time bank (时间银行)' },
  ),
  proposals: Type.Array(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      description: Type.String(),
      status: ProposalStatusSchema,
      filedByStaff: Type.Boolean(),
      budgetEstimate: Type.Union([Type.Integer(), Type.Null()]),
      rejectReason: NullableStr,
      votes: Type.Integer(),
      createdAt: Type.String(),
      decidedAt: NullableStr,
      completedAt: NullableStr,
    }),
    { description: 'the proposals they filed (or an agent filed for them), oldest first' },
  ),
  votes: Type.Array(
    Type.Object({
      proposalId: Type.String(),
      title: Type.String(),
      status: ProposalStatusSchema,
      votedAt: Type.String(),
    }),
    { description: 'the votes they hold (a withdrawn vote is gone), oldest first' },
  ),
});

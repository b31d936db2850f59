/** The time bank's request and response schemas: the types are derived from them, and they feed the OpenAPI document. */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import {
  MAX_MOVE_MINUTES,
  MAX_RECORD_MINUTES,
  RECORD_STATUSES,
  TRANSACTION_KINDS,
} from './time-bank.ledger.ts';

const Id = Type.String({ minLength: 1, maxLength: 64 });
const NullableStr = Type.Union([Type.String(), Type.Null()]);
const literals = <T extends string>(xs: readonly T[], options?: { description: string }) =>
  Type.Union(
    xs.map((x) => Type.Literal(x)),
    options,
  );

export const PersonView = Type.Object({
  id: Type.String(),
  name: Type.String({ description: 'in full to staff and to the person; masked (王**) to other residents' }),
});

export const RecordView = Type.Object({
  id: Type.String(),
  communityId: Type.String(),
  volunteer: PersonView,
  beneficiary: Type.Union([PersonView, Type.Null()]),
  minutes: Type.Integer(),
  serviceDate: Type.String({ description: 'the local day of the service, YYYY-MM-DD' }),
  description: Type.String(),
  workOrderId: NullableStr,
  status: literals(RECORD_STATUSES, {
    description:
      '`pending` until verified (minutes credited) or rejected; `reversed`: verified, and its minutes were taken back by a reversal (冲正) of its earn transaction',
  }),
  version: Type.Integer({ description: 'send it back with a decision to be sure nobody decided first' }),
  rejectReason: NullableStr,
  createdAt: Type.String(),
  decidedAt: NullableStr,
  transactionId: Type.Union([Type.String(), Type.Null()], {
    description: 'the earn transaction of a verified record',
  }),
  reversalId: Type.Union([Type.String(), Type.Null()], {
    description: 'the reversal (冲正) of that earn transaction, when the record is `reversed`',
  }),
  allowed: Type.Array(literals(['verify', 'reject'] as const), {
    description: 'what the caller may do with the record now',
  }),
});

export const HistoryItemView = Type.Object({
  transactionId: Type.String(),
  kind: literals(TRANSACTION_KINDS),
  minutes: Type.Integer({ description: 'signed: minutes in are positive, minutes out negative' }),
  memo: Type.String(),
  createdAt: Type.String(),
  counterparty: Type.Union([Type.String(), Type.Null()], {
    description: 'the other resident of a transfer (masked to residents)',
  }),
  workOrderId: NullableStr,
  recordId: NullableStr,
});

export const AccountView = Type.Object({
  id: Type.String(),
  kind: literals(['resident', 'issuance', 'redemption'] as const),
  balance: Type.Integer({
    description:
      'minutes; the issuance account is minus all minutes minted, the redemption account all minutes spent',
  }),
  resident: Type.Union([
    Type.Object({ id: Type.String(), name: Type.String(), phone: NullableStr }),
    Type.Null(),
  ]),
});

export const TransactionView = Type.Object({
  id: Type.String(),
  communityId: Type.String(),
  kind: literals(TRANSACTION_KINDS),
  memo: Type.String({ description: "what it paid for, a transfer's note, or a reversal's reason" }),
  createdAt: Type.String(),
  recordId: NullableStr,
  workOrderId: NullableStr,
  reversesId: Type.Union([Type.String(), Type.Null()], {
    description: 'a reversal: the transaction it undoes',
  }),
  reversedBy: Type.Union([Type.String(), Type.Null()], {
    description: 'the reversal that undid this transaction, if one did',
  }),
  postings: Type.Array(
    Type.Object({
      accountId: Type.String(),
      accountKind: literals(['resident', 'issuance', 'redemption'] as const),
      resident: Type.Union([PersonView, Type.Null()]),
      minutes: Type.Integer({ description: 'signed: minutes in are positive, minutes out negative' }),
    }),
    { description: 'they sum to zero' },
  ),
  allowed: Type.Array(literals(['reverse'] as const), {
    description: 'what the caller may do with the transaction now',
  }),
});

export const ReverseBody = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'why it is reversed: the memo of the reversal, shown to the residents it posts to',
    }),
  },
  { additionalProperties: false },
);
export type ReverseInput = Static<typeof ReverseBody>;

export const MyAccountView = Type.Object({
  balance: Type.Integer({ description: 'minutes' }),
  pendingMinutes: Type.Integer({ description: 'minutes of your service records awaiting verification' }),
});

export const MoveResult = Type.Object({
  transaction: HistoryItemView,
  balance: Type.Integer({ description: "the resident's balance after it" }),
});

export const RecordBody = Type.Object(
  {
    communityId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'staff serving several communities: id or code',
      }),
    ),
    volunteerId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'staff: who served; a resident records their own service',
      }),
    ),
    beneficiaryId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    beneficiaryPhone: Type.Optional(
      Type.String({ pattern: '^1[3-9][0-9]{9}$', description: 'the beneficiary by their mobile number' }),
    ),
    minutes: Type.Integer({ minimum: 1, maximum: MAX_RECORD_MINUTES }),
    serviceDate: Type.String({
      pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
      description: 'YYYY-MM-DD, not after today nor more than 90 days before it',
    }),
    description: Type.String({ minLength: 1, maxLength: 500 }),
    workOrderId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'an order of the same community' }),
    ),
  },
  { additionalProperties: false },
);
export type RecordInput = Static<typeof RecordBody>;

export const DecisionBody = Type.Object(
  { version: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })) },
  { additionalProperties: false },
);

export const RejectBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    version: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
  },
  { additionalProperties: false },
);

export const TransferBody = Type.Object(
  {
    toPhone: Type.String({
      pattern: '^1[3-9][0-9]{9}$',
      description: "the receiving resident's mobile number",
    }),
    minutes: Type.Integer({ minimum: 1, maximum: MAX_MOVE_MINUTES }),
    memo: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type TransferInput = Static<typeof TransferBody>;

export const RedeemBody = Type.Object(
  {
    minutes: Type.Integer({ minimum: 1, maximum: MAX_MOVE_MINUTES }),
    memo: Type.String({ minLength: 1, maxLength: 200, description: 'the service the minutes pay for' }),
    workOrderId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    residentId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'staff: whose minutes (a resident spends their own)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RedeemInput = Static<typeof RedeemBody>;

export { Id };

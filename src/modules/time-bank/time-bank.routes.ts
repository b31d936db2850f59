/**
 * The time bank over HTTP: a resident's own account and history, service records (record,
 * verify, reject), transfers and redemptions, and the staff views of a community's accounts and
 * transactions, with reversal (冲正) of a posted transaction.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requirePrincipal } from '../../platform/http/principal.hook.ts';
import { errorResponse } from '../../platform/http/errors.plugin.ts';
import { RECORD_STATUSES } from './time-bank.ledger.ts';
import type { TimeBankService } from './time-bank.service.ts';
import {
  AccountView,
  DecisionBody,
  HistoryItemView,
  Id,
  MoveResult,
  MyAccountView,
  RecordBody,
  RecordView,
  RedeemBody,
  RejectBody,
  ReverseBody,
  TransactionView,
  TransferBody,
} from './time-bank.schema.ts';

const TAG = ['time-bank'];
const Cursor = Type.Optional(
  Type.String({ maxLength: 200, description: 'the `nextCursor` of the page before' }),
);
const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'a retry with the same key gets the first answer',
    }),
  ),
});
const Page = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
const moveRefusals = {
  400: errorResponse('`validation_failed` / `invalid_input`: the field is named in `details.field`'),
  403: errorResponse('`forbidden`: not your minutes to move'),
  404: errorResponse(
    '`resident_not_found` / `work_order_not_found`: `details.field` names which (a transfer whose sender was erased meanwhile: `details.id`, the sender)',
  ),
  409: errorResponse(
    '`insufficient_balance`: fewer minutes than needed (`details.balance`); `idempotency_conflict`: the key was used for another request',
  ),
};

export async function registerTimeBankRoutes(root: FastifyInstance, svc: TimeBankService): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/v1/time-bank/me',
    {
      schema: {
        tags: TAG,
        summary: 'My time bank account: balance and minutes awaiting verification (residents)',
        response: { 200: MyAccountView, 403: errorResponse('`forbidden`: residents only') },
      },
    },
    async (request) => svc.myAccount(requirePrincipal(request)),
  );

  app.get(
    '/api/v1/time-bank/me/history',
    {
      schema: {
        tags: TAG,
        summary: "My account's postings, newest first (residents; cursor pagination)",
        querystring: Type.Object(
          { cursor: Cursor, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) },
          { additionalProperties: false },
        ),
        response: { 200: Page(HistoryItemView), 403: errorResponse('`forbidden`: residents only') },
      },
    },
    async (request) =>
      svc.myHistory(requirePrincipal(request), {
        cursor: request.query.cursor,
        limit: request.query.limit ?? 20,
      }),
  );

  app.get(
    '/api/v1/time-bank/records',
    {
      schema: {
        tags: TAG,
        summary:
          'Service records: a resident’s own (as volunteer or beneficiary), staff’s of their communities',
        description: 'Newest first. `status=pending` is the list waiting for verification.',
        querystring: Type.Object(
          {
            community: Type.Optional(
              Type.String({ maxLength: 64, description: 'staff: community id or code' }),
            ),
            status: Type.Optional(Type.Union(RECORD_STATUSES.map((s) => Type.Literal(s)))),
            cursor: Cursor,
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Page(RecordView),
          403: errorResponse('`forbidden`: a role that does not read the time bank'),
        },
      },
    },
    async (request) => {
      const q = request.query;
      return svc.listRecords(requirePrincipal(request), {
        community: q.community,
        status: q.status,
        cursor: q.cursor,
        limit: q.limit ?? 20,
      });
    },
  );

  app.post(
    '/api/v1/time-bank/records',
    {
      schema: {
        tags: TAG,
        summary: 'Record volunteer service (pending until verified)',
        description:
          'A resident records their own service; staff (agent, grid worker, manager, admin) anyone’s of their community (`volunteerId`). The beneficiary, if any, by `beneficiaryId` or `beneficiaryPhone`. Minutes are credited only when the record is verified.',
        body: RecordBody,
        response: {
          201: RecordView,
          400: errorResponse('`validation_failed` / `invalid_input`: the field is named in `details.field`'),
          403: errorResponse('`forbidden`'),
          404: errorResponse('`resident_not_found` / `work_order_not_found` / `community_not_found`'),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await svc.record(requirePrincipal(request), request.body)),
  );

  app.post(
    '/api/v1/time-bank/records/:id/verify',
    {
      schema: {
        tags: TAG,
        summary: 'Verify a service record: its minutes are credited to the volunteer',
        description:
          'By the beneficiary, or by a grid worker, manager or admin of the community. A record already decided answers 409 `invalid_transition`; with `version`, one changed since answers 409 `version_conflict`.',
        params: Type.Object({ id: Id }),
        body: DecisionBody,
        response: {
          200: RecordView,
          403: errorResponse('`forbidden`: not one who may verify'),
          404: errorResponse('`not_found`'),
          409: errorResponse('`invalid_transition` / `version_conflict`'),
        },
      },
    },
    async (request) =>
      svc.decide(requirePrincipal(request), request.params.id, 'verify', { version: request.body.version }),
  );

  app.post(
    '/api/v1/time-bank/records/:id/reject',
    {
      schema: {
        tags: TAG,
        summary: 'Reject a service record, with the reason',
        params: Type.Object({ id: Id }),
        body: RejectBody,
        response: {
          200: RecordView,
          400: errorResponse('`invalid_input`: `reason`'),
          403: errorResponse('`forbidden`: not one who may reject'),
          404: errorResponse('`not_found`'),
          409: errorResponse('`invalid_transition` / `version_conflict`'),
        },
      },
    },
    async (request) =>
      svc.decide(requirePrincipal(request), request.params.id, 'reject', {
        version: request.body.version,
        reason: request.body.reason,
      }),
  );

  app.post(
    '/api/v1/time-bank/transfers',
    {
      schema: {
        tags: TAG,
        summary: 'Give minutes to another resident of my community (residents)',
        description:
          'Send `Idempotency-Key` to make a retry safe: it gets the first answer (header `idempotent-replayed`).',
        headers: IdempotencyHeaders,
        body: TransferBody,
        response: { 201: MoveResult, ...moveRefusals },
      },
    },
    async (request, reply) => {
      const { result, replayed } = await svc.transfer(
        requirePrincipal(request),
        request.body,
        request.headers['idempotency-key'],
      );
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(result);
    },
  );

  app.post(
    '/api/v1/time-bank/redemptions',
    {
      schema: {
        tags: TAG,
        summary: 'Spend minutes on a service',
        description:
          'A resident spends their own minutes; a grid worker, manager or admin may spend a resident’s on their behalf (`residentId`). Send `Idempotency-Key` to make a retry safe.',
        headers: IdempotencyHeaders,
        body: RedeemBody,
        response: { 201: MoveResult, ...moveRefusals },
      },
    },
    async (request, reply) => {
      const { result, replayed } = await svc.redeem(
        requirePrincipal(request),
        request.body,
        request.headers['idempotency-key'],
      );
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(result);
    },
  );

  app.get(
    '/api/v1/time-bank/accounts',
    {
      schema: {
        tags: TAG,
        summary: "A community's time bank accounts and balances (staff)",
        description:
          'The issuance account (minus all minutes minted) and the redemption account (all minutes spent) first, then residents by balance. Phones as the role may see them.',
        querystring: Type.Object(
          {
            community: Type.Optional(Type.String({ maxLength: 64, description: 'community id or code' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Array(AccountView),
          403: errorResponse('`forbidden`: staff who read the time bank only'),
        },
      },
    },
    async (request) =>
      svc.accounts(requirePrincipal(request), request.query.community, request.query.limit ?? 200),
  );

  app.get(
    '/api/v1/time-bank/transactions',
    {
      schema: {
        tags: TAG,
        summary: "A community's transactions with their postings, newest first (staff)",
        description:
          'For staff who read the time bank (agent, grid worker, manager, admin, auditor). `allowed` holds `reverse` for a manager or admin while the transaction may be reversed.',
        querystring: Type.Object(
          {
            community: Type.Optional(Type.String({ maxLength: 64, description: 'community id or code' })),
            cursor: Cursor,
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Page(TransactionView),
          403: errorResponse('`forbidden`: staff who read the time bank only'),
        },
      },
    },
    async (request) =>
      svc.listTransactions(requirePrincipal(request), {
        community: request.query.community,
        cursor: request.query.cursor,
        limit: request.query.limit ?? 20,
      }),
  );

  app.post(
    '/api/v1/time-bank/transactions/:id/reversal',
    {
      schema: {
        tags: TAG,
        summary: 'Reverse (冲正) a posted transaction, with the reason (managers and admins)',
        description:
          'Posts a new `reversal` transaction that turns every posting of the original around; the original stays as it was. Audited as `time_bank.reversed`.',
        params: Type.Object({ id: Id }),
        body: ReverseBody,
        response: {
          201: TransactionView,
          400: errorResponse('`validation_failed` / `invalid_input`: `reason`'),
          403: errorResponse('`forbidden`: not a manager or admin of the community'),
          404: errorResponse('`not_found`: no such transaction in your communities'),
          409: errorResponse(
            '`invalid_transition`: a reversal, or reversed already; `insufficient_balance`: a resident has fewer minutes than it takes back (`details.balance`)',
          ),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await svc.reverse(requirePrincipal(request), request.params.id, request.body)),
  );
}

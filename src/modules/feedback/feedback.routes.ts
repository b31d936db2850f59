import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { requirePrincipal } from '../../platform/http/principal.hook.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { freeTextFor } from '../../platform/auth/privacy.ts';
import type { FeedbackService } from './feedback.service.ts';
import { VISIT_OUTCOMES } from './feedback.service.ts';
import type { ReturnVisitRow, SurveyRow } from './feedback.repository.ts';

const TAG = ['feedback'];
const NullableStr = Type.Union([Type.String(), Type.Null()]);
const NullableInt = Type.Union([Type.Integer(), Type.Null()]);

const ReturnVisitView = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  communityId: Type.String(),
  reason: Type.String({ description: 'low_rating, reopen or low_satisfaction' }),
  rating: NullableInt,
  status: Type.String(),
  dueAt: Type.String(),
  outcome: NullableStr,
  satisfaction: NullableInt,
  note: NullableStr,
  createdAt: Type.String(),
  completedAt: NullableStr,
});

const SurveyView = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  channel: Type.String(),
  sentAt: Type.String(),
  answeredAt: NullableStr,
  score: NullableInt,
  comment: NullableStr,
});

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** A return visit as the viewer may read it: contact data typed into its note blanked for them. */
function presentVisit(viewer: Principal, v: ReturnVisitRow): Static<typeof ReturnVisitView> {
  return {
    id: v.id,
    orderId: v.work_order_id,
    communityId: v.community_id,
    reason: v.reason,
    rating: v.rating,
    status: v.status,
    dueAt: v.due_at,
    outcome: v.outcome,
    satisfaction: v.satisfaction,
    note: freeTextFor(viewer)(v.note),
    createdAt: v.created_at,
    completedAt: v.completed_at,
  };
}

function presentSurvey(s: SurveyRow): Static<typeof SurveyView> {
  return {
    id: s.id,
    orderId: s.work_order_id,
    channel: s.channel,
    sentAt: s.sent_at,
    answeredAt: s.answered_at,
    score: s.score,
    comment: s.comment,
  };
}

export async function registerFeedbackRoutes(root: FastifyInstance, svc: FeedbackService): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/v1/return-visits',
    {
      schema: {
        tags: TAG,
        summary: 'Return visits (回访) to make: low ratings and reopened orders',
        querystring: Type.Object(
          {
            community: Type.Optional(Type.String({ maxLength: 64, description: 'community id or code' })),
            status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('done')])),
            order: Type.Optional(Type.String({ maxLength: 64 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(ReturnVisitView) },
      },
    },
    async (request) => {
      const q = request.query;
      const p = requirePrincipal(request);
      const rows = await svc.listReturnVisits(p, {
        community: q.community,
        status: q.status,
        orderId: q.order,
        limit: q.limit ?? 100,
      });
      return rows.map((v) => presentVisit(p, v));
    },
  );

  app.post(
    '/api/v1/return-visits/:id/complete',
    {
      schema: {
        tags: TAG,
        summary: 'Record the outcome of a return visit',
        params: IdParams,
        body: Type.Object(
          {
            outcome: Type.Union(VISIT_OUTCOMES.map((o) => Type.Literal(o))),
            satisfaction: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ReturnVisitView },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      return presentVisit(p, await svc.completeReturnVisit(p, request.params.id, request.body));
    },
  );

  app.get(
    '/api/v1/surveys',
    {
      schema: {
        tags: TAG,
        summary: 'My satisfaction surveys (residents)',
        querystring: Type.Object({ pending: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Array(SurveyView) },
      },
    },
    async (request) =>
      (await svc.mySurveys(requirePrincipal(request), request.query.pending ?? false)).map(presentSurvey),
  );

  app.post(
    '/api/v1/surveys/:id/answer',
    {
      schema: {
        tags: TAG,
        summary: 'Answer a satisfaction survey (1-5); a low score asks for a return visit',
        params: IdParams,
        body: Type.Object(
          {
            score: Type.Integer({ minimum: 1, maximum: 5 }),
            comment: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: SurveyView },
      },
    },
    async (request) =>
      presentSurvey(await svc.answerSurvey(requirePrincipal(request), request.params.id, request.body)),
  );
}

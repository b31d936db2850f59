import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { Database } from '../../platform/db/database.ts';
import { errorResponse } from '../../platform/http/errors.plugin.ts';
import { requirePrincipal, requireStaff } from '../../platform/http/principal.hook.ts';
import { servedCommunity } from '../tenancy/community.access.ts';
import { communitiesOf } from '../../platform/auth/principal.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { loadContext, presentOrder } from '../work-orders/work-order.presenter.ts';
import { WorkOrderView } from '../work-orders/work-order.schema.ts';
import type { WorkOrderService } from '../work-orders/work-order.service.ts';
import { requireClassifierAdmin } from './classification.service.ts';
import type { ClassificationService, TrainReport as TrainReportOf } from './classification.service.ts';
import { INT_MAX } from '../../platform/http/limits.ts';

const TAG = ['classification'];
const Contribution = Type.Object({ feature: Type.String(), kind: Type.String(), weight: Type.Number() });
const ClassifyResponse = Type.Object({
  category: Type.String(),
  subcategory: Type.Union([Type.String(), Type.Null()]),
  urgency: Type.String(),
  confidence: Type.Number(),
  needsTriage: Type.Boolean(),
  source: Type.String({ description: '`rule` when an emergency rule decided, else `model`' }),
  probabilities: Type.Record(Type.String(), Type.Number()),
  urgencyProbabilities: Type.Union([Type.Record(Type.String(), Type.Number()), Type.Null()]),
  runnerUp: Type.Union([Type.Object({ category: Type.String(), probability: Type.Number() }), Type.Null()]),
  rule: Type.Unknown({ description: 'The emergency rule that fired, or null' }),
  features: Type.Array(Contribution),
  urgencyFeatures: Type.Array(Contribution),
  suspectedEmergency: Type.Boolean({
    description:
      'The model alone voted critical: the urgency is high and a person confirms in triage (only an emergency rule makes an order critical)',
  }),
  modelVersion: Type.Union([Type.Integer(), Type.Literal('default')]),
  tookMs: Type.Number(),
});

const ModelVersion = Type.Union([Type.Integer(), Type.Literal('default')], {
  description: 'a stored version, or `default` for the shipped model',
});
const ModelListing = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  status: Type.String({ description: '`active`, `candidate` or `retired`' }),
  metrics: Type.Record(Type.String(), Type.Unknown(), {
    description:
      'As recorded when the version was stored: a training its held-out scores (`accuracy`, `macroF1`, `urgencyAccuracy`, ' +
      '`holdout`, `examples`, and `current`, those of the model it was judged against); an import `importedFrom` and `examples`',
  }),
  createdAt: Type.String({ format: 'date-time' }),
  activatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'when it was last made active; null if never',
  }),
});
const Scores = {
  accuracy: Type.Number(),
  macroF1: Type.Number(),
  urgencyAccuracy: Type.Number(),
};
const TrainReport = Type.Object({
  community: Type.String({ description: 'the community code' }),
  examples: Type.Integer({ description: 'orders trained on' }),
  corrected: Type.Integer({ description: 'of all the orders read, those whose labels staff corrected' }),
  holdout: Type.Integer({ description: 'held-out orders both models were judged on' }),
  candidate: Type.Object({ version: Type.Integer(), ...Scores }),
  current: Type.Object(
    { version: ModelVersion, ...Scores },
    { description: 'the model in force, judged alike' },
  ),
  activated: Type.Boolean(),
  reason: Type.String(),
  seconds: Type.Number(),
});
/**
 * A response schema serializes: a field the service adds and the schema lacks is dropped from the
 * answer without a word. These fail to compile when the two part.
 */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type ServiceOf<K extends keyof ClassificationService> = ClassificationService[K] extends (
  ...args: never[]
) => Promise<infer R>
  ? R
  : never;
const trainReportMatches: Same<Static<typeof TrainReport>, TrainReportOf> = true;
const listingMatches: Same<Static<typeof ModelListing>, ServiceOf<'models'>[number]> = true;
const activationMatches: Same<Static<typeof Activation>, ServiceOf<'activate'>> = true;
void [trainReportMatches, listingMatches, activationMatches];

const Activation = Type.Object({
  community: Type.String({ description: 'the community code' }),
  active: ModelVersion,
});
const CommunityNotFound = errorResponse('`community_not_found`: no community has this id or code');
const ModelRefusals = {
  401: errorResponse('`unauthenticated`'),
  403: errorResponse('`forbidden`: only admins and managers of the community manage its models'),
};

export async function registerClassificationRoutes(
  root: FastifyInstance,
  svc: ClassificationService,
  workOrders: WorkOrderService,
  database: Database,
) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/api/v1/classify',
    {
      config: { rateLimit: { max: 600, timeWindow: '1 minute' } },
      schema: {
        tags: TAG,
        summary: 'Classify a text: category, urgency, probabilities and why (live suggestion while typing)',
        body: Type.Object(
          {
            text: Type.String({ minLength: 1, maxLength: 4000 }),
            community: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ClassifyResponse },
      },
    },
    async (request) => svc.classify(requirePrincipal(request), request.body.text, request.body.community),
  );

  app.get(
    '/api/v1/triage',
    {
      schema: {
        tags: TAG,
        summary: 'Orders the model was unsure about, waiting for a person to label them',
        querystring: Type.Object(
          {
            community: Type.Optional(Type.String({ maxLength: 64 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(WorkOrderView) }) },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const rows = await svc.triage(p, request.query.community, request.query.limit ?? 100);
      const ctx = await loadContext(database.db, rows);
      const items = [];
      for (const o of rows)
        items.push(presentOrder(p, o, ctx, await workOrders.allowed(p, workOrders.facts(o))));
      return { items };
    },
  );

  app.post(
    '/api/v1/work-orders/:id/classification',
    {
      schema: {
        tags: TAG,
        summary: "Correct an order's category and/or urgency (recorded as a label for retraining)",
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          {
            version: Type.Integer({ minimum: 1, maximum: INT_MAX }),
            category: Type.Optional(Type.String({ maxLength: 80 })),
            urgency: Type.Optional(Type.String({ maxLength: 20 })),
            note: Type.Optional(Type.String({ maxLength: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: WorkOrderView },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const after = await svc.correct(p, request.params.id, request.body);
      const ctx = await loadContext(database.db, [after]);
      return presentOrder(p, after, ctx, await workOrders.allowed(p, workOrders.facts(after)), {
        timeline: await workOrders.timeline(after.id),
      });
    },
  );

  app.get(
    '/api/v1/work-orders/:id/duplicates',
    {
      schema: {
        tags: TAG,
        summary:
          'Open orders of the same community that may report the same problem, with a similarity score',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.String(),
              number: Type.String(),
              description: Type.String(),
              status: Type.String(),
              category: Type.String(),
              score: Type.Number(),
              parts: Type.Record(Type.String(), Type.Number()),
              distanceM: Type.Union([Type.Number(), Type.Null()]),
              hoursApart: Type.Number(),
            }),
          ),
        },
      },
    },
    async (request) => svc.duplicates(requirePrincipal(request), request.params.id),
  );

  /** The community named, when the caller serves it: any other answers as one that does not exist. */
  const communityOf = (p: Principal, ref: string) =>
    servedCommunity(database.db, communitiesOf(p), ref, 'community');

  app.get(
    '/api/v1/classifier/models',
    {
      schema: {
        tags: TAG,
        summary: "A community's model versions with their held-out metrics",
        querystring: Type.Object(
          { community: Type.String({ maxLength: 64 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Array(ModelListing, {
            description: 'newest version first; the shipped default is not listed',
          }),
          400: errorResponse('`validation_failed`'),
          ...ModelRefusals,
          404: CommunityNotFound,
        },
      },
    },
    async (request) => {
      const p = requireStaff(request);
      const c = await communityOf(p, request.query.community);
      requireClassifierAdmin(p, c.id);
      return svc.models(c.id);
    },
  );

  app.post(
    '/api/v1/classifier/train',
    {
      schema: {
        tags: TAG,
        summary: "Retrain on the community's own history; activates only if not worse on held-out orders",
        body: Type.Object(
          {
            community: Type.String({ maxLength: 64 }),
            activate: Type.Optional(
              Type.Union([Type.Literal('auto'), Type.Literal('always'), Type.Literal('never')]),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: TrainReport,
          400: errorResponse(
            '`validation_failed`; `invalid_input`: too few labelled orders to train and judge a model, or the training failed',
          ),
          ...ModelRefusals,
          404: CommunityNotFound,
          409: errorResponse(
            '`conflict`: a model is already being trained on this node (one at a time, each on a thread of its own)',
          ),
        },
      },
    },
    async (request) => {
      const p = requireStaff(request);
      const c = await communityOf(p, request.body.community);
      requireClassifierAdmin(p, c.id);
      return svc.trainFromOrders(c.id, { activate: request.body.activate ?? 'auto', actor: p });
    },
  );

  app.post(
    '/api/v1/classifier/activate',
    {
      schema: {
        tags: TAG,
        summary: 'Activate a model version (0 = the shipped default); also the way to roll back',
        body: Type.Object(
          {
            community: Type.String({ maxLength: 64 }),
            version: Type.Integer({ minimum: 0, maximum: INT_MAX }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Activation,
          400: errorResponse('`validation_failed`'),
          ...ModelRefusals,
          404: errorResponse(
            '`community_not_found`: no community has this id or code; `not_found`: the community has no such version',
          ),
        },
      },
    },
    async (request) => {
      const p = requireStaff(request);
      const c = await communityOf(p, request.body.community);
      requireClassifierAdmin(p, c.id);
      return svc.activate(c.id, request.body.version, p);
    },
  );
}

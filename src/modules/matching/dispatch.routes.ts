import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Clock } from '../../platform/clock.ts';
import { requirePrincipal } from '../../platform/http/principal.hook.ts';
import { presentAssignments, presentCandidates } from './dispatch.presenter.ts';
import { AssignmentsView, CandidatesQuery, CandidatesView, RulesBody, RulesView } from './dispatch.schema.ts';
import type { DispatchService } from './dispatch.service.ts';
import { CommunityQuery, IdParams } from './resource.schema.ts';

const TAG = ['dispatch'];

export async function registerDispatchRoutes(
  root: FastifyInstance,
  svc: DispatchService,
  clock: Clock,
): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/v1/work-orders/:id/candidates',
    {
      schema: {
        tags: TAG,
        summary: 'Ranked candidates for an order, with the parts of each score',
        description:
          'Hard constraints filter (category served, service area, capacity, availability, licences); the ' +
          'explainable score ranks. `baseline` is the keyword-overlap matcher over the same catalogue, and ' +
          '`suggestion` the choice `{ "auto": true }` would make now.',
        params: IdParams,
        querystring: CandidatesQuery,
        response: { 200: CandidatesView },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const limit = request.query.limit ?? 10;
      const r = await svc.candidates(p, request.params.id, {
        limit,
        includeRejected: request.query.includeRejected ?? false,
      });
      return presentCandidates(svc, r, limit, clock.now());
    },
  );

  app.get(
    '/api/v1/work-orders/:id/assignments',
    {
      schema: {
        tags: TAG,
        summary:
          'Every assignment of an order: who, through which lane, accepted, rejected, timed out or transferred',
        params: IdParams,
        response: { 200: AssignmentsView },
      },
    },
    async (request) => presentAssignments(await svc.history(requirePrincipal(request), request.params.id)),
  );

  app.post(
    '/api/v1/work-orders/:id/assignment/accept',
    {
      schema: {
        tags: TAG,
        summary: 'The assignee accepts the order (stops the acceptance deadline)',
        description:
          'To decline, use the `reject` action with a reason; the order then goes to the next candidate.',
        params: IdParams,
        response: { 200: AssignmentsView },
      },
    },
    async (request) => presentAssignments(await svc.accept(requirePrincipal(request), request.params.id)),
  );

  app.get(
    '/api/v1/dispatch/rules',
    {
      schema: {
        tags: TAG,
        summary: "A community's dispatch rules, in the order they are tried",
        querystring: CommunityQuery,
        response: { 200: RulesView },
      },
    },
    async (request) => svc.listRules(requirePrincipal(request), request.query.community),
  );

  app.put(
    '/api/v1/dispatch/rules',
    {
      schema: {
        tags: TAG,
        summary: "Replace a community's dispatch rules (admins and managers)",
        description:
          'Each rule: category (sub-category, top category, or null for any), urgencies and priorities (empty = any), ' +
          'mode `emergency` | `auto` | `queue`, strategy `least_loaded` | `round_robin`, and the acceptance timeout. ' +
          'The first matching rule in list order decides; no match queues the order. Every critical order must ' +
          'reach a rule with mode `emergency` (the emergency lane): a list that leaves any category or priority of ' +
          'critical orders to an `auto` or `queue` rule, or to none, is refused with `invalid_input` naming ' +
          '`rules` (no emergency rule) or `rules[i].mode` (the rule that would catch them first), ' +
          '`details.reason` `emergency_lane_missing` or `emergency_lane_shadowed`, and changes nothing.',
        querystring: CommunityQuery,
        body: RulesBody,
        response: { 200: RulesView },
      },
    },
    async (request) => svc.setRules(requirePrincipal(request), request.query.community, request.body.rules),
  );
}

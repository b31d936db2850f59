import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { decodeCursor, encodeCursor } from '../../platform/cursor.ts';
import type { Clock } from '../../platform/clock.ts';
import { requirePrincipal } from '../../platform/http/principal.hook.ts';
import { presentProposal, presentUpdate } from './proposal.presenter.ts';
import {
  ActionBody,
  CreateBody,
  IdParams,
  ListQuery,
  ListResponse,
  ParticipationQuery,
  ParticipationResponse,
  ProposalDetailView,
  ProposalView,
  VoteResponse,
} from './proposal.schema.ts';
import type { ProposalService } from './proposal.service.ts';

const TAG = ['proposals'];

export async function registerProposalRoutes(
  root: FastifyInstance,
  svc: ProposalService,
  clock: Clock,
): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const now = () => clock.now().toISOString();

  app.get(
    '/api/v1/proposals',
    {
      schema: {
        tags: TAG,
        summary:
          'Proposals (民生微实事), newest first: staff of their communities; residents the public ones and their own',
        querystring: ListQuery,
        response: { 200: ListResponse },
      },
    },
    async (request) => {
      const q = request.query;
      const p = requirePrincipal(request);
      const limit = q.limit ?? 20;
      const page = await svc.list(p, {
        community: q.community,
        status: q.status,
        before: decodeCursor(q.cursor),
        limit: limit + 1,
      });
      const rows = page.rows.slice(0, limit);
      const last = rows[rows.length - 1];
      const at = now();
      return {
        items: rows.map((r) => presentProposal(p, r, page.authors.get(r.author_id), page.voted, at)),
        nextCursor: page.rows.length > limit && last ? encodeCursor(last) : null,
      };
    },
  );

  app.post(
    '/api/v1/proposals',
    {
      schema: {
        tags: TAG,
        summary: 'File a proposal: a resident for themselves, an agent for a resident (代办)',
        body: CreateBody,
        response: { 201: ProposalView },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const r = await svc.propose(p, request.body);
      const page = await svc.get(p, r.id);
      reply.status(201);
      return presentProposal(p, r, page.authors.get(r.author_id), page.voted, now());
    },
  );

  app.get(
    '/api/v1/proposals/:id',
    {
      schema: {
        tags: TAG,
        summary: 'A proposal with its timeline (review, voting, implementation progress)',
        params: IdParams,
        response: { 200: ProposalDetailView },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const d = await svc.get(p, request.params.id);
      const r = d.rows[0];
      if (!r) throw new Error('a proposal read without its row');
      const view = presentProposal(p, r, d.authors.get(r.author_id), d.voted, now());
      return { ...view, updates: d.updates.map((u) => presentUpdate(p, u, view.author.self)) };
    },
  );

  app.post(
    '/api/v1/proposals/:id/actions',
    {
      schema: {
        tags: TAG,
        summary:
          'A step of the lifecycle (managers and admins): review, reject, open_voting, decide, start, progress, complete',
        params: IdParams,
        body: ActionBody,
        response: { 200: ProposalView },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const { action, ...input } = request.body;
      await svc.act(p, request.params.id, action, input);
      const d = await svc.get(p, request.params.id);
      const r = d.rows[0];
      if (!r) throw new Error('a proposal read without its row');
      return presentProposal(p, r, d.authors.get(r.author_id), d.voted, now());
    },
  );

  app.put(
    '/api/v1/proposals/:id/vote',
    {
      schema: {
        tags: TAG,
        summary: 'Vote for a proposal (residents, inside the window); a second vote changes nothing',
        params: IdParams,
        response: { 200: VoteResponse },
      },
    },
    async (request) => svc.vote(requirePrincipal(request), request.params.id),
  );

  app.delete(
    '/api/v1/proposals/:id/vote',
    {
      schema: {
        tags: TAG,
        summary: 'Withdraw one’s vote while the window is open; without a vote it changes nothing',
        params: IdParams,
        response: { 200: VoteResponse },
      },
    },
    async (request) => svc.withdraw(requirePrincipal(request), request.params.id),
  );

  app.get(
    '/api/v1/participation',
    {
      schema: {
        tags: TAG,
        summary:
          'Participation index (参与指数) of the communities the caller serves, ranked, with their grids',
        querystring: ParticipationQuery,
        response: { 200: ParticipationResponse },
      },
    },
    async (request) => svc.participation(requirePrincipal(request), request.query),
  );
}

import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { recheckPrincipal, requireStaff } from '../../platform/http/principal.hook.ts';
import type { WorkOrderService } from '../work-orders/work-order.service.ts';
import { ChangeFeed, eventIdOf, streamResume } from './change-feed.ts';

const POLL_MS = 1000;
const HEARTBEAT_MS = 15_000;

/**
 * The live queue as server-sent events. Each stream asks the database once a second for orders
 * changed since a little before its newest change (`ChangeFeed`: late commits are not lost, and
 * each order version is sent once), so a change made on any app node reaches every dispatcher
 * without a message bus; the caller's scope (communities, grids, assignments) applies. Each poll
 * first checks the caller's session again (cached; a logout is seen at once on this node and
 * within about a second on others) and ends the stream with a `signed_out` event once it is no
 * longer valid. When the node shuts down, its streams end (the browser reconnects after the
 * `retry` delay, to another node or to this one restarted, and resumes from its `Last-Event-ID`:
 * see `streamResume`); otherwise an open dispatch board would hold the shutdown for ever.
 */
export async function registerLiveRoutes(root: FastifyInstance, workOrders: WorkOrderService) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const open = new Set<() => void>();
  root.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
  app.get(
    '/api/v1/events',
    {
      schema: {
        tags: ['live'],
        summary: 'Server-sent events: `work_order` whenever an order in your scope changes',
        querystring: Type.Object(
          { community: Type.Optional(Type.String({ maxLength: 64, description: 'community id or code' })) },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description:
              'An event stream; each `work_order` event carries id, number, status, version and updatedAt, and its event id is updatedAt and the order id (`2026-12-05T08:00:00.000Z/0193…`): a client that reconnects with it as `Last-Event-ID` (as a browser does) gets the changes made while it was away, up to 5 minutes back, and not again the ones it had. `signed_out` ends it after a sign-out, `scope_changed` when the caller was given another role, communities or grids (reconnect to read the new scope).',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
        },
      },
    },
    async (request, reply) => {
      const p = requireStaff(request);
      const scope = workOrders.scopeFilter(p, request.query.community);
      const lastEventId = request.headers['last-event-id'];
      const resume = streamResume(
        workOrders.now().toISOString(),
        typeof lastEventId === 'string' ? lastEventId : undefined,
      );
      const feed = new ChangeFeed(resume.start, undefined, undefined, resume.afterId);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 3000\n\n');
      let closed = false;
      let busy = false;
      let lastWrite = Date.now();
      const stop = () => {
        closed = true;
        clearInterval(timer);
        open.delete(endStream);
      };
      const endStream = () => {
        stop();
        res.end();
      };
      open.add(endStream);
      /**
       * Whether the caller is still signed in with the scope the stream was opened with. A new
       * role, communities or grids end the stream (the browser reconnects into its new scope);
       * the scope is never widened or kept in place.
       */
      const standing = async (): Promise<'same' | 'changed' | 'gone'> => {
        const now = await recheckPrincipal(request);
        if (now?.kind !== 'user' || now.id !== p.id) return 'gone';
        const same =
          now.role === p.role &&
          sameMembers(now.communityIds, p.communityIds) &&
          sameMembers(now.gridIds, p.gridIds);
        return same ? 'same' : 'changed';
      };
      const tick = async () => {
        if (closed || busy) return;
        busy = true;
        try {
          const now = await standing();
          if (now !== 'same') {
            stop();
            res.end(
              now === 'gone' ? 'event: signed_out\ndata: {}\n\n' : 'event: scope_changed\ndata: {}\n\n',
            );
            return;
          }
          const from = feed.readFrom();
          const rows = await workOrders.changedSince(scope, from.since, feed.pageSize, from.afterId);
          for (const r of feed.take(rows)) {
            const data = {
              id: r.id,
              number: r.number,
              status: r.status,
              category: r.category,
              urgency: r.urgency,
              priority: r.priority,
              assigneeId: r.assignee_id,
              version: r.version,
              updatedAt: r.updated_at,
            };
            res.write(`event: work_order\nid: ${eventIdOf(r)}\ndata: ${JSON.stringify(data)}\n\n`);
            lastWrite = Date.now();
          }
          if (Date.now() - lastWrite > HEARTBEAT_MS) {
            res.write(': keep-alive\n\n');
            lastWrite = Date.now();
          }
        } catch (err) {
          request.log.warn({ err }, 'live stream poll failed');
        } finally {
          busy = false;
        }
      };
      const timer = setInterval(() => void tick(), POLL_MS);
      request.raw.on('close', stop);
    },
  );
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/cursor.ts';
import { errorResponse } from '../../platform/http/errors.plugin.ts';
import { requirePrincipal } from '../../platform/http/principal.hook.ts';
import { EXPORT_PAGE_ROWS, csvFile, exportPages } from './work-order.exporter.ts';
import {
  parseCategoryList,
  parseChannelList,
  parseStatusList,
  parseTimeRange,
  parseUrgencyList,
} from './work-order.filters.ts';
import { loadContext, presentOrder } from './work-order.presenter.ts';
import {
  ActionBody,
  ActionParams,
  CreateOrderBody,
  ExportQuery,
  IdParams,
  ListQuery,
  ListResponse,
  NoteBody,
  PhotoFile,
  PhotoInput,
  WorkOrderView,
} from './work-order.schema.ts';
import type { WorkOrderService } from './work-order.service.ts';
import type { ListFilter } from './work-order.repository.ts';
import type { Action } from './work-order.machine.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { readsAllContacts } from '../../platform/auth/privacy.ts';
import type { Database } from '../../platform/db/database.ts';

const TAG = ['work-orders'];

export function buildFilter(svc: WorkOrderService, p: Principal, q: ListQuery, limit: number): ListFilter {
  return {
    ...svc.scopeFilter(p, q.community),
    statuses: parseStatusList(q.status),
    categories: parseCategoryList(q.category),
    grid: q.grid,
    channels: parseChannelList(q.channel),
    urgencies: parseUrgencyList(q.urgency),
    assignee: q.assignee,
    ...parseTimeRange(q),
    text: q.q,
    textMasked: !readsAllContacts(p),
    cursor: decodeCursor(q.cursor),
    limit,
  };
}

export async function registerWorkOrderRoutes(
  root: FastifyInstance,
  svc: WorkOrderService,
  database: Database,
  /** Picks the assignee for a dispatch sent with `{ auto: true }` (matching and dispatch rules). */
  autoAssignee?: (p: Principal, orderId: string) => Promise<string>,
): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const db = () => database.db;

  app.post(
    '/api/v1/work-orders',
    {
      bodyLimit: 40 * 1024 * 1024,
      schema: {
        tags: TAG,
        summary: 'Create a work order from any channel',
        description:
          'Validates, classifies, places in a grid, prioritises, audits and stores the order in one transaction. ' +
          'Send `Idempotency-Key` to make retries safe: a retried create returns the first order. ' +
          'A `communityId` (id or code) of a community the caller does not serve answers 404 `community_not_found`, as an unknown one does.',
        headers: Type.Object({
          'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        }),
        body: CreateOrderBody,
        response: {
          201: WorkOrderView,
          200: WorkOrderView,
          400: errorResponse('`validation_failed` / `invalid_input`: the field is named in `details.field`'),
          401: errorResponse('`unauthenticated`'),
          403: errorResponse('`forbidden`: a channel the caller may not file through'),
          404: errorResponse(
            '`community_not_found`: no community of the caller has this id or code; `resident_not_found`: a `residentId` the caller may not file for',
          ),
          409: errorResponse('`idempotency_conflict`: the `Idempotency-Key` was used for another request'),
        },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const key = request.headers['idempotency-key'];
      const { order, replayed } = await svc.create(
        p,
        request.body,
        typeof key === 'string' ? key : undefined,
      );
      const facts = svc.facts(order);
      const ctx = await loadContext(db(), [order]);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(presentOrder(p, order, ctx, await svc.allowed(p, facts)));
    },
  );

  app.get(
    '/api/v1/work-orders',
    {
      schema: {
        tags: TAG,
        summary: 'List and search orders the caller may see (cursor pagination, newest first)',
        querystring: ListQuery,
        response: { 200: ListResponse },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const limit = request.query.limit ?? 20;
      const rows = await svc.list(buildFilter(svc, p, request.query, limit + 1));
      const page = rows.slice(0, limit);
      const ctx = await loadContext(db(), page);
      const items = [];
      const now = svc.now();
      for (const o of page) items.push(presentOrder(p, o, ctx, await svc.allowed(p, svc.facts(o)), { now }));
      const last = page[page.length - 1];
      const nextCursor = rows.length > limit && last ? encodeCursor(last) : null;
      return { items, nextCursor };
    },
  );

  app.get(
    '/api/v1/work-orders/export.csv',
    {
      schema: {
        tags: TAG,
        summary: 'CSV export of a filtered list (UTF-8 with BOM, opens in Excel)',
        description:
          'Every order the caller may see that matches the filters of `GET /api/v1/work-orders`, newest ' +
          'first, however many, in one file streamed as it is read (a page of ' +
          `${EXPORT_PAGE_ROWS} orders at a time): no paging (\`limit\` and \`cursor\` are refused ` +
          'like any unknown parameter, 400 `validation_failed` naming it).',
        querystring: ExportQuery,
        response: {
          200: {
            description:
              "UTF-8 with a byte order mark, CRLF line ends, a header row; times in the community's zone with their offset (to the second), the grid's name beside its id; the contact data a viewer may not see is masked as in the list",
            // Written as it is read: the schema documents the text, the handler sends a stream of it.
            content: { 'text/csv': { schema: Type.Unsafe<Readable>(Type.String()) } },
          },
          400: errorResponse(
            '`validation_failed`: an unknown parameter (`limit` and `cursor` too); `invalid_input`: a filter value',
          ),
          401: errorResponse('`unauthenticated`'),
          403: errorResponse('`forbidden`: not staff, or a community the caller does not serve'),
        },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      if (p.kind !== 'user') throw new AppError('forbidden', 'staff only');
      const {
        limit: _limit,
        cursor: _cursor,
        ...filter
      } = buildFilter(svc, p, request.query, EXPORT_PAGE_ROWS);
      const file = await csvFile(db(), exportPages(db(), filter, p));
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', 'attachment; filename="work-orders.csv"');
      return reply.send(file);
    },
  );

  app.get(
    '/api/v1/work-orders/:id',
    {
      schema: {
        tags: TAG,
        summary: 'One order with its timeline (internal notes only for staff)',
        params: IdParams,
        response: { 200: WorkOrderView },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const { order, facts } = await svc.getReadable(p, request.params.id);
      const [timeline, photos, ctx, repeats] = await Promise.all([
        svc.timeline(order.id),
        svc.photos(order.id),
        loadContext(db(), [order]),
        svc.repeats(order),
      ]);
      return presentOrder(p, order, ctx, await svc.allowed(p, facts), {
        timeline,
        photos,
        now: svc.now(),
        repeats,
      });
    },
  );

  app.post(
    '/api/v1/work-orders/:id/actions/:action',
    {
      schema: {
        tags: TAG,
        summary: 'Apply a lifecycle action (accept, dispatch, start, resolve, confirm, reopen, …)',
        description:
          'Every action carries the `version` the caller last saw; a stale one answers 409 `version_conflict`. ' +
          'An action the status does not allow answers 409 `invalid_transition`.',
        params: ActionParams,
        body: ActionBody,
        response: { 200: WorkOrderView },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const action = request.params.action as Action;
      const auto = action === 'dispatch' && request.body.auto && !request.body.assigneeId && autoAssignee;
      const body = auto ? { ...request.body, assigneeId: await auto(p, request.params.id) } : request.body;
      const after = await svc.act(p, request.params.id, action, body);
      const ctx = await loadContext(db(), [after]);
      return presentOrder(p, after, ctx, await svc.allowed(p, svc.facts(after)), {
        timeline: await svc.timeline(after.id),
      });
    },
  );

  app.post(
    '/api/v1/work-orders/:id/notes',
    {
      schema: {
        tags: TAG,
        summary: 'Add an internal note or a public reply',
        params: IdParams,
        body: NoteBody,
        response: { 201: Type.Object({ id: Type.String() }) },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const id = await svc.addNote(
        p,
        request.params.id,
        request.body.text,
        request.body.visibility ?? 'internal',
      );
      return reply.status(201).send({ id });
    },
  );

  app.post(
    '/api/v1/work-orders/:id/photos',
    {
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags: TAG,
        summary: 'Attach a photo (base64 JSON)',
        params: IdParams,
        body: PhotoInput,
        response: {
          201: Type.Object({
            id: Type.String(),
            contentType: Type.String(),
            size: Type.Integer(),
            createdAt: Type.String(),
          }),
        },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      return reply.status(201).send(await svc.addPhoto(p, request.params.id, request.body));
    },
  );

  app.get(
    '/api/v1/work-orders/:id/photos/:photoId',
    {
      schema: {
        tags: TAG,
        summary: 'A photo of an order',
        params: Type.Object({ id: Type.String({ maxLength: 64 }), photoId: Type.String({ maxLength: 64 }) }),
        response: {
          200: PhotoFile,
          400: errorResponse('`validation_failed`: an id is too long'),
          401: errorResponse('`unauthenticated`'),
          404: errorResponse(
            '`work_order_not_found`: no such order or not one the caller may read; `not_found`: no such photo of the order',
          ),
        },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const f = await svc.photoFile(p, request.params.id, request.params.photoId);
      reply.header('content-type', f.contentType);
      reply.header('cache-control', 'private, max-age=3600');
      return reply.send(f.data);
    },
  );
}

import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { invalidInput } from '../../platform/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/cursor.ts';
import { requirePrincipal } from '../../platform/http/principal.hook.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { freeTextData, freeTextFor } from '../../platform/auth/privacy.ts';
import type { NotificationService } from './notifications.service.ts';
import type { InboxRow, WebhookRow } from './notifications.repository.ts';
import { redactedWebhookUrl } from './webhook.url.ts';

const TAG = ['notifications'];
const NullableStr = Type.Union([Type.String(), Type.Null()]);

const InboxItem = Type.Object({
  id: Type.String(),
  template: Type.String(),
  title: Type.String(),
  body: Type.String(),
  orderId: NullableStr,
  data: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Type.String(),
  readAt: NullableStr,
});

const PreferencesView = Type.Object({
  mode: Type.Union([Type.Literal('immediate'), Type.Literal('digest')]),
  digestMinutes: Type.Integer(),
  locale: Type.Union([Type.Literal('zh-CN'), Type.Literal('en')]),
});

const WebhookView = Type.Object({
  id: Type.String(),
  communityId: Type.String(),
  url: Type.String({
    description:
      'where events go, shown without its query, fragment or user info (`?[redacted]` says some were left out), ' +
      'where endpoints carry their tokens; deliveries use the URL as it was given',
  }),
  events: Type.Array(Type.String()),
  active: Type.Boolean(),
  createdAt: Type.String(),
});

/**
 * A message as its recipient may read it: contact data typed into a reason, note or response it
 * quotes blanked unless the recipient's role may see it (a resident's messages are about them).
 */
function presentItem(viewer: Principal, i: InboxRow): Static<typeof InboxItem> {
  const text = freeTextFor(viewer, viewer.kind === 'resident');
  const data = freeTextData(JSON.parse(i.payload_json) as Record<string, unknown>, text);
  return {
    id: i.id,
    template: i.template,
    title: text(i.title),
    body: text(i.body),
    orderId: i.order_id,
    data,
    createdAt: i.created_at,
    readAt: i.read_at,
  };
}

function presentWebhook(w: WebhookRow): Static<typeof WebhookView> {
  return {
    id: w.id,
    communityId: w.community_id,
    url: redactedWebhookUrl(w.url),
    events: JSON.parse(w.events_json) as string[],
    active: w.active === 1,
    createdAt: w.created_at,
  };
}

export async function registerNotificationRoutes(
  root: FastifyInstance,
  svc: NotificationService,
): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/v1/inbox',
    {
      schema: {
        tags: TAG,
        summary: 'My in-app messages, newest first, with the unread count',
        querystring: Type.Object(
          {
            unread: Type.Optional(Type.Boolean()),
            cursor: Type.Optional(
              Type.String({
                maxLength: 200,
                description:
                  'the `nextCursor` of the page before; one this API did not give out is refused (400 `invalid_input` naming `cursor`)',
              }),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(InboxItem), unread: Type.Integer(), nextCursor: NullableStr }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 20;
      const p = requirePrincipal(request);
      const { items, unread } = await svc.inbox(p, {
        unread: q.unread,
        before: decodeCursor(q.cursor),
        limit: limit + 1,
      });
      const page = items.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map((i) => presentItem(p, i)),
        unread,
        nextCursor: items.length > limit && last ? encodeCursor(last) : null,
      };
    },
  );

  app.get(
    '/api/v1/inbox/unread-count',
    {
      schema: {
        tags: TAG,
        summary: 'How many in-app messages I have not read',
        response: { 200: Type.Object({ unread: Type.Integer() }) },
      },
    },
    async (request) => ({ unread: await svc.unreadCount(requirePrincipal(request)) }),
  );

  app.post(
    '/api/v1/inbox/read',
    {
      schema: {
        tags: TAG,
        summary: 'Mark messages read: the ids given, or all',
        body: Type.Object(
          {
            ids: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 500 })),
            all: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ marked: Type.Integer(), unread: Type.Integer() }) },
      },
    },
    async (request) => {
      const b = request.body;
      if (!b.all && !b.ids) throw invalidInput('ids', 'give ids, or all: true');
      return svc.markRead(requirePrincipal(request), b.all ? 'all' : (b.ids ?? []));
    },
  );

  app.get(
    '/api/v1/inbox/:id',
    {
      schema: {
        tags: TAG,
        summary: 'One message (marks it read)',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: InboxItem },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      return presentItem(p, await svc.readOne(p, request.params.id));
    },
  );

  app.get(
    '/api/v1/me/notification-preferences',
    { schema: { tags: TAG, summary: 'My delivery preferences (staff)', response: { 200: PreferencesView } } },
    async (request) => svc.preferences(requirePrincipal(request)),
  );

  app.put(
    '/api/v1/me/notification-preferences',
    {
      schema: {
        tags: TAG,
        summary: 'Choose immediate delivery or a digest every N minutes, and the language',
        body: Type.Object(
          {
            mode: Type.Optional(Type.Union([Type.Literal('immediate'), Type.Literal('digest')])),
            digestMinutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 10080 })),
            locale: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])),
          },
          { additionalProperties: false },
        ),
        response: { 200: PreferencesView },
      },
    },
    async (request) => svc.setPreferences(requirePrincipal(request), request.body),
  );

  app.get(
    '/api/v1/webhooks',
    {
      schema: {
        tags: TAG,
        summary: 'Webhook subscriptions of my communities',
        response: { 200: Type.Array(WebhookView) },
      },
    },
    async (request) => (await svc.listWebhooks(requirePrincipal(request))).map(presentWebhook),
  );

  app.post(
    '/api/v1/webhooks',
    {
      schema: {
        tags: TAG,
        summary:
          'Subscribe a URL to order, SLA and audit-anchor events; the secret for the HMAC signature is shown once',
        description:
          'Deliveries are POSTed as JSON with `X-Linli-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, ' +
          '`X-Linli-Event` and `X-Linli-Delivery` (idempotency key); retried with back-off on failure or timeout.',
        body: Type.Object(
          {
            url: Type.String({ minLength: 8, maxLength: 500 }),
            events: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 50 }),
            communityId: Type.Optional(Type.String({ maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Intersect([WebhookView, Type.Object({ secret: Type.String() })]) },
      },
    },
    async (request, reply) => {
      const { hook, secret } = await svc.createWebhook(requirePrincipal(request), request.body);
      return reply.status(201).send({ ...presentWebhook(hook), secret });
    },
  );

  app.delete(
    '/api/v1/webhooks/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Remove a webhook subscription',
        description:
          'Its events still waiting to go out are cancelled (status `cancelled`, with the reason), never marked ' +
          'delivered; the audit entry `webhook.deleted` counts them (`cancelledEvents`).',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await svc.deleteWebhook(requirePrincipal(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}

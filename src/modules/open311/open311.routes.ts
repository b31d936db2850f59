/**
 * GeoReport v2 under /open311/v2, in XML (required by the standard) and JSON. Thin handlers:
 * read the parameters, establish the caller (api_key), call the Open311 service, answer in the
 * format the path names. Errors are the standard's list, never the core API's error object.
 */
import formbody from '@fastify/formbody';
import { parseForm } from './open311.form.ts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { publicBaseUrl } from '../../platform/config.ts';
import type { Deps } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import type { AuthService } from '../auth/auth.service.ts';
import { PhotoFile } from '../work-orders/work-order.schema.ts';
import type { WorkOrderService } from '../work-orders/work-order.service.ts';
import { Open311Error, badRequest, forbidden } from './open311.errors.ts';
import type { Open311Issue, Open311Status } from './open311.errors.ts';
import { parseBoolean } from './open311.query.ts';
import {
  CommonQuery,
  CreateRequestBody,
  CreatedView,
  DiscoveryView,
  ErrorList,
  FormatParams,
  RequestsQuery,
  RequestUpdateView,
  RequestView,
  ServiceDefinitionView,
  ServiceView,
  TokenView,
  UpdatesQuery,
} from './open311.schema.ts';
import { Open311Service } from './open311.service.ts';
import type { Caller } from './open311.service.ts';
import type { Format, Locale } from './open311.types.ts';
import { toXml } from './open311.xml.ts';
import type { XmlValue } from './open311.xml.ts';

export const OPEN311_PREFIX = '/open311/v2';
const FORMATS: readonly Format[] = ['json', 'xml'];
const TAGS = ['open311'];
/** Sortable stamp of the published API and service definitions (service discovery's changeset). */
const CHANGESET = '2026-11-21T10:00:00+08:00';

export interface Open311Limits {
  /** Requests per IP address and route in `windowMs`. */
  perIp: number;
  /** Requests per api_key, all routes together, in `windowMs`. */
  perKey: number;
  windowMs: number;
}

export const DEFAULT_LIMITS: Open311Limits = { perIp: 600, perKey: 300, windowMs: 60_000 };

export interface Open311RouteOptions {
  deps: Deps;
  auth: AuthService;
  workOrders: WorkOrderService;
  limits?: Partial<Open311Limits>;
}

/** `.json` / `.xml` at the end of a path, or null. */
export function formatOf(url: string): Format | null {
  const path = url.split('?')[0] ?? '';
  if (path.endsWith('.json')) return 'json';
  if (path.endsWith('.xml')) return 'xml';
  return null;
}

/** `basic_living.water_electric.json` → [`basic_living.water_electric`, `json`]. */
function splitFile(file: string): [string, Format] {
  const dot = file.lastIndexOf('.');
  const fmt = dot === -1 ? '' : file.slice(dot + 1);
  if (dot <= 0 || (fmt !== 'json' && fmt !== 'xml'))
    throw badRequest('format: append .xml or .json to the resource');
  return [decodeURIComponent(file.slice(0, dot)), fmt];
}

const localeOf = (v: unknown): Locale => (typeof v === 'string' && /^en/i.test(v.trim()) ? 'en' : 'zh');

function send(reply: FastifyReply, fmt: Format, root: string, value: XmlValue, status = 200) {
  reply.code(status);
  if (fmt === 'json') return reply.type('application/json; charset=utf-8').send(value);
  return reply.type('text/xml; charset=utf-8').send(toXml(root, value));
}

function sendErrors(reply: FastifyReply, fmt: Format, status: Open311Status, issues: Open311Issue[]) {
  return send(reply, fmt, 'errors', issues as unknown as XmlValue, status);
}

/**
 * A refusal made outside the Open311 handlers (headers or URL too large, a request or body too
 * slow, a node shutting down) of an `/open311/` path, in the standard's error list and the format
 * the path names (XML when it names none); null for any other path.
 */
export function open311Refusal(url: string, status: number, description: string) {
  if (!url.startsWith('/open311/')) return null;
  const issues = [{ code: status, description }];
  return formatOf(url) === 'json'
    ? { contentType: 'application/json; charset=utf-8', body: JSON.stringify(issues) }
    : { contentType: 'text/xml; charset=utf-8', body: toXml('errors', issues as unknown as XmlValue) };
}

/** A request refused before routing (a URL that cannot be decoded), in the standard's error list. */
export function sendOpen311Refusal(reply: FastifyReply, url: string, description: string) {
  return sendErrors(reply, formatOf(url) ?? 'xml', 400, [{ code: 400, description }]);
}

/** Maps any error to the standard's list: 403 key, 404 missing, 429 limit, 400 anything else a client caused. */
function toOpen311(err: FastifyError | Error): Open311Error {
  if (err instanceof Open311Error) return err;
  if (err instanceof AppError) {
    const field = typeof err.details?.field === 'string' ? `${err.details.field}: ` : '';
    const s = err.status;
    const status: Open311Status = s === 403 || s === 404 || s === 429 ? s : s >= 500 ? 500 : 400;
    if (status === 500) return new Open311Error(500, ['internal error: please try again later']);
    return new Open311Error(status, [`${field}${err.message}`]);
  }
  const fe = err as FastifyError;
  if (fe.validation) {
    const v = fe.validation[0];
    const path = (v?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    const extra = (v?.params as { additionalProperty?: string } | undefined)?.additionalProperty;
    const field = path || extra || fe.validationContext || 'request';
    return badRequest(`${field}: ${v?.message ?? 'is invalid'}`);
  }
  if (fe.statusCode === 429) return new Open311Error(429, [fe.message]);
  if (fe.statusCode !== undefined && fe.statusCode < 500)
    return badRequest(fe.message.replace(/^FST_\w+: /, ''));
  return new Open311Error(500, ['internal error: please try again later']);
}

function communityContact(c: { name: string; nameEn: string; hotline: string | null }, en: boolean) {
  return en
    ? `${c.nameEn} service centre${c.hotline ? `, hotline ${c.hotline}` : ''}`
    : `${c.name}服务中心${c.hotline ? `，热线 ${c.hotline}` : ''}`;
}

/** The contact of an endpoint serving several communities: which jurisdiction_id to send. */
function severalContact(codes: string[], en: boolean) {
  const list = codes.slice(0, 50).join(', ') + (codes.length > 50 ? ', …' : '');
  return en
    ? `Several communities are served here: send jurisdiction_id (${list}) with every request; each community's service centre answers for it.`
    : `本接口服务多个社区：每个请求都须带 jurisdiction_id（${list}）；各社区服务中心负责解答。`;
}

/** Registers the Open311 API; answers the service (the SLA module can plug real deadlines into it). */
/** Parameters of the URL added to a POST's form; the names sent in both with different values. */
export function queryIntoForm(query: unknown, body: unknown): { body: unknown; conflicts: string[] } {
  if (typeof query !== 'object' || query === null || Object.keys(query).length === 0)
    return { body, conflicts: [] };
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body)))
    return { body, conflicts: [] };
  const form: Record<string, unknown> = { ...((body ?? {}) as Record<string, unknown>) };
  const conflicts: string[] = [];
  for (const [k, v] of Object.entries(query as Record<string, unknown>)) {
    if (!(k in form)) form[k] = v;
    else if (JSON.stringify(form[k]) !== JSON.stringify(v)) conflicts.push(k);
  }
  return { body: form, conflicts };
}

export async function registerOpen311Routes(
  root: FastifyInstance,
  opts: Open311RouteOptions,
): Promise<Open311Service> {
  const svc = new Open311Service(opts.deps, opts.workOrders);
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const keyIds = new WeakMap<FastifyRequest, string>();
  const keyLimiter = root.createRateLimit({
    max: limits.perKey,
    timeWindow: limits.windowMs,
    keyGenerator: (req) => `open311-key:${keyIds.get(req) ?? ''}`,
  });
  const rateLimit = {
    max: limits.perIp,
    timeWindow: limits.windowMs,
    keyGenerator: (req: FastifyRequest) => `open311-ip:${req.ip}`,
    errorResponseBuilder: (_req: FastifyRequest, ctx: { max: number; after: string }) =>
      new Open311Error(429, [`rate limit: at most ${ctx.max} requests in ${ctx.after} from one address`]),
  };

  /** Who is asking: the api_key (query, form or X-Api-Key) and the locale; the configured base URL. */
  async function callerOf(
    request: FastifyRequest,
    params: { api_key?: string | undefined; locale?: string | undefined },
  ) {
    const header = request.headers['x-api-key'];
    const sent = params.api_key?.trim() || (typeof header === 'string' ? header.trim() : '');
    const key = sent ? await opts.auth.principalForApiKey(sent) : null;
    if (sent && key?.kind !== 'api_key') throw forbidden('api_key: invalid');
    const caller: Caller = {
      key: key?.kind === 'api_key' ? key : null,
      locale: localeOf(params.locale),
      baseUrl: publicBaseUrl(opts.deps.config),
    };
    if (caller.key) {
      keyIds.set(request, caller.key.id);
      const r = await keyLimiter(request);
      if (!r.isAllowed && r.isExceeded)
        throw new Open311Error(429, [`rate limit: at most ${r.max} requests per minute for this api_key`]);
    }
    return { caller, keySent: sent !== '' };
  }

  await root.register(
    async (scope) => {
      // Form bodies, as GeoReport v2 posts them, here only: elsewhere a form is what a page of
      // another site can post without asking, and the API takes JSON.
      await scope.register(formbody, { parser: parseForm });
      const app = scope.withTypeProvider<TypeBoxTypeProvider>();
      app.setErrorHandler((err: FastifyError, request, reply) => {
        const e = toOpen311(err);
        if (e.status === 500) request.log.error({ err }, 'open311: unhandled error');
        return sendErrors(reply, formatOf(request.url) ?? 'xml', e.status, e.issues);
      });
      app.setNotFoundHandler((request, reply) =>
        sendErrors(reply, formatOf(request.url) ?? 'xml', 404, [
          { code: 404, description: `no resource ${request.method} ${request.url.split('?')[0]}` },
        ]),
      );
      const errors = { 400: ErrorList, 403: ErrorList, 404: ErrorList, 429: ErrorList };
      const routeConfig = { rateLimit };

      for (const fmt of FORMATS) {
        const hide = fmt === 'xml';
        app.get(
          `/discovery.${fmt}`,
          {
            config: routeConfig,
            schema: {
              hide,
              tags: TAGS,
              summary: 'Service discovery (also .xml)',
              querystring: CommonQuery,
              response: { 200: DiscoveryView, ...errors },
            },
          },
          async (request, reply) => {
            const { caller } = await callerOf(request, request.query);
            const c = await svc.discoveryScope(request.query.jurisdiction_id);
            const en = caller.locale === 'en';
            const body = {
              changeset: CHANGESET,
              contact: 'codes' in c ? severalContact(c.codes, en) : communityContact(c, en),
              key_service: en
                ? 'Ask the community service centre for an Open311 api_key for your application.'
                : '请向社区服务中心申请 Open311 api_key。',
              endpoints: [
                {
                  specification: 'http://wiki.open311.org/GeoReport_v2',
                  url: `${caller.baseUrl}${OPEN311_PREFIX}`,
                  changeset: CHANGESET,
                  type: 'production',
                  formats: ['text/xml', 'application/json'],
                },
              ],
            };
            return send(reply, fmt, 'discovery', body);
          },
        );

        app.get(
          `/services.${fmt}`,
          {
            config: routeConfig,
            schema: {
              hide,
              tags: TAGS,
              summary: 'Service list: one per category and sub-category (also .xml)',
              querystring: CommonQuery,
              response: { 200: Type.Array(ServiceView), ...errors },
            },
          },
          async (request, reply) => {
            const { caller } = await callerOf(request, request.query);
            await svc.jurisdiction(request.query.jurisdiction_id);
            return send(reply, fmt, 'services', await svc.listServices(caller.locale));
          },
        );

        app.post(
          `/requests.${fmt}`,
          {
            config: routeConfig,
            // Clients put some parameters in the URL (jurisdiction_id, api_key): read them as if
            // sent in the form, so a request is never filed somewhere other than where it said.
            preValidation: async (request) => {
              const merged = queryIntoForm(request.query, request.body);
              if (merged.conflicts.length)
                throw new Open311Error(
                  400,
                  merged.conflicts.map((k) => `${k}: sent in the URL and in the form with different values`),
                );
              request.body = merged.body as typeof request.body;
            },
            schema: {
              hide,
              tags: TAGS,
              summary: 'Submit a service request (form-urlencoded; also .xml)',
              consumes: ['application/x-www-form-urlencoded'],
              description:
                'Needs `api_key`. `attribute[CODE]=v` and `attribute[CODE][]=v` answer the service definition. ' +
                'Parameters may also be sent in the URL (`?jurisdiction_id=…&api_key=…`); one sent in both with ' +
                'different values is refused with 400. ' +
                'The request becomes a work order on the `open311` channel through the usual intake. ' +
                'Without an `Idempotency-Key`, exactly the same parameters from the same api_key within 2 minutes ' +
                'are a retry, answered with the first answer (same `service_request_id` or token) and no second order.',
              headers: Type.Object({
                'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              }),
              body: CreateRequestBody,
              response: { 200: Type.Array(CreatedView), ...errors },
            },
          },
          async (request, reply) => {
            const body = request.body as CreateRequestBody & Record<string, unknown>;
            const { caller, keySent } = await callerOf(request, body);
            const key = svc.requireKey(caller, keySent);
            const idem = request.headers['idempotency-key'];
            const created = await svc.create(caller, key, body, typeof idem === 'string' ? idem : undefined);
            return send(reply, fmt, 'service_requests', [created]);
          },
        );

        app.get(
          `/requests.${fmt}`,
          {
            config: routeConfig,
            schema: {
              hide,
              tags: TAGS,
              summary: 'Service requests with filters (also .xml)',
              description:
                '`service_request_id` (comma list of at most 200 ids) overrides the other filters. Dates are W3C date-times with zone; ' +
                'the window defaults to the last 90 days and may not span more; at most 1,000 rows (page/page_size).',
              querystring: RequestsQuery,
              response: { 200: Type.Array(RequestView), ...errors },
            },
          },
          async (request, reply) => {
            const { caller } = await callerOf(request, request.query);
            const c = await svc.jurisdiction(request.query.jurisdiction_id);
            return send(reply, fmt, 'service_requests', await svc.listRequests(caller, c, request.query));
          },
        );

        app.get(
          `/servicerequestupdates.${fmt}`,
          {
            config: routeConfig,
            schema: {
              hide,
              tags: TAGS,
              summary: "Status history of requests (mySociety's extension; also .xml)",
              querystring: UpdatesQuery,
              response: { 200: Type.Array(RequestUpdateView), ...errors },
            },
          },
          async (request, reply) => {
            const { caller } = await callerOf(request, request.query);
            const c = await svc.jurisdiction(request.query.jurisdiction_id);
            const updates = await svc.updates(caller, c, request.query);
            return send(reply, fmt, 'service_request_updates', updates);
          },
        );
      }

      app.get(
        '/services/:file',
        {
          config: routeConfig,
          schema: {
            tags: TAGS,
            summary: 'Service definition: the extra questions of `{service_code}.{json|xml}`',
            params: FormatParams,
            querystring: CommonQuery,
            response: { 200: ServiceDefinitionView, ...errors },
          },
        },
        async (request, reply) => {
          const [code, fmt] = splitFile(request.params.file);
          const { caller } = await callerOf(request, request.query);
          await svc.jurisdiction(request.query.jurisdiction_id);
          return send(reply, fmt, 'service_definition', await svc.definition(code, caller.locale));
        },
      );

      app.get(
        '/requests/:file',
        {
          config: routeConfig,
          schema: {
            tags: TAGS,
            summary: 'One service request: `{service_request_id}.{json|xml}`',
            params: FormatParams,
            querystring: Type.Object({
              ...CommonQuery.properties,
              extensions: Type.Optional(Type.String({ maxLength: 10 })),
            }),
            response: { 200: Type.Array(RequestView), ...errors },
          },
        },
        async (request, reply) => {
          const [id, fmt] = splitFile(request.params.file);
          const { caller } = await callerOf(request, request.query);
          const c = await svc.jurisdiction(request.query.jurisdiction_id);
          const one = await svc.getRequest(caller, c, id, parseBoolean(request.query.extensions));
          return send(reply, fmt, 'service_requests', one);
        },
      );

      app.get(
        '/tokens/:file',
        {
          config: routeConfig,
          schema: {
            tags: TAGS,
            summary: 'The service_request_id of a token: `{token}.{json|xml}`',
            params: FormatParams,
            querystring: CommonQuery,
            response: { 200: Type.Array(TokenView), ...errors },
          },
        },
        async (request, reply) => {
          const [token, fmt] = splitFile(request.params.file);
          await callerOf(request, request.query);
          const c = await svc.jurisdiction(request.query.jurisdiction_id);
          return send(reply, fmt, 'service_requests', [await svc.token(c, token)]);
        },
      );

      app.get(
        '/media/:photoId',
        {
          config: routeConfig,
          schema: {
            tags: TAGS,
            summary: 'A photo of a public service request (extended_attributes.photos)',
            params: Type.Object({ photoId: Type.String({ maxLength: 64 }) }),
            querystring: CommonQuery,
            response: { 200: PhotoFile, ...errors },
          },
        },
        async (request, reply) => {
          const { caller } = await callerOf(request, request.query);
          const m = await svc.media(caller, request.params.photoId);
          reply.header('cache-control', 'public, max-age=3600');
          return reply.type(m.contentType).send(m.data);
        },
      );
    },
    { prefix: OPEN311_PREFIX },
  );
  return svc;
}

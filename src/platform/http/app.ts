import { StaffService } from '../../modules/staff/staff.service.ts';
import { CacheCoherence } from '../cache/coherence.ts';
import { databaseRateLimitStore } from './rate-limit.store.ts';
import { registerStaffRoutes } from '../../modules/staff/staff.routes.ts';
import { ProposalService } from '../../modules/proposals/proposal.service.ts';
import { registerProposalRoutes } from '../../modules/proposals/proposal.routes.ts';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyLoggerOptions, FastifyReply } from 'fastify';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import type { Deps } from '../context.ts';
import { ping } from '../db/database.ts';
import {
  registerErrorHandler,
  ErrorBody,
  errorBody,
  notFoundBody,
  clientErrorHandlerFor,
  registerClosingRefusal,
} from './errors.plugin.ts';
import { registerPrincipalHook, registerSignInFirst } from './principal.hook.ts';
import { logSerializers } from './log-redaction.ts';
import { registerResponseHeaders, requestIdOf, stampResponse } from './response-headers.ts';
import { registerBodyDeadline } from './timeouts.ts';
import { registerCommunityRefHook } from './community-ref.hook.ts';
import { AuthService } from '../../modules/auth/auth.service.ts';
import { registerAuthRoutes } from '../../modules/auth/auth.routes.ts';
import { registerAuditRoutes } from '../../modules/audit/audit.routes.ts';
import { registerSigningKey } from '../../modules/audit/audit.repository.ts';
import { loadOrCreateSigningKey } from '../../modules/audit/audit.signing-key.ts';
import type { SigningKey } from '../../modules/audit/audit.checkpoint.ts';
import { WorkOrderService } from '../../modules/work-orders/work-order.service.ts';
import { registerWorkOrderRoutes } from '../../modules/work-orders/work-order.routes.ts';
import { GridLocator } from '../../modules/tenancy/grid-locator.ts';
import { registerTenancyRoutes } from '../../modules/tenancy/tenancy.routes.ts';
import { servedCommunityIdByCode } from '../../modules/tenancy/tenancy.repository.ts';
import { registerResidentRoutes } from '../../modules/people/resident.routes.ts';
import { ResidentService } from '../../modules/people/resident.service.ts';
import { defaultClassifier, defaultPrioritize } from '../../modules/work-orders/work-order.defaults.ts';
import { ClassificationService } from '../../modules/classification/classification.service.ts';
import { registerClassificationRoutes } from '../../modules/classification/classification.routes.ts';
import {
  open311Refusal,
  registerOpen311Routes,
  sendOpen311Refusal,
} from '../../modules/open311/open311.routes.ts';
import { SlaModule } from '../../modules/sla/sla.module.ts';
import { registerSlaRoutes } from '../../modules/sla/sla.routes.ts';
import { CatalogueService } from '../../modules/matching/resource.service.ts';
import { ServicePackageService } from '../../modules/matching/service-package.service.ts';
import { DispatchService } from '../../modules/matching/dispatch.service.ts';
import { registerResourceRoutes } from '../../modules/matching/resource.routes.ts';
import { registerDispatchRoutes } from '../../modules/matching/dispatch.routes.ts';
import { GridService } from '../../modules/grids/grid.service.ts';
import { registerGridRoutes } from '../../modules/grids/grid.routes.ts';
import { registerAnalyticsRoutes } from '../../modules/analytics/analytics.routes.ts';
import { registerForecastRoutes } from '../../modules/analytics/forecast.routes.ts';
import { LazyCompilers } from './lazy-compilers.ts';
import { registerNulGuard } from './nul.hook.ts';
import { tidyUnions } from './openapi-unions.ts';
import { registerLiveRoutes } from '../../modules/live/live.routes.ts';
import { TimeBankService } from '../../modules/time-bank/time-bank.service.ts';
import { registerTimeBankRoutes } from '../../modules/time-bank/time-bank.routes.ts';

export interface Services {
  auth: AuthService;
  workOrders: WorkOrderService;
  catalogue: CatalogueService;
  dispatch: DispatchService;
  residents: ResidentService;
  classification: ClassificationService;
  grids: GridLocator;
  sla: SlaModule;
  coherence: CacheCoherence;
  proposals: ProposalService;
  /** This node's audit checkpoint signing key; null when signing is off. */
  auditSigner: SigningKey | null;
}

export interface BuiltApp {
  app: FastifyInstance;
  services: Services;
  /** Request validators and response serializers, compiled on first use (`compileAll` forces them). */
  compilers: LazyCompilers;
}

export interface AppOptions {
  /** Serve the built web apps from this folder when it exists. */
  webRoot?: string;
  /** Request logging (URLs redacted, see `log-redaction.ts`); a stream only for tests that read the log. */
  logger?: boolean | { level: string; stream?: FastifyLoggerOptions['stream'] };
}

/** Paths the web app never routes to: its built files, and anything named like a file. */
const FILE_LIKE = /^\/assets\/|\.[A-Za-z0-9]+$/;

/** Builds the whole HTTP application on injected dependencies (tests call this with `inject`, no socket). */
export async function buildApp(deps: Deps, options: AppOptions = {}): Promise<BuiltApp> {
  const compilers = new LazyCompilers();
  const logger = options.logger ?? false;
  const requestTimeoutMs = deps.config.requestTimeoutSeconds * 1000;
  const app = Fastify({
    logger: logger === false ? false : { ...(logger === true ? {} : logger), serializers: logSerializers },
    // The caller's X-Request-Id when it is plain, else a random UUID (Fastify counts from req-1 per process).
    genReqId: requestIdOf,
    // Fastify turns Node's request timeout off (0); see `Config.requestTimeoutSeconds`. Node checks
    // it every `connectionsCheckingInterval`, and its header timeout may not exceed it.
    requestTimeout: requestTimeoutMs,
    http: {
      headersTimeout: requestTimeoutMs > 0 ? Math.min(60_000, requestTimeoutMs) : 60_000,
      connectionsCheckingInterval: Math.max(100, Math.min(30_000, requestTimeoutMs / 10 || 30_000)),
    },
    // Idle keep-alive connections close after Fastify's 72 s (longer than load balancers' usual 60 s);
    // the socket idle timeout stays off, since event streams and long exports are legitimately quiet.
    // Slow or broken requests (408, 431, 400) and shutdown's 503 get the error envelope too.
    clientErrorHandler: clientErrorHandlerFor(open311Refusal),
    return503OnClosing: false,
    bodyLimit: 1024 * 1024,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
    // Refused before any route is found (a URL that cannot be decoded): answered like every other
    // refusal, with the error envelope (Open311's list under /open311/), not Fastify's own body.
    frameworkErrors: (err, request, reply) => {
      // No hook runs for these, so the response headers are stamped here.
      stampResponse(reply.raw, request.id, request.url);
      const message = err.message.replace(/^FST_\w+: /, '');
      if (request.url.startsWith('/open311/')) return sendOpen311Refusal(reply, request.url, message);
      return (reply as FastifyReply).status(400).send(errorBody('invalid_input', message));
    },
    // Behind a reverse proxy, LINLI_TRUST_PROXY (hops or addresses) says whose X-Forwarded-For to believe.
    trustProxy: trustFunction(deps.config.trustProxy),
    schemaController: {
      compilersFactory: {
        buildSerializer: compilers.serializers(),
        buildValidator: compilers.validators() as never,
      },
    },
  });
  registerResponseHeaders(app);
  registerClosingRefusal(app, open311Refusal);
  registerErrorHandler(app);
  registerNulGuard(app);
  registerBodyDeadline(app, requestTimeoutMs, open311Refusal);
  app.addSchema(ErrorBody);

  await app.register(cookie);
  // Counters shared through the database where several nodes may run (PostgreSQL), in memory on SQLite.
  const sharedLimits = deps.config.sharedRateLimits ?? deps.database.dialect === 'postgres';
  await app.register(rateLimit, {
    global: false,
    ...(sharedLimits ? { store: databaseRateLimitStore(deps.database.db) as never } : {}),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Linli 邻里 API',
        version: '0.1.0',
        description:
          'One door, one order, one loop: intake from every channel, understanding, dispatch, SLA, closure, audit. ' +
          'Errors are always `{ "error": { "code", "message", "details" } }`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        },
      },
      security: [{ bearer: [] }],
    },
    // Literal and nullable unions as OpenAPI 3.0 writes them (`enum` with null, `nullable`).
    transformObject: (d) => ('openapiObject' in d ? tidyUnions(d.openapiObject) : d.swaggerObject),
  });

  const auth = new AuthService(deps);
  registerPrincipalHook(app, auth);
  registerSignInFirst(app);
  registerCommunityRefHook(app, (ids, code) => servedCommunityIdByCode(deps.database.db, ids, code));
  const grids = new GridLocator(deps.database.db);
  const workOrders = new WorkOrderService(deps, grids, defaultClassifier(), defaultPrioritize);
  const catalogue = new CatalogueService(deps);
  const dispatch = new DispatchService(deps, catalogue, workOrders);
  workOrders.hooks.push(dispatch);
  const residents = new ResidentService(deps, {
    changed: (trx, id) => auth.userChanged(trx, id),
    forget: (id) => auth.forgetUser(id),
  });
  const classification = new ClassificationService(deps, workOrders, deps.config.triageThreshold);
  workOrders.setClassifier(classification.port());
  const sla = new SlaModule(deps, workOrders);
  workOrders.hooks.push(...sla.hooks);
  // What other nodes change reaches this node's caches (read once a second once `start`ed).
  const coherence = new CacheCoherence(deps.database.db, deps.clock, deps.logger);
  auth.listen(coherence);
  const all = (key: string) => (key === '*' ? undefined : key);
  coherence.on('grids', (key) => grids.invalidate(all(key)));
  coherence.on('resources', (key) => catalogue.invalidate(all(key)));
  coherence.on('dispatch_rules', (key) => dispatch.invalidateRules(all(key)));
  coherence.on('sla_catalog', () => sla.catalog.invalidate());
  coherence.on('classifier', (key) => classification.invalidate(all(key)));
  app.addHook('onClose', () => coherence.stop());

  app.get('/healthz', { schema: { hide: true } }, async () => {
    await ping(deps.database);
    return { ok: true, database: deps.database.dialect };
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await registerAuthRoutes(app, auth, deps.database);
  await registerTenancyRoutes(app, deps.database);
  await registerResidentRoutes(app, residents);
  await registerWorkOrderRoutes(app, workOrders, deps.database, (p, id) => dispatch.resolveAuto(p, id));
  // The node's checkpoint key, made on its first start, and its public half where every node can show it.
  const auditSigner = deps.config.auditSigningKeyFile
    ? loadOrCreateSigningKey(deps.config.auditSigningKeyFile)
    : null;
  if (auditSigner) await registerSigningKey(deps.database.db, auditSigner, deps.clock.now().toISOString());
  await registerAuditRoutes(app, deps.database, {
    anchorFile: deps.config.auditAnchorFile,
    now: () => deps.clock.now(),
    signer: auditSigner,
  });
  await registerClassificationRoutes(app, classification, workOrders, deps.database);
  await registerOpen311Routes(app, { deps, auth, workOrders });
  await registerSlaRoutes(app, sla);
  await registerResourceRoutes(app, catalogue, new ServicePackageService(deps, catalogue), deps.clock);
  await registerDispatchRoutes(app, dispatch, deps.clock);
  await registerGridRoutes(app, new GridService(deps, grids, coherence));
  await registerAnalyticsRoutes(app, deps.database, () => deps.clock.now());
  await registerForecastRoutes(app, deps.database, () => deps.clock.now());
  await registerLiveRoutes(app, workOrders);
  await registerStaffRoutes(app, new StaffService(deps, auth, coherence));
  await registerTimeBankRoutes(app, new TimeBankService(deps));
  const proposals = new ProposalService(deps);
  await registerProposalRoutes(app, proposals, deps.clock);

  const webRoot = resolve(options.webRoot ?? join(process.cwd(), 'dist', 'web'));
  const spa = existsSync(join(webRoot, 'index.html'));
  if (spa) await app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false });
  // Client-side routes (GET and HEAD) fall back to the app shell; API misses and missing files
  // (a stale /assets/ chunk, /favicon.ico) stay JSON 404s rather than HTML a script tag would run.
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const api = /^\/(api|open311)(\/|$)/.test(path);
    const page = (request.method === 'GET' || request.method === 'HEAD') && !api && !FILE_LIKE.test(path);
    if (spa && page) return reply.sendFile('index.html');
    return reply.status(404).send(notFoundBody(request.method, request.url));
  });

  return {
    app,
    compilers,
    services: {
      auth,
      workOrders,
      residents,
      classification,
      grids,
      catalogue,
      dispatch,
      sla,
      coherence,
      proposals,
      auditSigner,
    },
  };
}

/**
 * Fastify's form of LINLI_TRUST_PROXY. A hop count trusts that many addresses counted from the
 * connection's own (proxy-addr numbers them from 0): with 1, the proxy's address and the one it
 * appended, never what the client wrote before it. Fastify takes a plain number as trusting none.
 */
export function trustFunction(
  trust: false | number | string[],
): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust;
  return (_address, hop) => hop < trust;
}

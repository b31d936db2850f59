import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { requirePrincipal } from '../../platform/http/principal.hook.ts';
import { RESOURCE_COLUMNS } from './resource.import.ts';
import { topCategory } from '../taxonomy/taxonomy.default.ts';
import { presentCapability, presentPackage, presentResource } from './resource.presenter.ts';
import {
  CapabilityBody,
  CapabilityView,
  CommunityQuery,
  IdParams,
  ImportQuery,
  ImportReportView,
  PackageBody,
  PackageView,
  ResourceBody,
  ResourceListQuery,
  ResourceUpdateBody,
  ResourceView,
  VersionQuery,
} from './resource.schema.ts';
import type { CatalogueService } from './resource.service.ts';
import type { ServicePackageService } from './service-package.service.ts';

const TAG = ['catalogue'];
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export async function registerResourceRoutes(
  root: FastifyInstance,
  svc: CatalogueService,
  packages: ServicePackageService,
  clock: Clock,
): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  for (const type of ['text/csv', 'application/octet-stream', XLSX_TYPE]) {
    if (!app.hasContentTypeParser(type)) {
      app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: 20 * 1024 * 1024 }, (_req, body, done) =>
        done(null, body),
      );
    }
  }

  app.post(
    '/api/v1/resources/import',
    {
      bodyLimit: 20 * 1024 * 1024,
      schema: {
        tags: TAG,
        summary: 'Import resources from CSV (UTF-8 or GBK) or XLSX, all or nothing; dryRun=true only reports',
        description:
          `Columns: ${RESOURCE_COLUMNS.join(', ')}. Lists are ";"-separated; opening_hours like ` +
          '"mon-fri 09:00-18:00; sat 09:00-12:00" or "24h"; certificates "name@YYYY-MM-DD". Resources are matched ' +
          'by code (new codes added, known ones replaced). Every problem names its row and column. Send the file ' +
          'as the raw body (text/csv or the XLSX content type).',
        querystring: ImportQuery,
        response: { 200: ImportReportView },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      if (!Buffer.isBuffer(request.body)) {
        throw new AppError('unsupported_media_type', 'send the file as the request body (text/csv or XLSX)');
      }
      return svc.importFile(
        p,
        request.query.community,
        request.body,
        request.query.fileName ?? 'resources.csv',
        request.query.dryRun ?? false,
      );
    },
  );

  app.get(
    '/api/v1/resources',
    {
      schema: {
        tags: TAG,
        summary: "A community's service resources (organisations, places, teams, people)",
        querystring: ResourceListQuery,
        response: { 200: Type.Object({ items: Type.Array(ResourceView) }) },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const { rows, staff } = await svc.list(
        p,
        request.query.community,
        request.query.includeInactive ?? false,
      );
      const cat = request.query.category;
      const served = (r: (typeof rows)[number]) => {
        if (!cat) return true;
        const cats = JSON.parse(r.categories_json) as string[];
        return (
          cats.includes(cat) || cats.includes(topCategory(cat)) || cats.some((c) => topCategory(c) === cat)
        );
      };
      return { items: rows.filter(served).map((r) => presentResource(r, staff)) };
    },
  );

  app.get(
    '/api/v1/resources/:id',
    {
      schema: {
        tags: TAG,
        summary: 'One resource with its staff',
        params: IdParams,
        response: { 200: ResourceView },
      },
    },
    async (request) => {
      const { row, staff } = await svc.get(requirePrincipal(request), request.params.id);
      return presentResource(row, staff);
    },
  );

  app.post(
    '/api/v1/resources',
    {
      schema: {
        tags: TAG,
        summary: 'Add a resource (admins and managers)',
        description:
          'Refused with the offending field named: a location outside the community, swapped coordinates, a ' +
          'negative capacity, an invalid or self-intersecting service-area polygon, staff not serving the community.',
        querystring: CommunityQuery,
        body: ResourceBody,
        response: { 201: ResourceView },
      },
    },
    async (request, reply) => {
      const { row, staff } = await svc.create(
        requirePrincipal(request),
        request.query.community,
        request.body,
      );
      return reply.status(201).send(presentResource(row, staff));
    },
  );

  app.put(
    '/api/v1/resources/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Replace a resource (with the version you loaded)',
        params: IdParams,
        body: ResourceUpdateBody,
        response: { 200: ResourceView },
      },
    },
    async (request) => {
      const { version, ...input } = request.body;
      const { row, staff } = await svc.update(requirePrincipal(request), request.params.id, version, input);
      return presentResource(row, staff);
    },
  );

  app.delete(
    '/api/v1/resources/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Retire a resource (kept for history, no longer matched)',
        params: IdParams,
        querystring: VersionQuery,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await svc.deactivate(requirePrincipal(request), request.params.id, request.query.version);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/service-packages',
    {
      schema: {
        tags: TAG,
        summary: "A community's standard service packages",
        querystring: CommunityQuery,
        response: { 200: Type.Object({ items: Type.Array(PackageView) }) },
      },
    },
    async (request) => ({
      items: (await packages.list(requirePrincipal(request), request.query.community)).map(presentPackage),
    }),
  );

  app.post(
    '/api/v1/service-packages',
    {
      schema: {
        tags: TAG,
        summary: 'Add a service package (admins and managers)',
        querystring: CommunityQuery,
        body: PackageBody,
        response: { 201: PackageView },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          presentPackage(
            await packages.create(requirePrincipal(request), request.query.community, request.body),
          ),
        ),
  );

  app.put(
    '/api/v1/service-packages/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Replace a service package',
        params: IdParams,
        body: PackageBody,
        response: { 200: PackageView },
      },
    },
    async (request) =>
      presentPackage(await packages.update(requirePrincipal(request), request.params.id, request.body)),
  );

  app.delete(
    '/api/v1/service-packages/:id',
    {
      schema: {
        tags: TAG,
        summary: 'Retire a service package',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await packages.remove(requirePrincipal(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/staff/:id/capability',
    {
      schema: {
        tags: TAG,
        summary: "A staff member's skills, certificates (with expiry) and on-duty hours",
        params: IdParams,
        response: { 200: CapabilityView },
      },
    },
    async (request) => {
      const { user, cap } = await svc.capability(requirePrincipal(request), request.params.id);
      return presentCapability(user, cap, clock.now().toISOString().slice(0, 10));
    },
  );

  app.put(
    '/api/v1/staff/:id/capability',
    {
      schema: {
        tags: TAG,
        summary: "Set a staff member's skills, certificates and on-duty hours (admins and managers)",
        params: IdParams,
        body: CapabilityBody,
        response: { 200: CapabilityView },
      },
    },
    async (request) => {
      const { user, cap } = await svc.setCapability(
        requirePrincipal(request),
        request.params.id,
        request.body,
      );
      return presentCapability(user, cap, clock.now().toISOString().slice(0, 10));
    },
  );
}

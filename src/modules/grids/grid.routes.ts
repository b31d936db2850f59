import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requirePrincipal } from '../../platform/http/principal.hook.ts';
import { presentCoverage } from './grid.presenter.ts';
import { CommunityQuery, CoverageView, ImportReport } from './grid.schema.ts';
import type { GridService } from './grid.service.ts';

const TAG = ['grids'];

export async function registerGridRoutes(root: FastifyInstance, svc: GridService): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  if (!app.hasContentTypeParser('application/geo+json')) {
    app.addContentTypeParser('application/geo+json', { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, JSON.parse(String(body)));
      } catch {
        const err = Object.assign(new Error('the body is not valid JSON'), { statusCode: 400 });
        done(err, undefined);
      }
    });
  }

  app.post(
    '/api/v1/grids/import',
    {
      bodyLimit: 20 * 1024 * 1024,
      schema: {
        tags: TAG,
        summary:
          'Import grid polygons from a GeoJSON FeatureCollection (all or nothing; dryRun=true only reports)',
        description:
          'Each Feature: a Polygon or MultiPolygon geometry, properties `code`, `name` and optionally `workers` ' +
          '(grid-worker usernames). Grids are matched by code. Problems name the feature and the field ' +
          '(`features[1].geometry.coordinates[0][2]`): invalid or self-intersecting rings, swapped coordinates, ' +
          'a grid outside the community, unknown workers. Households and open orders are placed again.',
        querystring: Type.Object(
          {
            community: Type.String({ maxLength: 64 }),
            dryRun: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        body: Type.Unknown({ description: 'GeoJSON FeatureCollection' }),
        response: { 200: ImportReport },
      },
    },
    async (request) =>
      svc.importGeoJson(
        requirePrincipal(request),
        request.query.community,
        request.body,
        request.query.dryRun ?? false,
      ),
  );

  app.get(
    '/api/v1/grids/coverage',
    {
      schema: {
        tags: TAG,
        summary: "Coverage of a community's grids: gaps and overlaps by area, address and resident",
        querystring: CommunityQuery,
        response: { 200: CoverageView },
      },
    },
    async (request) =>
      presentCoverage(await svc.coverage(requirePrincipal(request), request.query.community)),
  );
}

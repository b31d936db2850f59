import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { errorResponse } from '../../platform/http/errors.plugin.ts';
import { requirePrincipal, requireStaff } from '../../platform/http/principal.hook.ts';
import { communitiesOf } from '../../platform/auth/principal.ts';
import type { GeoJsonArea } from '../grids/geo.types.ts';
import { servedCommunity } from './community.access.ts';
import {
  findCommunity,
  gridsOf,
  gridWorkersOf,
  listCategories,
  listCommunities,
  staffOf,
} from './tenancy.repository.ts';

const TAG = ['communities'];

const Contacts = Type.Object({
  hotline: Type.String(),
  windowAddress: Type.String(),
  windowHours: Type.String(),
  wechat: Type.String(),
});

const Position = Type.Array(Type.Number(), {
  minItems: 2,
  description: '[longitude, latitude] in WGS 84 degrees (RFC 7946)',
});
const Ring = Type.Array(Position, { description: 'closed: the first and last positions are equal' });

const GridFeatures = Type.Object(
  {
    type: Type.Literal('FeatureCollection'),
    features: Type.Array(
      Type.Object({
        type: Type.Literal('Feature'),
        id: Type.String({ description: 'the grid id' }),
        properties: Type.Object({
          id: Type.String(),
          code: Type.String(),
          name: Type.String(),
          workers: Type.Array(Type.Object({ id: Type.String(), name: Type.String() }), {
            description: "the grid's grid workers",
          }),
        }),
        geometry: Type.Union([
          Type.Object({ type: Type.Literal('Polygon'), coordinates: Type.Array(Ring) }),
          Type.Object({ type: Type.Literal('MultiPolygon'), coordinates: Type.Array(Type.Array(Ring)) }),
        ]),
      }),
      { description: 'one per grid, by code' },
    ),
  },
  { description: 'GeoJSON FeatureCollection (RFC 7946)' },
);

export async function registerTenancyRoutes(root: FastifyInstance, database: Database) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const db = database.db;

  app.get(
    '/api/v1/categories',
    {
      schema: {
        tags: TAG,
        summary: 'The service taxonomy (categories and sub-categories)',
        security: [],
        response: {
          200: Type.Array(
            Type.Object({
              code: Type.String(),
              parent: Type.Union([Type.String(), Type.Null()]),
              nameZh: Type.String(),
              nameEn: Type.String(),
              private: Type.Boolean(),
            }),
          ),
        },
      },
    },
    async () =>
      (await listCategories(db)).map((c) => ({
        code: c.code,
        parent: c.parent_code,
        nameZh: c.name_zh,
        nameEn: c.name_en,
        private: c.is_private === 1,
      })),
  );

  app.get(
    '/api/v1/communities',
    {
      schema: {
        tags: TAG,
        summary: 'The communities I belong to or serve',
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.String(),
              code: Type.String(),
              name: Type.String(),
              nameEn: Type.String(),
              center: Type.Object({ lat: Type.Number(), lng: Type.Number() }),
              contacts: Contacts,
            }),
          ),
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      return (await listCommunities(db, communitiesOf(p))).map((c) => ({
        id: c.id,
        code: c.code,
        name: c.name,
        nameEn: c.name_en,
        center: { lat: c.center_lat, lng: c.center_lng },
        contacts: JSON.parse(c.contacts_json) as {
          hotline: string;
          windowAddress: string;
          windowHours: string;
          wechat: string;
        },
      }));
    },
  );

  app.get(
    '/api/v1/communities/:id/grids',
    {
      schema: {
        tags: TAG,
        summary: "A community's grids as a GeoJSON FeatureCollection (for maps)",
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: {
          200: GridFeatures,
          400: errorResponse('`validation_failed`: the id is too long'),
          401: errorResponse('`unauthenticated`'),
          404: errorResponse('`community_not_found`: no community of yours has this id or code'),
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const c = await servedCommunity(db, communitiesOf(p), request.params.id);
      const grids = await gridsOf(db, c.id);
      const workers = await gridWorkersOf(
        db,
        grids.map((g) => g.id),
      );
      return {
        type: 'FeatureCollection' as const,
        features: grids.map((g) => ({
          type: 'Feature' as const,
          id: g.id,
          properties: {
            id: g.id,
            code: g.code,
            name: g.name,
            workers: workers
              .filter((w) => w.grid_id === g.id)
              .map((w) => ({ id: w.id, name: w.display_name })),
          },
          geometry: JSON.parse(g.polygon_json) as GeoJsonArea,
        })),
      };
    },
  );

  app.get(
    '/api/v1/staff',
    {
      schema: {
        tags: TAG,
        summary: "A community's staff and the grids they work (whom work can be assigned to)",
        querystring: Type.Object(
          {
            community: Type.String({ maxLength: 64, description: 'community id or code' }),
            includeInactive: Type.Optional(
              Type.Boolean({ description: 'admins: also deactivated accounts (default: active ones only)' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                username: Type.String(),
                name: Type.String(),
                role: Type.String(),
                active: Type.Boolean(),
                communityIds: Type.Array(Type.String(), {
                  description: "the person's communities among the caller's own",
                }),
                alsoServesOtherCommunities: Type.Boolean({
                  description:
                    'the person also serves communities the caller does not (whose admins alone may change the account)',
                }),
                phone: Type.Union([Type.String(), Type.Null()], { description: 'work phone' }),
                grids: Type.Array(Type.String()),
                teams: Type.Array(Type.String(), {
                  description: 'the service teams (resources) the person works for',
                }),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const p = requireStaff(request, ['agent', 'dispatcher', 'manager', 'admin']);
      const c = await servedCommunity(db, p.communityIds, request.query.community, 'community');
      const staff = await staffOf(db, c.id, {
        includeInactive: p.role === 'admin' && request.query.includeInactive === true,
      });
      return {
        items: staff.map((u) => ({
          id: u.id,
          username: u.username,
          active: u.active === 1,
          communityIds: u.communityIds.filter((id) => p.communityIds.includes(id)),
          alsoServesOtherCommunities: u.communityIds.some((id) => !p.communityIds.includes(id)),
          name: u.display_name,
          role: u.role,
          phone: u.phone,
          grids: u.grids,
          teams: u.teams,
        })),
      };
    },
  );

  app.get(
    '/api/v1/directory',
    {
      schema: {
        tags: ['directory'],
        summary: '找谁办 — whom do I call: the guidance centre and my grid worker',
        response: {
          200: Type.Object({
            community: Type.Object({ id: Type.String(), name: Type.String(), nameEn: Type.String() }),
            contacts: Contacts,
            myGridWorker: Type.Union([
              Type.Object({
                name: Type.String(),
                phone: Type.Union([Type.String(), Type.Null()]),
                grid: Type.String(),
              }),
              Type.Null(),
            ]),
          }),
        },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const communityId = communitiesOf(p)[0];
      const c = communityId ? await findCommunity(db, communityId) : undefined;
      if (!c) throw new AppError('community_not_found', 'you belong to no community');
      let myGridWorker = null;
      if (p.kind === 'resident' && p.householdId) {
        const hh = await db
          .selectFrom('households')
          .select('grid_id')
          .where('id', '=', p.householdId)
          .executeTakeFirst();
        if (hh?.grid_id) {
          const grid = await db
            .selectFrom('grids')
            .select('name')
            .where('id', '=', hh.grid_id)
            .executeTakeFirst();
          const [w] = await gridWorkersOf(db, [hh.grid_id]);
          // A grid worker's work phone is meant to be called by the residents of the grid.
          if (w) myGridWorker = { name: w.display_name, phone: w.phone, grid: grid?.name ?? '' };
        }
      }
      return {
        community: { id: c.id, name: c.name, nameEn: c.name_en },
        contacts: JSON.parse(c.contacts_json) as {
          hotline: string;
          windowAddress: string;
          windowHours: string;
          wechat: string;
        },
        myGridWorker,
      };
    },
  );
}

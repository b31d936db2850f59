import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../../platform/db/database.ts';
import { requireStaff } from '../../platform/http/principal.hook.ts';
import { servedCommunity } from '../tenancy/community.access.ts';
import { DASHBOARD_READERS } from './analytics.policy.ts';
import { gridNames, orderFacts, rollupGroups } from './analytics.repository.ts';
import { dashboardWindow, splitWindow, summarize } from './analytics.service.ts';

const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

const KpiProps = {
  orders: Type.Integer(),
  open: Type.Integer(),
  resolved: Type.Integer(),
  firstResponseMinutes: NullableNumber,
  resolutionHours: NullableNumber,
  satisfaction: NullableNumber,
  rated: Type.Integer(),
  reopenRate: NullableNumber,
};
const Bucket = Type.Object({ key: Type.String(), name: Type.String(), ...KpiProps });

const DashboardResponse = Type.Object({
  communityId: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  timeZone: Type.String({ description: "the community's time zone: `byMonth` keys are its local months" }),
  totals: Type.Object(KpiProps),
  byCategory: Type.Array(Bucket),
  byGrid: Type.Array(Bucket),
  byAssignee: Type.Array(Bucket),
  byMonth: Type.Array(Bucket),
});

export async function registerAnalyticsRoutes(root: FastifyInstance, database: Database, now: () => Date) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/analytics/dashboard',
    {
      schema: {
        tags: ['analytics'],
        summary:
          'Dashboard KPIs of a community: volume, response and resolution times, satisfaction, reopen rate',
        description:
          "By category, grid, assignee and the community's local month, over orders created in [from, to) (default: the last 365 days up to now). `from` and `to` are instants of the years 0000–9999 in UTC, as the order lists read them (a leap second is the instant after it); another is refused with 400 `invalid_input` naming the field, and so is an empty window. Whole local days are read from the order rollups, the partial first and last days order by order; the answer is the same as folding every order of the window.",
        querystring: Type.Object(
          {
            community: Type.String({ maxLength: 64, description: 'community id or code' }),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: DashboardResponse },
      },
    },
    async (request) => {
      const p = requireStaff(request, DASHBOARD_READERS);
      const c = await servedCommunity(database.db, p.communityIds, request.query.community, 'community');
      const { fromMs, toMs } = dashboardWindow(request.query, now().getTime());
      // Whole local days come from the rollups; the partial days at either end order by order.
      const split = splitWindow(fromMs, toMs, c.time_zone);
      const [rollups, grids, ...edges] = await Promise.all([
        split.days
          ? rollupGroups(database.db, c.id, split.days.from, split.days.to)
          : { main: [], byAssignee: [] },
        gridNames(database.db, c.id),
        ...split.edges.map(([f, t]) => orderFacts(database.db, c.id, f, t)),
      ]);
      return {
        communityId: c.id,
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        timeZone: c.time_zone,
        ...summarize(edges.flat(), (id) => grids.get(id) ?? id, c.time_zone, rollups),
      };
    },
  );
}

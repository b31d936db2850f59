import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requirePrincipal, requireStaff } from '../../platform/http/principal.hook.ts';
import type { CalendarMode, Weekday, WeeklyHours } from './calendar.ts';
import type { PriorityBand } from './sla.policy.ts';
import type { PolicyInput } from './sla.catalog.ts';
import type { SlaModule } from './sla.module.ts';
import { presentDeadline, presentOrderSla, presentPolicy, presentSupervision } from './sla.presenter.ts';
import {
  CalendarBody,
  CalendarView,
  ComplianceQuery,
  ComplianceRow,
  DeadlineItem,
  HolidayFileView,
  HolidayParams,
  IdParams,
  PolicyQuery,
  OrderSlaView,
  PolicyBody,
  PolicyView,
  RespondBody,
  ScopeQuery,
  SupervisionBody,
  SupervisionQuery,
  SupervisionView,
} from './sla.schema.ts';
import { registerFeedbackRoutes } from '../feedback/feedback.routes.ts';
import { registerNotificationRoutes } from '../notifications/notifications.routes.ts';
import { parseTimeRange } from '../work-orders/work-order.filters.ts';

const TAG = ['sla'];

function policyInput(b: PolicyBody): PolicyInput {
  return {
    ...b,
    // The band is checked with the whole policy (validatePolicies), which names the field.
    priorityBand: b.priorityBand as PriorityBand | '*',
  };
}

/** SLA settings, views and supervision; also registers the feedback and notification APIs. */
export async function registerSlaRoutes(root: FastifyInstance, m: SlaModule): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/v1/sla/policies',
    {
      schema: {
        tags: TAG,
        summary:
          'SLA policies (category × priority band, optional channel/community): the shared ones and those of my communities',
        response: { 200: Type.Array(PolicyView) },
      },
    },
    async (request) => (await m.catalog.listPolicies(requireStaff(request))).map(presentPolicy),
  );
  app.post(
    '/api/v1/sla/policies',
    {
      schema: {
        tags: TAG,
        summary:
          'Create an SLA policy (admin of its community; a shared one, without communityId, needs an admin of every community); refused: zero or negative targets, targets or an escalation step over a year of minutes or more working time than the calendar holds in ten years, unknown calendars, looping chains',
        body: PolicyBody,
        response: { 201: PolicyView },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      return reply
        .status(201)
        .send(presentPolicy(await m.catalog.createPolicy(p, policyInput(request.body))));
    },
  );
  app.get(
    '/api/v1/sla/policies/:id',
    {
      schema: {
        tags: TAG,
        summary: 'One SLA policy',
        params: IdParams,
        querystring: PolicyQuery,
        response: { 200: PolicyView },
      },
    },
    async (request) =>
      presentPolicy(
        await m.catalog.getPolicy(requireStaff(request), request.params.id, request.query.community),
      ),
  );
  app.put(
    '/api/v1/sla/policies/:id',
    {
      schema: {
        tags: TAG,
        summary:
          'Replace an SLA policy (admin of its community, and of the one it moves to; shared policies need an admin of every community)',
        params: IdParams,
        querystring: PolicyQuery,
        body: PolicyBody,
        response: { 200: PolicyView },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      return presentPolicy(
        await m.catalog.updatePolicy(
          p,
          request.params.id,
          policyInput(request.body),
          request.query.community,
        ),
      );
    },
  );
  app.delete(
    '/api/v1/sla/policies/:id',
    {
      schema: {
        tags: TAG,
        summary:
          'Delete an SLA policy (admin of its community; shared policies need an admin of every community)',
        params: IdParams,
        querystring: PolicyQuery,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await m.catalog.deletePolicy(requirePrincipal(request), request.params.id, request.query.community);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/sla/calendars',
    { schema: { tags: TAG, summary: 'Business calendars', response: { 200: Type.Array(CalendarView) } } },
    async (request) => {
      requireStaff(request);
      return (await m.catalog.listCalendars()).map(presentCalendar);
    },
  );
  app.put(
    '/api/v1/sla/calendars/:id',
    {
      schema: {
        tags: TAG,
        summary:
          'Create or replace a business calendar (shared: an admin of every community); overlapping or inverted periods are refused, and so are hours too few for a policy on it to place its deadlines; the open orders on it are re-timed (the first LINLI_SLA_RETIME_CHUNK, 500, in the change; the rest by the timer worker, a chunk a second)',
        params: IdParams,
        body: CalendarBody,
        response: { 200: CalendarView },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const b = request.body;
      const saved = await m.catalog.putCalendar(p, {
        id: request.params.id,
        name: b.name,
        // Mode, weekdays and periods are checked with the whole calendar (validateCalendar), which names the field.
        mode: b.mode as CalendarMode,
        ...(b.timeZone !== undefined ? { timeZone: b.timeZone } : {}),
        ...(b.weekly !== undefined ? { weekly: b.weekly as WeeklyHours } : {}),
        ...(b.holidays !== undefined ? { holidays: b.holidays } : {}),
        ...(b.workdays !== undefined ? { workdays: b.workdays } : {}),
        ...(b.workdayHoursFrom !== undefined ? { workdayHoursFrom: b.workdayHoursFrom as Weekday } : {}),
        ...(b.holidayRegion !== undefined ? { holidayRegion: b.holidayRegion } : {}),
      });
      return presentCalendar(saved);
    },
  );

  app.get(
    '/api/v1/sla/holidays',
    {
      schema: {
        tags: TAG,
        summary: 'Holiday and make-up workday files per region and year',
        response: { 200: Type.Array(HolidayFileView) },
      },
    },
    async (request) => {
      requireStaff(request);
      return (await m.catalog.holidayFilesList()).map((f) => ({
        region: f.region,
        year: f.year,
        source: f.file.source,
        provisional: f.file.provisional,
        imported: f.imported,
        holidays: f.file.holidays,
        workdays: f.file.workdays,
      }));
    },
  );
  app.put(
    '/api/v1/sla/holidays/:region/:year',
    {
      schema: {
        tags: TAG,
        summary:
          "Import a year's public holidays and make-up workdays (调休) (shared: an admin of every community); a file for another year is refused; the open orders on the region's calendars are re-timed (the first LINLI_SLA_RETIME_CHUNK, 500, in the change; the rest by the timer worker, a chunk a second)",
        params: HolidayParams,
        body: Type.Unknown({
          description: '{ year, source, provisional?, holidays: [{date,name}], workdays: [{date,name}] }',
        }),
        response: { 200: HolidayFileView },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const { region, year } = request.params;
      const f = await m.catalog.importHolidays(p, region, year, request.body);
      return {
        region,
        year,
        source: f.source,
        provisional: f.provisional,
        imported: true,
        holidays: f.holidays,
        workdays: f.workdays,
      };
    },
  );

  app.get(
    '/api/v1/sla/overdue',
    {
      schema: {
        tags: TAG,
        summary: 'Open orders past their next deadline, per community, assignee or grid',
        querystring: ScopeQuery,
        response: { 200: Type.Object({ items: Type.Array(DeadlineItem) }) },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const q = request.query;
      const rows = await m.views.overdue(p, { ...q, limit: q.limit ?? 100 });
      const now = m.views.nowMs();
      return { items: rows.map((r) => presentDeadline(r, now)) };
    },
  );
  app.get(
    '/api/v1/sla/due-soon',
    {
      schema: {
        tags: TAG,
        summary: 'Open orders whose next deadline falls within the horizon (default 4 hours)',
        querystring: ScopeQuery,
        response: { 200: Type.Object({ items: Type.Array(DeadlineItem) }) },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      const q = request.query;
      const rows = await m.views.dueSoon(p, { ...q, limit: q.limit ?? 100 });
      const now = m.views.nowMs();
      return { items: rows.map((r) => presentDeadline(r, now)) };
    },
  );
  app.get(
    '/api/v1/sla/compliance',
    {
      schema: {
        tags: TAG,
        summary: 'SLA compliance by category, grid, provider or month (orders submitted in [from, to))',
        querystring: ComplianceQuery,
        response: { 200: Type.Object({ by: Type.String(), rows: Type.Array(ComplianceRow) }) },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      // Times are stored and compared as UTC text: an instant written with an offset (+08:00) or
      // without milliseconds compared as written, and an empty window answered nothing.
      const range = parseTimeRange(request.query);
      return { by: request.query.by, rows: await m.views.compliance(p, { ...request.query, ...range }) };
    },
  );

  app.get(
    '/api/v1/work-orders/:id/sla',
    {
      schema: {
        tags: TAG,
        summary: "An order's stored SLA: deadlines, times taken, met flags, pauses, escalations, supervision",
        params: IdParams,
        response: { 200: OrderSlaView },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      return presentOrderSla(p, await m.views.ofOrder(p, request.params.id));
    },
  );
  app.post(
    '/api/v1/work-orders/:id/supervisions',
    {
      schema: {
        tags: TAG,
        summary: 'Put an order under supervision (督办) with its own deadline (managers)',
        params: IdParams,
        body: SupervisionBody,
        response: { 201: SupervisionView },
      },
    },
    async (request, reply) => {
      const p = requirePrincipal(request);
      const s = await m.supervision.issue(p, request.params.id, request.body);
      return reply.status(201).send(presentSupervision(p, s));
    },
  );
  app.get(
    '/api/v1/supervisions',
    {
      schema: {
        tags: TAG,
        summary: 'Supervision orders of my communities',
        querystring: SupervisionQuery,
        response: { 200: Type.Array(SupervisionView) },
      },
    },
    async (request) => {
      const q = request.query;
      const p = requirePrincipal(request);
      const rows = await m.supervision.list(p, {
        community: q.community,
        status: q.status,
        orderId: q.order,
        limit: q.limit ?? 100,
      });
      return rows.map((s) => presentSupervision(p, s));
    },
  );
  app.post(
    '/api/v1/supervisions/:id/respond',
    {
      schema: {
        tags: TAG,
        summary: 'Answer a supervision order',
        params: IdParams,
        body: RespondBody,
        response: { 200: SupervisionView },
      },
    },
    async (request) => {
      const p = requirePrincipal(request);
      return presentSupervision(p, await m.supervision.respond(p, request.params.id, request.body.response));
    },
  );

  await registerFeedbackRoutes(app, m.feedback);
  await registerNotificationRoutes(app, m.notifications);
}

function presentCalendar(c: Awaited<ReturnType<SlaModule['catalog']['listCalendars']>>[number]) {
  return {
    id: c.id,
    name: c.name,
    timeZone: c.timeZone ?? 'Asia/Shanghai',
    mode: c.mode,
    weekly: Object.fromEntries(Object.entries(c.weekly ?? {}).map(([k, v]) => [k, [...(v ?? [])]])),
    holidays: [...(c.holidays ?? [])],
    workdays: [...(c.workdays ?? [])],
    workdayHoursFrom: c.workdayHoursFrom ?? 1,
    holidayRegion: c.holidayRegion,
  };
}

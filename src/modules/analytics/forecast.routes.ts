import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { Database } from '../../platform/db/database.ts';
import { invalidInput } from '../../platform/errors.ts';
import { requireStaff } from '../../platform/http/principal.hook.ts';
import { servedCommunity } from '../tenancy/community.access.ts';
import { listHolidayFiles } from '../sla/sla.repository.ts';
import { holidayFilesByRegion } from '../sla/sla.metrics.ts';
import { dayToIsoDate, zoneFor } from '../sla/zone.ts';
import { DASHBOARD_READERS } from './analytics.policy.ts';
import { dailyCounts, gridNames, topCategoryCodes } from './analytics.repository.ts';
import { INTERVAL_LEVEL, MOVING_AVERAGE_DAYS } from './forecast.backtest.ts';
import { holidayCalendar } from './forecast.model.ts';
import { forecastDemand, HISTORY_DAYS, HINT_RATIO } from './forecast.service.ts';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const DayType = Type.Union([
  Type.Literal('weekday'),
  Type.Literal('weekend'),
  Type.Literal('holiday'),
  Type.Literal('makeup_workday'),
]);
const Period = {
  from: Type.String({ format: 'date', description: 'first local day of the period' }),
  to: Type.String({ format: 'date', description: 'last local day of the period' }),
};
const Scores = Type.Object({
  mae: Type.Number({ description: 'mean absolute error, orders per period' }),
  smape: Type.Number({ description: 'symmetric mean absolute percentage error, 0–200' }),
  mase: Type.Union([Type.Number(), Type.Null()], {
    description: 'MAE over the mean absolute week-on-week change of the history; below 1 beats it',
  }),
});
const Accuracy = Type.Object({
  origins: Type.Integer({ description: 'forecast origins of the rolling backtest, a week apart' }),
  points: Type.Integer({ description: 'periods compared' }),
  model: Scores,
  seasonalNaive: Scores,
  movingAverage: Scores,
  beatsBaselines: Type.Boolean({ description: "the model's MAE is below both baselines'" }),
  skill: Type.Union([Type.Number(), Type.Null()], {
    description: "1 − model MAE / the better baseline's MAE",
  }),
  intervalCoverage: Type.Union([Type.Number(), Type.Null()], {
    description:
      "share of backtest outcomes inside their interval (each origin's interval from the other origins' errors)",
  }),
});
const Series = Type.Object({
  key: Type.String({ description: '`all` for the community, else a category code' }),
  historyDays: Type.Integer(),
  history: Type.Array(Type.Object({ ...Period, orders: Type.Integer() })),
  forecast: Type.Array(
    Type.Object({
      ...Period,
      orders: Type.Number(),
      low: Type.Number(),
      high: Type.Number(),
      dayType: Type.Union([DayType, Type.Null()]),
      holiday: NullableString,
    }),
  ),
  accuracy: Type.Union([Accuracy, Type.Null()]),
});
const Hint = Type.Object({
  category: Type.String(),
  day: Type.String({ format: 'date' }),
  dayType: DayType,
  holiday: NullableString,
  expected: Type.Number({ description: 'forecast orders of the day' }),
  usual: Type.Number({
    description: 'mean orders of the same weekday over the last 4 weeks, holidays left out',
  }),
});

/** The schema of the answer of `GET /api/v1/analytics/forecast`. */
export const ForecastResponse = Type.Object({
  communityId: Type.String(),
  timeZone: Type.String(),
  today: Type.String({
    format: 'date',
    description: 'the first day forecast (its orders so far are not read)',
  }),
  granularity: Type.Union([Type.Literal('day'), Type.Literal('week')]),
  horizon: Type.Integer(),
  grid: NullableString,
  historyFrom: NullableString,
  intervalLevel: Type.Number(),
  method: Type.Object({
    model: Type.String(),
    baselines: Type.Array(Type.String()),
    movingAverageDays: Type.Integer(),
    hintRatio: Type.Number(),
  }),
  series: Type.Array(Series),
  hints: Type.Array(Hint),
});

/** The answer of `GET /api/v1/analytics/forecast`, as its schema defines it. */
export type ForecastBody = Static<typeof ForecastResponse>;

const MAX_HORIZON = { day: 28, week: 12 } as const;
const DEFAULT_HORIZON = { day: 14, week: 8 } as const;

export async function registerForecastRoutes(root: FastifyInstance, database: Database, now: () => Date) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/analytics/forecast',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Demand forecast of a community and its categories, with its measured accuracy',
        description:
          "Orders expected per local day (the next 14 by default) or per 7-day block (the next 8), for the community (`all`) and each category, with an 80 % prediction interval. The model: day-of-week factors, a public-holiday factor and make-up workdays (调休) from the Chinese holiday calendar, times Holt's damped trend, learned from the last year's order rollups. `accuracy` is a rolling-origin backtest over the history against the seasonal naive forecast (the same weekday a week earlier) and the 28-day moving average. `hints` name days where a category's forecast stands at least 25 % and one order above what that weekday usually brings, for series whose model beat both baselines.",
        querystring: Type.Object(
          {
            community: Type.String({ maxLength: 64, description: 'community id or code' }),
            category: Type.Optional(Type.String({ maxLength: 64, description: 'one category only' })),
            grid: Type.Optional(Type.String({ maxLength: 64, description: "one grid's orders only" })),
            granularity: Type.Optional(Type.Union([Type.Literal('day'), Type.Literal('week')])),
            horizon: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 28, description: 'periods: days (≤ 28) or weeks (≤ 12)' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: ForecastResponse },
      },
    },
    async (request) => {
      const p = requireStaff(request, DASHBOARD_READERS);
      const q = request.query;
      const c = await servedCommunity(database.db, p.communityIds, q.community, 'community');
      const granularity = q.granularity ?? 'day';
      const horizon = q.horizon ?? DEFAULT_HORIZON[granularity];
      if (horizon > MAX_HORIZON[granularity])
        throw invalidInput('horizon', `at most ${MAX_HORIZON[granularity]} ${granularity}s ahead`);
      const [codes, grids, holidayRows] = await Promise.all([
        topCategoryCodes(database.db),
        q.grid === undefined ? null : gridNames(database.db, c.id),
        listHolidayFiles(database.db),
      ]);
      if (q.category !== undefined && !codes.includes(q.category))
        throw invalidInput('category', `category ${q.category} is not a top-level category`);
      if (q.grid !== undefined && !grids?.has(q.grid))
        throw invalidInput('grid', `grid ${q.grid} is not a grid of this community`);
      const zone = zoneFor(c.time_zone);
      const today = zone.dayOf(now().getTime());
      const counts = await dailyCounts(
        database.db,
        c.id,
        dayToIsoDate(today - HISTORY_DAYS),
        dayToIsoDate(today),
        q.grid ?? null,
      );
      const result = forecastDemand({
        counts,
        today,
        calendar: holidayCalendar(holidayFilesByRegion(holidayRows).get('cn') ?? []),
        granularity,
        horizon,
        categories: q.category === undefined ? codes : [q.category],
        includeAll: q.category === undefined,
      });
      return {
        communityId: c.id,
        timeZone: c.time_zone,
        today: dayToIsoDate(today),
        granularity,
        horizon,
        grid: q.grid ?? null,
        historyFrom: result.historyFrom,
        intervalLevel: INTERVAL_LEVEL,
        method: {
          model: 'day-of-week × holiday × damped trend',
          baselines: ['seasonal_naive', 'moving_average'],
          movingAverageDays: MOVING_AVERAGE_DAYS,
          hintRatio: HINT_RATIO,
        },
        series: result.series,
        hints: result.hints,
      };
    },
  );
}

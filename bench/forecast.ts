/**
 * The demand forecast's own work, without the database or HTTP: a year of daily counts of a
 * community's 7 categories (the rows the rollups give, however many orders they hold), forecast
 * by day and by week as GET /api/v1/analytics/forecast does (fit and 12-origin backtest of the
 * community and each category). Reports wall time per call (p50, p99) and CPU time per call, the
 * latter less moved by other work on a shared machine. `npm run bench -- dashboard` measures the
 * whole request over 1,000,000 orders.
 */
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { CN_HOLIDAY_FILES } from '../src/modules/sla/holidays.ts';
import { dayToIsoDate, isoDateToDay } from '../src/modules/sla/zone.ts';
import { dayInfo, holidayCalendar } from '../src/modules/analytics/forecast.model.ts';
import { forecastDemand } from '../src/modules/analytics/forecast.service.ts';
import type { DayCount } from '../src/modules/analytics/forecast.service.ts';
import { BUILTIN_TAXONOMY } from '../src/modules/taxonomy/taxonomy.builtin.ts';
import { percentile } from './lib.ts';

// The taxonomy's top categories, as the dashboard forecasts them.
const CATEGORIES = BUILTIN_TAXONOMY.map((c) => c.code);

export async function runForecastBench(opts: { calls?: number } = {}) {
  const calls = opts.calls ?? 300;
  const calendar = holidayCalendar(Object.values(CN_HOLIDAY_FILES));
  const today = isoDateToDay('2026-12-07') ?? 0;
  const counts: DayCount[] = [];
  for (let d = today - 365; d < today; d++)
    CATEGORIES.forEach((category, k) => {
      const holiday = dayInfo(calendar, d).type === 'holiday';
      counts.push({
        day: dayToIsoDate(d),
        category,
        orders: holiday ? 120 + k : 300 + ((d * 7 + k * 13) % 90),
      });
    });
  const out: Record<string, unknown> = { rows: counts.length };
  for (const granularity of ['day', 'week'] as const) {
    const input = {
      counts,
      today,
      calendar,
      granularity,
      horizon: granularity === 'day' ? 14 : 8,
      categories: CATEGORIES,
      includeAll: true,
    };
    for (let i = 0; i < 30; i++) forecastDemand(input); // warm the JIT
    const wall: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < calls; i++) {
      const t0 = performance.now();
      forecastDemand(input);
      wall.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(cpu0);
    wall.sort((a, b) => a - b);
    const round = (ms: number) => Math.round(ms * 100) / 100;
    out[granularity] = {
      calls,
      wallMs: { p50: round(percentile(wall, 50)), p99: round(percentile(wall, 99)) },
      cpuMsPerCall: round((cpu.user + cpu.system) / 1000 / calls),
    };
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await runForecastBench(), null, 2));
}

/**
 * SLA timer worker throughput: 100,000 due resolution-breach timers, each doing the real work
 * (replay the order's SLA, store the metrics, timeline event and audit entry for the breach,
 * notify the dispatchers, escalate to the first level with its own event, audit entry and
 * notification, schedule the next escalation). SQLite with one worker (single writer); PostgreSQL
 * (when DATABASE_URL or BENCH_PG_URL is set) with four workers on one database claiming with
 * FOR UPDATE SKIP LOCKED. Reports timers per second and checks that every timer fired once.
 *
 * Run: node --import tsx bench/timers.ts        (BENCH_TIMERS=n for another count)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inBenchSchema } from './lib.ts';
import { loadConfig } from '../src/platform/config.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { migrateToLatest, openDatabase } from '../src/platform/db/database.ts';
import type { Database, DatabaseOptions } from '../src/platform/db/database.ts';
import { DiskFileStore } from '../src/platform/files.ts';
import { silentLogger } from '../src/platform/context.ts';
import { buildApp } from '../src/platform/http/app.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { SlaModule } from '../src/modules/sla/sla.module.ts';
import { computeSlaState } from '../src/modules/sla/sla.state.ts';
import { metricsOf, toSlaEvents } from '../src/modules/sla/sla.metrics.ts';
import type { HistoryEntry, StoredPolicy } from '../src/modules/sla/sla.metrics.ts';
import { validateCalendar } from '../src/modules/sla/calendar.ts';
import type { SlaTables } from '../src/modules/sla/sla.tables.ts';
import { timerRow } from '../src/modules/sla/sla.repository.ts';
import { CLOCK_TIMER_KIND, clockTimer, entriesOf } from '../src/modules/sla/sla.clock-timer.ts';
import type { WorkOrderRow } from '../src/modules/work-orders/work-order.repository.ts';
import { acceptedOrder } from './accepted-orders.ts';

const T0 = Date.parse('2026-11-20T00:00:00.000Z');
const CHUNK = 500;
const POLICY: StoredPolicy = {
  id: 'bench',
  category: '*',
  priorityBand: '*',
  calendarId: '24x7',
  firstResponseMinutes: 30,
  resolutionMinutes: 60,
  warnAtRatio: 0.75,
  escalationChain: ['dispatcher', 'community_head', 'street'],
  escalationStepMinutes: 60,
};

interface DialectResult {
  dialect: string;
  timers: number;
  workers: number;
  seconds: number;
  timersPerSecond: number;
  firedOnce: boolean;
  eventsPerTimer: number;
}

async function fill(database: Database, n: number): Promise<void> {
  const db = database.db.withTables<SlaTables>();
  const communities = await db.selectFrom('communities').select('id').orderBy('code').execute();
  const at = (ms: number) => new Date(ms).toISOString();
  const history: HistoryEntry[] = [
    { type: 'submitted', at: at(T0) },
    { type: 'accepted', at: at(T0 + 5 * 60_000) },
  ];
  const cal = validateCalendar({ id: '24x7', name: '24x7', mode: '24x7' });
  if (!cal.ok) throw new Error('calendar');
  const state = computeSlaState(POLICY, cal.value, toSlaEvents(history), T0 + 5 * 60_000);
  if (!state.ok) throw new Error('state');
  const metrics = metricsOf(state.value);
  const isBreach = (t: { clock: string; kind: string }) => t.clock === 'resolution' && t.kind === 'breach';
  for (let start = 0; start < n; start += CHUNK) {
    const orders: WorkOrderRow[] = [];
    for (let i = start; i < Math.min(n, start + CHUNK); i++) {
      orders.push(acceptedOrder('bench', i, communities[i % communities.length]?.id ?? '', T0));
    }
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('work_orders').values(orders).execute();
      await trx
        .insertInto('sla_order_metrics')
        .values(
          orders.map((o) => ({
            work_order_id: o.id,
            community_id: o.community_id,
            policy_id: POLICY.id,
            policy_json: JSON.stringify(POLICY),
            calendar_id: '24x7',
            category: o.category,
            priority: o.priority,
            channel: o.channel,
            grid_id: null,
            assignee_id: null,
            submitted_at: o.created_at,
            month: '2026-11',
            first_response_warned_at: null,
            resolution_warned_at: at(T0 + 45 * 60_000),
            escalation_level: null,
            escalated_at: null,
            history_json: JSON.stringify(history),
            updated_at: o.updated_at,
            ...metrics,
          })),
        )
        .execute();
      await trx
        .insertInto('sla_timers')
        .values(
          orders.map((o) => {
            // The order's SLA timer, holding just its resolution breach.
            const timer = clockTimer(o.id, o.community_id, entriesOf(o.id, state.value).filter(isBreach));
            if (!timer) throw new Error('no breach timer');
            return timerRow(`t-${o.id}`, timer, o.created_at);
          }),
        )
        .execute();
    });
  }
}

async function runOn(
  options: DatabaseOptions,
  n: number,
  workers: number,
  label: string,
): Promise<DialectResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linli-timers-'));
  const open = () =>
    openDatabase({ ...options, ...(options.url ? {} : { sqliteFile: join(dataDir, 'bench.sqlite') }) });
  const main = await open();
  try {
    await migrateToLatest(main);
    await seedDemo(main, { ordersPerCommunity: 1, now: new Date(T0) });
    await fill(main, n);
    const handles = [main];
    for (let i = 1; i < workers; i++) handles.push(await open());
    const clock = new ManualClock(new Date(T0 + 90 * 60_000));
    const modules: SlaModule[] = [];
    for (const database of handles) {
      const deps = {
        database,
        clock,
        config: {
          ...loadConfig({}),
          dataDir,
          auditSigningKeyFile: join(dataDir, 'audit-signing-key.pem'),
          workers: false,
        },
        files: new DiskFileStore(join(dataDir, 'files')),
        logger: silentLogger,
      };
      const built = await buildApp(deps);
      modules.push(
        new SlaModule(deps, built.services.workOrders, { ...built.services.sla.settings, timerBatch: 200 }),
      );
    }
    const started = process.hrtime.bigint();
    const fired = await Promise.all(
      modules.map(async (m) => {
        let total = 0;
        for (;;) {
          const r = await m.timers.runDue(10);
          total += r.fired;
          if (r.claimed === 0) return total;
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const db = main.db.withTables<SlaTables>();
    const left = await db
      .selectFrom('sla_timers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', CLOCK_TIMER_KIND)
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    const events = await db
      .selectFrom('work_order_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('type', 'in', ['sla_breached', 'sla_escalated'])
      .executeTakeFirstOrThrow();
    const total = fired.reduce((s, x) => s + x, 0);
    for (const h of handles.slice(1)) await h.destroy();
    return {
      dialect: label,
      timers: n,
      workers,
      seconds: Math.round(seconds * 100) / 100,
      timersPerSecond: Math.round(total / seconds),
      firedOnce: Number(left.n) === 0 && Number(events.n) === 2 * n && total >= n,
      eventsPerTimer: Number(events.n) / n,
    };
  } finally {
    await main.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Timers per second on SQLite and, when a PostgreSQL URL is configured, on PostgreSQL. */
export async function runTimersBench(opts: { timers?: number } = {}): Promise<object> {
  const n = opts.timers ?? Number(process.env.BENCH_TIMERS ?? 100_000);
  const url = process.env.DATABASE_URL ?? process.env.BENCH_PG_URL;
  const results: DialectResult[] =
    process.env.BENCH_SKIP_SQLITE === '1' ? [] : [await runOn({}, n, 1, 'sqlite')];
  if (url) {
    results.push(
      await inBenchSchema(url, 'bench_timers', (schema) =>
        runOn({ url, schema, poolSize: 4 }, n, Number(process.env.BENCH_PG_WORKERS ?? 4), 'postgres'),
      ),
    );
  }
  return {
    work: 'per timer: SLA replay, metrics, breach event + audit entry + notification, escalation event + audit entry + notification, next escalation timer',
    results,
    ...(url ? {} : { postgres: 'set DATABASE_URL (or BENCH_PG_URL) to measure PostgreSQL' }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await runTimersBench(), null, 2));
  process.exit(0);
}

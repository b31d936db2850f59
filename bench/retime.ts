/**
 * Calendar change benchmark: a street admin adds a holiday to the office calendar while N orders
 * are open on it. Every one of them is re-timed (replay on the new calendar, stored deadlines,
 * timers): the first chunk in the change's own transaction, the rest by the timer worker's
 * `sla_retime` job, a chunk per transaction. Reports the PUT's duration, the job's, the time per
 * order, how long an order filed meanwhile waited (idle, during the change, the worst during the
 * job, run by a worker every second as in production), and checks that every open order's stored deadline moved.
 *
 * Run: node --import tsx bench/retime.ts        (BENCH_RETIME=n for another count; DATABASE_URL
 * or BENCH_PG_URL to measure PostgreSQL as well)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inBenchSchema } from './lib.ts';
import { loadConfig } from '../src/platform/config.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { migrateToLatest, openDatabase } from '../src/platform/db/database.ts';
import type { DatabaseOptions } from '../src/platform/db/database.ts';
import { DiskFileStore } from '../src/platform/files.ts';
import { silentLogger } from '../src/platform/context.ts';
import { buildApp } from '../src/platform/http/app.ts';
import { seedDemo } from '../src/seed/demo.ts';
import type { HistoryEntry, StoredPolicy } from '../src/modules/sla/sla.metrics.ts';
import type { SlaTables } from '../src/modules/sla/sla.tables.ts';
import { RETIME_TIMER_KIND } from '../src/modules/sla/sla.service.ts';
import type { WorkOrderRow } from '../src/modules/work-orders/work-order.repository.ts';
import { acceptedOrder } from './accepted-orders.ts';

// A Monday morning in Shanghai; the holiday added is the Wednesday after, inside every deadline.
const T0 = Date.parse('2026-11-23T01:00:00.000Z');
const HOLIDAY = '2026-11-25';
const CHUNK = 500;
const POLICY: StoredPolicy = {
  id: 'bench-office',
  category: '*',
  priorityBand: '*',
  calendarId: 'office',
  firstResponseMinutes: 60,
  resolutionMinutes: 5 * 8 * 60,
  warnAtRatio: 0.75,
  escalationChain: ['dispatcher', 'community_head', 'street'],
  escalationStepMinutes: 240,
};

interface Result {
  dialect: string;
  openOrders: number;
  putMs: number;
  retimedInChange: number;
  jobMs: number;
  orderFiledMs: { idle: number; duringChange: number; duringJobMax: number; duringJobCount: number };
  allDeadlinesMoved: boolean;
}

async function runOn(options: DatabaseOptions, n: number, label: string): Promise<Result> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linli-retime-'));
  const database = await openDatabase({
    ...options,
    ...(options.url ? {} : { sqliteFile: join(dataDir, 'bench.sqlite') }),
  });
  try {
    await migrateToLatest(database);
    await seedDemo(database, { ordersPerCommunity: 1, now: new Date(T0) });
    const db = database.db.withTables<SlaTables>();
    const communities = await db.selectFrom('communities').select('id').orderBy('code').execute();
    const at = (ms: number) => new Date(ms).toISOString();
    const history: HistoryEntry[] = [
      { type: 'submitted', at: at(T0) },
      { type: 'accepted', at: at(T0 + 5 * 60_000) },
    ];
    // Placeholder deadlines: the change replays every order, so only "moved" matters.
    const stale = at(T0 + 3 * 86_400_000);
    for (let start = 0; start < n; start += CHUNK) {
      const orders: WorkOrderRow[] = [];
      for (let i = start; i < Math.min(n, start + CHUNK); i++) {
        orders.push(acceptedOrder('retime', i, communities[i % communities.length]?.id ?? '', T0));
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
              calendar_id: 'office',
              category: o.category,
              priority: o.priority,
              channel: o.channel,
              grid_id: null,
              assignee_id: null,
              submitted_at: o.created_at,
              month: '2026-11',
              sla_status: 'open',
              first_response_due_at: at(T0 + 60 * 60_000),
              first_response_at: at(T0 + 5 * 60_000),
              first_response_minutes: 5,
              first_response_met: 1,
              first_response_breached_at: null,
              first_response_warned_at: null,
              resolution_due_at: stale,
              resolution_at: null,
              resolution_minutes: 0,
              resolution_met: null,
              resolution_breached_at: null,
              resolution_warned_at: null,
              paused_minutes: 0,
              paused_wall_minutes: 0,
              reopen_count: 0,
              update_due_at: null,
              escalation_level: null,
              escalated_at: null,
              history_json: JSON.stringify(history),
              updated_at: o.updated_at,
            })),
          )
          .execute();
      });
    }

    const clock = new ManualClock(new Date(T0 + 60 * 60_000));
    const built = await buildApp({
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
    });
    const app = built.app;
    const countMoved = async () =>
      Number(
        (
          await db
            .selectFrom('sla_order_metrics')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('work_order_id', 'like', 'retime-%')
            .where('resolution_due_at', '!=', stale)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const login = async (username: string) => {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username, password: 'demo1234' },
      });
      return (r.json() as { token: string }).token;
    };
    const street = await login('street_admin');
    const agent = await login('agent');
    const current = (
      await app.inject({
        method: 'GET',
        url: '/api/v1/sla/calendars',
        headers: { authorization: `Bearer ${street}` },
      })
    ).json() as Array<Record<string, unknown> & { id: string; holidays: string[] }>;
    const office = current.find((c) => c.id === 'office');
    if (!office) throw new Error('no office calendar in the demo');

    const fileOne = async (): Promise<number> => {
      const f0 = process.hrtime.bigint();
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/work-orders',
        headers: { authorization: `Bearer ${agent}` },
        payload: { channel: 'hotline', description: '3号楼门口的路灯不亮了' },
      });
      if (r.statusCode !== 201) throw new Error(`POST answered ${r.statusCode}: ${r.body}`);
      return Number(process.hrtime.bigint() - f0) / 1e6;
    };
    // Warm-up: the first order loads the classifier.
    await fileOne();
    const idle = await fileOne();

    const t0 = process.hrtime.bigint();
    const put = app.inject({
      method: 'PUT',
      url: '/api/v1/sla/calendars/office',
      headers: { authorization: `Bearer ${street}` },
      payload: {
        name: office.name,
        mode: office.mode,
        timeZone: office.timeZone,
        weekly: office.weekly,
        holidays: [...office.holidays, HOLIDAY],
        workdays: office.workdays,
        holidayRegion: office.holidayRegion,
      },
    });
    // An order filed while the change runs: how long it waits for the write.
    await new Promise((r) => setImmediate(r));
    const [putRes, duringPut] = await Promise.all([
      put.then((r) => ({ r, ms: Number(process.hrtime.bigint() - t0) / 1e6 })),
      fileOne(),
    ]);
    if (putRes.r.statusCode !== 200) throw new Error(`PUT answered ${putRes.r.statusCode}: ${putRes.r.body}`);
    const inChange = await countMoved();

    // The rest: the timer worker's job, while orders keep being filed one after another.
    const j0 = process.hrtime.bigint();
    let jobRunning = true;
    const waits: number[] = [];
    const filing = (async () => {
      while (jobRunning) waits.push(await fileOne());
    })();
    // As the background worker does: a run every second.
    for (;;) {
      const tick = Date.now();
      await built.services.sla.timers.runDue();
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - tick))));
      const left = await db
        .selectFrom('sla_timers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('kind', '=', RETIME_TIMER_KIND)
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      if (Number(left.n) === 0) break;
    }
    const jobMs = Number(process.hrtime.bigint() - j0) / 1e6;
    jobRunning = false;
    await filing;
    const moved = await countMoved();
    await app.close();
    return {
      dialect: label,
      openOrders: n,
      putMs: Math.round(putRes.ms),
      retimedInChange: inChange,
      jobMs: Math.round(jobMs),
      orderFiledMs: {
        idle: Math.round(idle),
        duringChange: Math.round(duringPut),
        duringJobMax: Math.round(Math.max(0, ...waits)),
        duringJobCount: waits.length,
      },
      allDeadlinesMoved: moved === n,
    };
  } finally {
    await database.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A calendar change over N open orders, on SQLite and (when configured) PostgreSQL. */
export async function runRetimeBench(opts: { orders?: number } = {}): Promise<object> {
  const n = opts.orders ?? Number(process.env.BENCH_RETIME ?? 20_000);
  const url = process.env.DATABASE_URL ?? process.env.BENCH_PG_URL;
  const results: Result[] = [await runOn({}, n, 'sqlite')];
  if (url) {
    results.push(
      await inBenchSchema(url, 'bench_retime', (schema) =>
        runOn({ url, schema, poolSize: 4 }, n, 'postgres'),
      ),
    );
  }
  return {
    work: 'PUT /api/v1/sla/calendars/office adding a holiday; every open order on it replayed, its deadlines stored and its timer re-armed: the first chunk in the change, the rest by the timer worker (LINLI_SLA_RETIME_CHUNK per transaction)',
    results,
    ...(url ? {} : { postgres: 'set DATABASE_URL (or BENCH_PG_URL) to measure PostgreSQL' }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await runRetimeBench(), null, 2));
  process.exit(0);
}

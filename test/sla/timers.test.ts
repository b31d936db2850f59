import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { SlaModule } from '../../src/modules/sla/sla.module.ts';
import type { SlaTables } from '../../src/modules/sla/sla.tables.ts';
import { CLOCK_TIMER_KIND, entriesOfRow } from '../../src/modules/sla/sla.clock-timer.ts';
import { addNoiseFastPolicy, auditOk, createOrder } from './sla-helpers.ts';
import type { OrderView } from './sla-helpers.ts';

const MINUTE = 60_000;

/** Another connection to the test database, as a second app node would open it. */
async function secondHandle(ctx: TestContext): Promise<{ database: Database; env: Record<string, string> }> {
  if (ctx.database.dialect === 'postgres') {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
      ctx.database.db,
    );
    const schema = rows[0]?.schema ?? '';
    const url = process.env.DATABASE_URL ?? '';
    return {
      database: await openDatabase({ url, schema, poolSize: 5 }),
      env: { DATABASE_URL: url, LINLI_DB_SCHEMA: schema },
    };
  }
  const file = join(ctx.dataDir, 'test.sqlite');
  return { database: await openDatabase({ sqliteFile: file }), env: { SQLITE_FILE: file } };
}

/**
 * Timers by kind and status. An order's SLA clock timer is counted as the warnings and breaches
 * it still holds while pending (`warn:pending`, `breach:pending`), and as `sla_clocks:fired`
 * once it has fired with nothing left to wait for.
 */
async function timerCounts(ctx: TestContext) {
  const rows = await ctx.database.db.withTables<SlaTables>().selectFrom('sla_timers').selectAll().execute();
  const out: Record<string, number> = {};
  const add = (k: string) => (out[k] = (out[k] ?? 0) + 1);
  for (const r of rows) {
    if (r.kind === CLOCK_TIMER_KIND && r.status === 'pending')
      for (const e of entriesOfRow(r)) add(`${e.kind}:pending`);
    else add(`${r.kind}:${r.status}`);
  }
  return out;
}

/** Each order's SLA events on its timeline, counted by type. */
async function eventsPerOrder(ctx: TestContext, ids: string[]) {
  const rows = await ctx.database.db
    .selectFrom('work_order_events')
    .select(['work_order_id', 'type'])
    .where('work_order_id', 'in', ids)
    .where('type', 'like', 'sla_%')
    .execute();
  const per = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const m = per.get(r.work_order_id) ?? {};
    m[r.type] = (m[r.type] ?? 0) + 1;
    per.set(r.work_order_id, m);
  }
  return ids.map((id) => per.get(id) ?? {});
}

describe('durable SLA timers', () => {
  let ctx: TestContext;
  let orders: OrderView[] = [];
  let t0 = 0;
  before(async () => {
    ctx = await createTestContext();
    await addNoiseFastPolicy(ctx);
  });
  after(() => ctx.close());

  const createBatch = async (n: number) => {
    const agent = await ctx.login('agent');
    t0 = ctx.clock.now().getTime();
    const made: OrderView[] = [];
    for (let i = 0; i < n; i++)
      made.push(
        await createOrder(ctx, agent, {
          channel: 'hotline',
          description: `楼上装修噪音 ${i}`,
          category: 'basic_living.noise',
          urgency: 'normal',
        }),
      );
    return made;
  };

  it('a worker killed in the middle of pending timers loses none and fires none twice', async () => {
    orders = await createBatch(30);
    const counts = await timerCounts(ctx);
    assert.equal(counts['warn:pending'], 60);
    assert.equal(counts['breach:pending'], 60);
    const now = new Date(t0 + 60 * MINUTE).toISOString();
    const handle = await secondHandle(ctx);
    await handle.database.destroy();

    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'timer-child.ts')], {
      env: {
        ...process.env,
        ...handle.env,
        NOW: now,
        DATA_DIR: ctx.dataDir,
        LINLI_TIMER_BATCH: '1',
        PAUSE_MS: '15',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Each order's clock timer holds its four deadlines; at `now` all are due, so one firing
    // handles an order's warnings and breaches together.
    let fired = 0;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      fired = (await timerCounts(ctx))['sla_clocks:fired'] ?? 0;
      if (fired >= 5) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    await exited;
    const firedBefore = (await timerCounts(ctx))['sla_clocks:fired'] ?? 0;
    assert.ok(
      firedBefore >= 5 && firedBefore < 30,
      `killed mid-way (${firedBefore} of 30 orders' timers fired)`,
    );

    // The restarted node catches up on everything that fell due while it was down.
    ctx.clock.set(now);
    const restarted = await buildApp(ctx.deps);
    const run = await restarted.services.sla.timers.runDue();
    await restarted.app.close();
    assert.equal(run.failed, 0);
    const final = await timerCounts(ctx);
    assert.equal(final['warn:pending'] ?? 0, 0);
    assert.equal(final['breach:pending'] ?? 0, 0);
    assert.equal(final['sla_clocks:fired'], 30, "every order's timer fired");
    for (const e of await eventsPerOrder(
      ctx,
      orders.map((o) => o.id),
    )) {
      // Late warnings are dropped (the breach speaks); each clock breaches once; one escalation.
      assert.deepEqual(e, { sla_breached: 2, sla_escalated: 1 });
    }
    assert.equal(final['escalate:pending'], 30, 'each order waits for its next escalation level');
    await auditOk(ctx, orders[0]?.communityId ?? '');
  });

  it('two workers on one database never fire the same timer twice', async () => {
    ctx.clock.set(new Date(t0 + 2 * 3_600_000).toISOString());
    const batch = await createBatch(40);
    const ids = batch.map((o) => o.id);
    ctx.clock.set(new Date(t0 + 25 * MINUTE).toISOString()); // resolution warnings and first-response breaches due
    const dueNow = async () =>
      Number(
        (
          await ctx.database.db
            .withTables<SlaTables>()
            .selectFrom('sla_timers')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', '=', 'pending')
            .where('due_at', '<=', ctx.clock.now().toISOString())
            .executeTakeFirstOrThrow()
        ).n,
      );
    const handle = await secondHandle(ctx);
    try {
      const expected = await dueNow();
      assert.ok(
        expected >= 40,
        'per new order: its one SLA timer, due with the first-response breach (10 min)',
      );
      const deps2 = { ...ctx.deps, database: handle.database };
      const built2 = await buildApp(deps2);
      const settings = { ...ctx.services.sla.settings, timerBatch: 4 };
      const w1 = new SlaModule(ctx.deps, ctx.services.workOrders, settings).timers;
      const w2 = new SlaModule(deps2, built2.services.workOrders, settings).timers;
      const [r1, r2] = await Promise.all([w1.runDue(100), w2.runDue(100)]);
      await built2.app.close();
      assert.equal(r1.failed + r2.failed, 0);
      assert.equal(r1.fired + r2.fired, expected, `fired ${r1.fired} + ${r2.fired}`);
      assert.equal(await dueNow(), 0);
      if (ctx.database.dialect === 'postgres') assert.ok(r1.fired > 0 && r2.fired > 0, 'both nodes did work');
      for (const e of await eventsPerOrder(ctx, ids))
        assert.deepEqual(e, { sla_warning: 1, sla_breached: 1, sla_escalated: 1 });

      // Later: resolution breaches and the next escalation level, again shared by both nodes.
      ctx.clock.set(new Date(t0 + 40 * MINUTE).toISOString());
      const w3 = new SlaModule({ ...ctx.deps }, ctx.services.workOrders, settings).timers;
      const built3 = await buildApp(deps2);
      const w4 = new SlaModule(deps2, built3.services.workOrders, settings).timers;
      const expectedLater = await dueNow();
      const [r3, r4] = await Promise.all([w3.runDue(100), w4.runDue(100)]);
      await built3.app.close();
      assert.equal(r3.failed + r4.failed, 0);
      assert.equal(r3.fired + r4.fired, expectedLater);
      for (const e of await eventsPerOrder(ctx, ids))
        assert.deepEqual(e, { sla_warning: 1, sla_breached: 2, sla_escalated: 2 });
      const levels = await ctx.database.db
        .withTables<SlaTables>()
        .selectFrom('sla_order_metrics')
        .select('escalation_level')
        .where('work_order_id', 'in', ids)
        .execute();
      assert.ok(levels.every((l) => l.escalation_level === 'community_head'));
      await auditOk(ctx, batch[0]?.communityId ?? '');
    } finally {
      await handle.database.destroy();
    }
  });

  it('reaching the top of the chain issues a supervision order (督办) that turns overdue unanswered', async () => {
    const id = orders[0]?.id ?? '';
    // The first orders stand at the dispatcher level; each step of 5 minutes climbs one level.
    ctx.clock.set(new Date(t0 + 24 * 3_600_000).toISOString());
    for (let i = 0; i < 3; i++) {
      ctx.clock.advance(10 * MINUTE);
      await ctx.services.sla.timers.runDue();
    }
    const manager = await ctx.login('manager');
    const sla = (await ctx.call('GET', `/api/v1/work-orders/${id}/sla`, manager)).json() as {
      sla: { escalationLevel: string };
      supervisions: { id: string; status: string; level: string | null; dueAt: string }[];
    };
    assert.equal(sla.sla.escalationLevel, 'street');
    assert.equal(sla.supervisions.length, 1);
    const sup = sla.supervisions[0];
    assert.ok(sup);
    assert.equal(sup.level, 'street');
    ctx.clock.set(new Date(Date.parse(sup.dueAt) + MINUTE).toISOString());
    await ctx.services.sla.timers.runDue();
    const manager2 = await ctx.login('manager');
    const list = (await ctx.call('GET', `/api/v1/supervisions?order=${id}`, manager2)).json() as {
      id: string;
      status: string;
    }[];
    assert.equal(list[0]?.status, 'overdue');
    const dispatcher = await ctx.login('dispatcher');
    const answered = await ctx.call('POST', `/api/v1/supervisions/${sup.id}/respond`, dispatcher, {
      response: '已联系物业，今晚处理',
    });
    assert.equal(answered.statusCode, 200, answered.body);
    assert.equal((answered.json() as { status: string }).status, 'responded');
    const twice = await ctx.call('POST', `/api/v1/supervisions/${sup.id}/respond`, dispatcher, {
      response: '再次',
    });
    assert.equal(twice.statusCode, 409);

    // A manager may also supervise by hand, with a deadline of their own.
    const other = orders[1]?.id ?? '';
    const issued = await ctx.call('POST', `/api/v1/work-orders/${other}/supervisions`, manager2, {
      reason: '居民多次来电',
      dueInMinutes: 120,
    });
    assert.equal(issued.statusCode, 201, issued.body);
    const refused = await ctx.call('POST', `/api/v1/work-orders/${other}/supervisions`, dispatcher, {
      reason: 'x',
    });
    assert.equal(refused.statusCode, 403);
    const types = (
      await ctx.database.db
        .selectFrom('work_order_events')
        .select('type')
        .where('work_order_id', '=', id)
        .execute()
    ).map((r) => r.type);
    for (const t of ['supervision_issued', 'supervision_overdue', 'supervision_responded'])
      assert.ok(types.includes(t), `${t} on the timeline`);
    await auditOk(ctx, orders[0]?.communityId ?? '');
  });
});

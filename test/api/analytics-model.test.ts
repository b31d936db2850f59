/**
 * The dashboard against a recount, through the API.
 *
 * fast-check draws histories over both communities: orders filed by hotline, window and
 * mini-app, for residents in every grid or for nobody (no grid), of several categories; every
 * lifecycle action (accept, dispatch to someone of the order's community, start, resolve,
 * confirm with a rating, reopen, wait and resume, transfer, refer, dismiss, merge, cancel),
 * reclassifications after an order was counted, and the erasure of a resident whose orders were
 * counted; the fake clock is moved to just before a local midnight of either community, a UTC
 * midnight, the turn of a month or of a year in Beijing, or a daylight-saving change of the
 * second community (moved to America/Santiago, whose clocks change at midnight), and then on by
 * minutes and hours, so orders fall on both sides of each.
 *
 * After each history every figure of `GET /api/v1/analytics/dashboard` (totals, by category,
 * grid, assignee and local month, their names and order) is compared, for windows of whole local
 * days, windows that start and end inside a day (given in UTC, +08:00 or -04:00), a window of a
 * single order's millisecond, everything, and the default window, with a recount made here from
 * the raw rows: `work_orders` for what an order is now, its timeline (`work_order_events`) for
 * when it was first answered, resolved, rated and reopened, `users` and `grids` for names, local
 * dates worked out with `Intl` alone. So is `GET /api/v1/sla/compliance?by=month` with the
 * same windows, against `sla_order_metrics`, and its months are the dashboard's months. Each
 * community's figures are asked for by its manager (by id and by code) and by the street's
 * admin; the other community's manager, field staff and a resident are refused.
 *
 * `LINLI_ANALYTICS_RUNS` (histories) and `LINLI_ANALYTICS_SEED` widen a hunt.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { SlaTables } from '../../src/modules/sla/sla.tables.ts';
import { ACTIONS, FROM } from '../../src/modules/work-orders/work-order.machine.ts';
import type { Action } from '../../src/modules/work-orders/work-order.machine.ts';
import { createTestContext } from '../helpers.ts';
import { rollupMismatches } from '../rollups-check.ts';
import type { TestContext } from '../helpers.ts';

const RUNS = Number(process.env.LINLI_ANALYTICS_RUNS ?? 8);
const SEED = process.env.LINLI_ANALYTICS_SEED ? Number(process.env.LINLI_ANALYTICS_SEED) : undefined;
const MINUTE = 60_000;
/** Timeline events of the histories by type, printed at the end with `LINLI_ANALYTICS_STATS=1`. */
const STATS = new Map<string, number>();
if (process.env.LINLI_ANALYTICS_STATS === '1') process.on('exit', () => console.log([...STATS].sort()));
const DAY = 86_400_000;
/** The second community's zone: its clocks go back at midnight in April and on at midnight in September. */
const SECOND_ZONE = 'America/Santiago';
const OPEN = new Set(['submitted', 'accepted', 'dispatched', 'in_progress', 'waiting_on_resident']);

/** The steps a person takes (auto-close is the worker's); which statuses each starts from is the machine's `FROM`. */
type Act = Exclude<Action, 'auto_close'>;
const ACTS = ACTIONS.filter((a): a is Act => a !== 'auto_close');
/** The work more often than the ways out of it. */
const WEIGHTED: readonly Act[] = ACTS.flatMap((a) =>
  Array<Act>(['refer', 'dismiss', 'cancel'].includes(a) ? 1 : a === 'merge' ? 2 : 4).fill(a),
);

// ── local dates, with Intl alone ──────────────────────────────────────────────────────────

const formatters = new Map<string, Intl.DateTimeFormat>();
/** `YYYY-MM-DD` of an instant in a zone. */
function localDate(ms: number, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f.format(new Date(ms));
}
/** The first instant after `ms` (on a quarter hour, where every zone's days begin) of another local day. */
function nextLocalMidnight(ms: number, timeZone: string): number {
  const today = localDate(ms, timeZone);
  let t = Math.floor(ms / (15 * MINUTE)) * 15 * MINUTE;
  while (localDate(t, timeZone) === today) t += 15 * MINUTE;
  return t;
}
/** The first instant after `ms` where the zone's offset changes (within two years), or null. */
function nextOffsetChange(ms: number, timeZone: string): number | null {
  const offset = (t: number) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      timeZoneName: 'longOffset',
    }).formatToParts(new Date(t));
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
  };
  const start = offset(ms);
  for (let t = ms + 15 * MINUTE; t < ms + 730 * DAY; t += 15 * MINUTE) if (offset(t) !== start) return t;
  return null;
}
/** An instant as RFC 3339 text with a given offset in minutes (`Z` for 0 when `z`). */
function withOffset(ms: number, offsetMinutes: number, z = true): string {
  if (offsetMinutes === 0 && z) return new Date(ms).toISOString();
  const local = new Date(ms + offsetMinutes * MINUTE).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

// ── the recount ───────────────────────────────────────────────────────────────────────────

interface RawOrder {
  id: string;
  community_id: string;
  created_at: string;
  category: string;
  grid_id: string | null;
  assignee_id: string | null;
  status: string;
}
interface RawEvent {
  id: string;
  work_order_id: string;
  type: string;
  created_at: string;
  data_json: string | null;
}
interface Raw {
  orders: RawOrder[];
  events: Map<string, RawEvent[]>;
  users: Map<string, string>;
  grids: Map<string, string>;
}

/** What the timeline says of an order: when first answered, resolved now, rated now, ever resolved, reopened. */
interface Story {
  answeredAt: number | null;
  resolvedAt: number | null;
  rating: number | null;
  everResolved: boolean;
  reopened: boolean;
}

/**
 * An order's story from its timeline. First answered: accepted, dispatched, or referred or
 * dismissed straight from the queue, as the SLA's first-response clock counts it; a merge or a
 * cancellation before that withdrew the question for good. A resolution and a rating hold until
 * a reopen by the resident or staff (not the return to work of a duplicate whose order was
 * cancelled, which the timeline also calls a reopen).
 */
function storyOf(events: RawEvent[]): Story {
  const s: Story = { answeredAt: null, resolvedAt: null, rating: null, everResolved: false, reopened: false };
  let clock: 'running' | 'answered' | 'withdrawn' = 'running';
  for (const e of events) {
    const at = Date.parse(e.created_at);
    const data = JSON.parse(e.data_json ?? '{}') as { rating?: number; unmergedFrom?: string };
    if (clock === 'running' && ['accept', 'dispatch', 'refer', 'dismiss'].includes(e.type)) {
      clock = 'answered';
      s.answeredAt = at;
    }
    if (clock === 'running' && ['merge', 'cancel'].includes(e.type)) clock = 'withdrawn';
    if (e.type === 'resolve') {
      s.resolvedAt = at;
      s.everResolved = true;
    }
    if (e.type === 'confirm') s.rating = data.rating ?? null;
    if (e.type === 'reopen' && data.unmergedFrom === undefined) {
      s.reopened = true;
      s.resolvedAt = null;
      s.rating = null;
    }
  }
  return s;
}

interface Sums {
  orders: number;
  open: number;
  resolved: number;
  responseMs: number;
  responded: number;
  resolutionMs: number;
  rated: number;
  ratingSum: number;
  everResolved: number;
  reopened: number;
}
const zero = (): Sums => ({
  orders: 0,
  open: 0,
  resolved: 0,
  responseMs: 0,
  responded: 0,
  resolutionMs: 0,
  rated: 0,
  ratingSum: 0,
  everResolved: 0,
  reopened: 0,
});
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const kpis = (a: Sums) => ({
  orders: a.orders,
  open: a.open,
  resolved: a.resolved,
  firstResponseMinutes: a.responded ? round(a.responseMs / a.responded / 60_000, 1) : null,
  resolutionHours: a.resolved ? round(a.resolutionMs / a.resolved / 3_600_000, 1) : null,
  satisfaction: a.rated ? round(a.ratingSum / a.rated, 2) : null,
  rated: a.rated,
  reopenRate: a.everResolved ? round(a.reopened / a.everResolved, 4) : null,
});

/** The dashboard of a community over [from, to) as the raw rows give it. */
function recount(raw: Raw, communityId: string, timeZone: string, from: number, to: number) {
  const total = zero();
  const buckets = {
    byCategory: new Map<string, Sums>(),
    byGrid: new Map<string, Sums>(),
    byAssignee: new Map<string, Sums>(),
    byMonth: new Map<string, Sums>(),
  };
  for (const o of raw.orders) {
    const created = Date.parse(o.created_at);
    if (o.community_id !== communityId || created < from || created >= to) continue;
    const s = storyOf(raw.events.get(o.id) ?? []);
    const add = (a: Sums) => {
      a.orders += 1;
      if (OPEN.has(o.status)) a.open += 1;
      if (s.resolvedAt !== null) {
        a.resolved += 1;
        a.resolutionMs += s.resolvedAt - created;
      }
      if (s.answeredAt !== null) {
        a.responded += 1;
        a.responseMs += s.answeredAt - created;
      }
      if (s.rating !== null) {
        a.rated += 1;
        a.ratingSum += s.rating;
      }
      if (s.everResolved) a.everResolved += 1;
      if (s.reopened) a.reopened += 1;
    };
    add(total);
    const into = (m: Map<string, Sums>, key: string | null) => {
      if (key === null) return;
      let a = m.get(key);
      if (!a) m.set(key, (a = zero()));
      add(a);
    };
    into(buckets.byCategory, o.category);
    into(buckets.byGrid, o.grid_id);
    into(buckets.byAssignee, o.assignee_id);
    into(buckets.byMonth, localDate(created, timeZone).slice(0, 7));
  }
  const list = (m: Map<string, Sums>, name: (k: string) => string, byKey = false) =>
    [...m.entries()]
      .map(([key, a]) => ({ key, name: name(key), ...kpis(a) }))
      .sort((a, b) =>
        byKey ? a.key.localeCompare(b.key) : b.orders - a.orders || a.key.localeCompare(b.key),
      );
  return {
    totals: kpis(total),
    byCategory: list(buckets.byCategory, (k) => k),
    byGrid: list(buckets.byGrid, (k) => raw.grids.get(k) ?? k),
    byAssignee: list(buckets.byAssignee, (k) => raw.users.get(k) ?? k),
    byMonth: list(buckets.byMonth, (k) => k, true),
  };
}

type MetricsRow = SlaTables['sla_order_metrics'];

/** `GET /api/v1/sla/compliance?by=month` of a community over [from, to), from `sla_order_metrics`. */
function recountCompliance(metrics: MetricsRow[], communityId: string, from: number, to: number) {
  const rate = (met: number, breached: number) =>
    met + breached === 0 ? null : Math.round((met / (met + breached)) * 1000) / 1000;
  const rows = new Map<string, MetricsRow[]>();
  for (const m of metrics) {
    const at = Date.parse(m.submitted_at);
    if (m.community_id !== communityId || at < from || at >= to) continue;
    // A cancelled or merged order none of whose deadlines counts is left out.
    if (m.sla_status === 'cancelled' && m.first_response_met === null && m.resolution_met === null) continue;
    rows.set(m.month, [...(rows.get(m.month) ?? []), m]);
  }
  return [...rows.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, ms]) => {
      const count = (f: (m: MetricsRow) => boolean) => ms.filter(f).length;
      const resolved = ms.filter((m) => m.resolution_at !== null && m.resolution_minutes !== null);
      const avg = resolved.length
        ? resolved.reduce((n, m) => n + (m.resolution_minutes ?? 0), 0) / resolved.length
        : null;
      const fr = [
        count((m) => m.first_response_met === 1),
        count((m) => m.first_response_met === 0),
      ] as const;
      const res = [count((m) => m.resolution_met === 1), count((m) => m.resolution_met === 0)] as const;
      return {
        key,
        label: key,
        total: ms.length,
        firstResponse: { met: fr[0], breached: fr[1], rate: rate(...fr) },
        resolution: { met: res[0], breached: res[1], rate: rate(...res) },
        openBreached: count(
          (m) => m.resolution_breached_at !== null && ['open', 'paused'].includes(m.sla_status),
        ),
        avgResolutionMinutes: avg === null ? null : Math.round(avg * 10) / 10,
        pausedMinutes: Math.round(ms.reduce((n, m) => n + m.paused_minutes, 0)),
      };
    });
}

// ── histories ─────────────────────────────────────────────────────────────────────────────

type Boundary = 'day_a' | 'day_b' | 'utc_day' | 'month' | 'year' | 'dst_b';
interface Create {
  kind: 'create';
  community: 0 | 1;
  channel: 'hotline' | 'window' | 'miniapp';
  /** Whose household it is for (a resident of the community by index), or nobody's. */
  resident: number | null;
  category: number;
}
interface ActStep {
  kind: 'act';
  order: number;
  pick: number;
  worker: number;
  rating: number;
  target: number;
}
interface Reclassify {
  kind: 'reclassify';
  order: number;
  category: number;
}
interface Erase {
  kind: 'erase';
  order: number;
}
interface Wait {
  kind: 'wait';
  ms: number;
}
type HStep = Create | ActStep | Reclassify | Erase | Wait;

const stepArb: fc.Arbitrary<HStep> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      community: fc.constantFrom<0 | 1>(0, 1),
      channel: fc.constantFrom<Create['channel']>('hotline', 'window', 'miniapp'),
      resident: fc.option(fc.nat(40), { freq: 4 }),
      category: fc.nat(20),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('act' as const),
      order: fc.nat(30),
      pick: fc.nat(60),
      worker: fc.nat(4),
      rating: fc.integer({ min: 1, max: 5 }),
      target: fc.nat(30),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('reclassify' as const),
      order: fc.nat(30),
      category: fc.nat(20),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('erase' as const), order: fc.nat(30) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('wait' as const),
      ms: fc.constantFrom(0, 1, 999, 7 * MINUTE, 45 * MINUTE, 3 * 3_600_000, 10 * 3_600_000, 26 * 3_600_000),
    }),
  },
);

const historyArb = fc.record({
  boundary: fc.constantFrom<Boundary>('day_a', 'day_b', 'utc_day', 'month', 'year', 'dst_b'),
  /** Minutes before the boundary the history starts. */
  lead: fc.integer({ min: 1, max: 120 }),
  steps: fc.array(stepArb, { minLength: 10, maxLength: 45, size: 'max' }),
  /** Window edges: indexes into the instants of the history (orders' times ±1 ms, midnights). */
  edges: fc.array(fc.tuple(fc.nat(200), fc.nat(200), fc.constantFrom(0, 480, -240, 330)), {
    minLength: 2,
    maxLength: 3,
  }),
});

describe('the dashboard against a recount from the raw rows (random histories through the API)', () => {
  let ctx: TestContext;
  const tokens = new Map<string, string>();
  const communities: Array<{ id: string; code: string; timeZone: string; manager: string }> = [];
  const workers: string[][] = [];
  const residents: string[][] = [];
  let categories: string[] = [];
  const token = (u: string) => tokens.get(u) ?? '';

  before(async () => {
    ctx = await createTestContext({ orders: 0 });
    const db = ctx.database.db;
    for (const [i, code] of ['taoyuan', 'longzhu'].entries()) {
      const c = await db
        .selectFrom('communities')
        .select(['id'])
        .where('code', '=', code)
        .executeTakeFirstOrThrow();
      // The second community keeps its days in a zone whose midnights are skipped and repeated.
      if (i === 1)
        await db.updateTable('communities').set({ time_zone: SECOND_ZONE }).where('id', '=', c.id).execute();
      communities.push({
        id: c.id,
        code,
        timeZone: i === 1 ? SECOND_ZONE : 'Asia/Shanghai',
        manager: i === 0 ? 'manager' : 'manager2',
      });
      const suffix = i === 0 ? '' : '2';
      const ws = await db
        .selectFrom('users')
        .select('id')
        .where('username', 'in', [
          `grid_worker${suffix}`,
          `grid_worker_b${suffix}`,
          `provider${suffix}`,
          'street_admin',
        ])
        .orderBy('username')
        .execute();
      workers.push(ws.map((w) => w.id));
      const rs = await db
        .selectFrom('residents')
        .select('id')
        .where('community_id', '=', c.id)
        .where('erased_at', 'is', null)
        .where('household_id', 'is not', null)
        .orderBy('id')
        .execute();
      residents.push(rs.map((r) => r.id));
    }
    categories = (await db.selectFrom('categories').select('code').orderBy('code').execute()).map(
      (c) => c.code,
    );
    const existing = await db.selectFrom('work_orders').select('id').execute();
    assert.equal(existing.length, 0, 'no orders before the histories');
    for (const u of [
      'street_admin',
      'manager',
      'manager2',
      'agent',
      'agent2',
      'dispatcher',
      'provider',
      'grid_worker',
    ])
      tokens.set(u, await ctx.login(u));
    tokens.set('resident', await ctx.residentLogin('13800000001'));
    await db.updateTable('sessions').set({ expires_at: '2100-01-01T00:00:00.000Z' }).execute();
  });
  after(() => ctx.close());

  async function readRaw(): Promise<Raw> {
    const db = ctx.database.db;
    const orders = await db
      .selectFrom('work_orders')
      .select(['id', 'community_id', 'created_at', 'category', 'grid_id', 'assignee_id', 'status'])
      .execute();
    const events = new Map<string, RawEvent[]>();
    for (const e of await db
      .selectFrom('work_order_events')
      .select(['id', 'work_order_id', 'type', 'created_at', 'data_json'])
      .orderBy('created_at')
      .orderBy('id')
      .execute())
      events.set(e.work_order_id, [...(events.get(e.work_order_id) ?? []), e]);
    const users = new Map(
      (await db.selectFrom('users').select(['id', 'display_name']).execute()).map((u) => [
        u.id,
        u.display_name,
      ]),
    );
    const grids = new Map(
      (await db.selectFrom('grids').select(['id', 'name']).execute()).map((g) => [g.id, g.name]),
    );
    return { orders, events, users, grids };
  }

  const boundaryAfter = (b: Boundary, now: number): number => {
    switch (b) {
      case 'day_a':
        return nextLocalMidnight(now, 'Asia/Shanghai');
      case 'day_b':
        return nextLocalMidnight(now, SECOND_ZONE);
      case 'utc_day':
        return nextLocalMidnight(now, 'UTC');
      case 'month': {
        const [y, m] = localDate(now, 'Asia/Shanghai').split('-').map(Number) as [number, number];
        return Date.UTC(y, m, 1) - 8 * 3_600_000;
      }
      case 'year': {
        const y = Number(localDate(now, 'Asia/Shanghai').slice(0, 4));
        return Date.UTC(y + 1, 0, 1) - 8 * 3_600_000;
      }
      case 'dst_b':
        return nextOffsetChange(now, SECOND_ZONE) ?? nextLocalMidnight(now, SECOND_ZONE);
    }
  };

  async function orderRow(id: string) {
    return ctx.database.db
      .selectFrom('work_orders')
      .select(['id', 'status', 'resume_status', 'version', 'community_id', 'beneficiary_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  async function runStep(run: string[], step: HStep, label: string): Promise<void> {
    const db = ctx.database.db;
    if (step.kind === 'wait') {
      ctx.clock.advance(step.ms);
      return;
    }
    if (step.kind === 'create') {
      const c = communities[step.community];
      assert.ok(c);
      const rs = residents[step.community] ?? [];
      const residentId = step.resident === null ? undefined : rs[step.resident % rs.length];
      const erased = residentId
        ? (
            await db
              .selectFrom('residents')
              .select('erased_at')
              .where('id', '=', residentId)
              .executeTakeFirstOrThrow()
          ).erased_at !== null
        : false;
      const res = await ctx.call('POST', '/api/v1/work-orders', token('street_admin'), {
        channel: step.channel,
        communityId: c.id,
        description: `路灯不亮 ${run.length}`,
        category: categories[step.category % categories.length],
        ...(residentId && !erased ? { residentId } : {}),
      });
      assert.equal(res.statusCode, 201, `${label}: create ${res.body}`);
      run.push(res.json<{ id: string }>().id);
      return;
    }
    if (run.length === 0) return;
    const id = run[step.order % run.length] as string;
    const o = await orderRow(id);
    if (step.kind === 'reclassify') {
      const res = await ctx.call('POST', `/api/v1/work-orders/${id}/classification`, token('street_admin'), {
        version: o.version,
        category: categories[step.category % categories.length],
      });
      assert.ok(res.statusCode < 500, `${label}: reclassify ${res.statusCode} ${res.body}`);
      return;
    }
    if (step.kind === 'erase') {
      if (!o.beneficiary_id) return;
      const res = await ctx.call(
        'POST',
        `/api/v1/residents/${o.beneficiary_id}/erase`,
        token('street_admin'),
        {
          reason: 'resident_request',
        },
      );
      assert.ok([200, 409].includes(res.statusCode), `${label}: erase ${res.statusCode} ${res.body}`);
      return;
    }
    const fitting = WEIGHTED.filter(
      (a) =>
        (FROM[a] as readonly string[]).includes(o.status) &&
        // An order waiting on the resident after work started is not cancelled.
        !(
          a === 'cancel' &&
          o.status === 'waiting_on_resident' &&
          !['accepted', 'dispatched'].includes(o.resume_status ?? '')
        ),
    );
    if (fitting.length === 0) return;
    const act = fitting[step.pick % fitting.length] as Act;
    const ci = communities.findIndex((c) => c.id === o.community_id);
    const ws = workers[ci] ?? [];
    const body: Record<string, unknown> = { version: o.version };
    if (act === 'dispatch') body.assigneeId = ws[step.worker % ws.length];
    if (['reject', 'reopen', 'transfer', 'dismiss'].includes(act)) body.reason = '原因';
    if (act === 'resolve') body.note = '已处理';
    if (act === 'confirm') body.rating = step.rating;
    if (act === 'refer') body.referredTo = '区市政管理处';
    if (act === 'merge') {
      // Into an order of the same community, mostly one still open (another is refused).
      const rows = await db
        .selectFrom('work_orders')
        .select(['id', 'status'])
        .where('id', 'in', run)
        .where('community_id', '=', o.community_id)
        .where('id', '!=', id)
        .orderBy('id')
        .execute();
      const open = rows.filter((r) => OPEN.has(r.status));
      const pool = step.target % 4 === 0 || open.length === 0 ? rows : open;
      body.mergeInto = pool.length ? pool[step.target % pool.length]?.id : id;
    }
    const res = await ctx.call(
      'POST',
      `/api/v1/work-orders/${id}/actions/${act}`,
      token('street_admin'),
      body,
    );
    assert.ok(res.statusCode < 500, `${label}: ${act} (${o.status}) ${res.statusCode} ${res.body}`);
    if (!['merge', 'reopen'].includes(act))
      assert.equal(res.statusCode, 200, `${label}: ${act} (${o.status}) ${res.body}`);
  }

  type Body = Record<string, unknown> & { from: string; to: string; communityId: string; timeZone: string };
  const dashboard = async (who: string, community: string, range: { from?: string; to?: string }) => {
    const q = new URLSearchParams({ community, ...range });
    return ctx.call('GET', `/api/v1/analytics/dashboard?${q.toString()}`, token(who));
  };

  /** Prints the orders whose row disagrees with their timeline, to tell a failure's cause. */
  async function culprits(raw: Raw, communityId: string): Promise<void> {
    const rows = await ctx.database.db
      .selectFrom('work_orders')
      .selectAll()
      .where('community_id', '=', communityId)
      .execute();
    const ms = (t: string | null) => (t === null ? null : Date.parse(t));
    for (const r of rows) {
      const s = storyOf(raw.events.get(r.id) ?? []);
      if (
        ms(r.first_response_at) !== s.answeredAt ||
        ms(r.resolved_at) !== s.resolvedAt ||
        r.rating !== s.rating ||
        r.reopen_count > 0 !== s.reopened
      )
        console.log(
          `order ${r.id} (${r.status}): row`,
          {
            answered: r.first_response_at,
            resolved: r.resolved_at,
            rating: r.rating,
            reopens: r.reopen_count,
          },
          'timeline',
          s,
          (raw.events.get(r.id) ?? []).map((e) => `${e.created_at} ${e.type} ${e.data_json ?? ''}`),
        );
    }
    console.log('rollups:', await rollupMismatches(ctx.database.db));
  }

  /** Every figure of both communities over each window is the recount's. */
  async function check(windows: Array<{ from?: string; to?: string }>, label: string): Promise<void> {
    const raw = await readRaw();
    const metrics = await ctx.database.db
      .withTables<SlaTables>()
      .selectFrom('sla_order_metrics')
      .selectAll()
      .execute();
    for (const w of windows) {
      for (const c of communities) {
        const to = w.to !== undefined ? Date.parse(w.to) : ctx.clock.now().getTime();
        const from = w.from !== undefined ? Date.parse(w.from) : to - 365 * DAY;
        const want = recount(raw, c.id, c.timeZone, from, to);
        const at = `${label}: ${c.code} [${w.from ?? '-'}, ${w.to ?? '-'})`;
        for (const [who, ref] of [
          [c.manager, c.id],
          [c.manager, c.code],
          ['street_admin', c.id],
        ] as const) {
          const res = await dashboard(who, ref, w);
          assert.equal(res.statusCode, 200, `${at} by ${who}: ${res.body}`);
          const body = res.json<Body>();
          assert.equal(body.communityId, c.id, at);
          assert.equal(body.timeZone, c.timeZone, at);
          assert.equal(Date.parse(body.from), from, `${at}: from`);
          assert.equal(Date.parse(body.to), to, `${at}: to`);
          const { communityId: _c, from: _f, to: _t, timeZone: _z, ...figures } = body;
          if (!isDeepStrictEqual(figures, want)) await culprits(raw, c.id);
          assert.deepEqual(figures, want, `${at} by ${who}`);
        }
        // The SLA's compliance by month, the dashboard's trend line, over the same window.
        const q = new URLSearchParams({ community: c.id, by: 'month', ...w });
        const res = await ctx.call('GET', `/api/v1/sla/compliance?${q.toString()}`, token(c.manager));
        assert.equal(res.statusCode, 200, `${at}: compliance ${res.body}`);
        assert.deepEqual(
          res.json<{ rows: unknown[] }>().rows,
          recountCompliance(
            metrics,
            c.id,
            w.from !== undefined ? from : -Infinity,
            w.to !== undefined ? to : Infinity,
          ),
          `${at}: compliance`,
        );
      }
    }
    // Each order's SLA month is its dashboard month: the trend's two lines share their months.
    for (const m of metrics) {
      const c = communities.find((x) => x.id === m.community_id);
      assert.ok(c);
      assert.equal(
        m.month,
        localDate(Date.parse(m.submitted_at), c.timeZone).slice(0, 7),
        `${label}: SLA month`,
      );
    }
  }

  async function checkRefusals(label: string): Promise<void> {
    const [a, b] = communities as [(typeof communities)[0], (typeof communities)[0]];
    for (const [who, c, code] of [
      ['manager', b.id, 404],
      ['manager', b.code, 404],
      ['manager2', a.id, 404],
      ['agent', a.id, 403],
      ['provider', a.id, 403],
      ['grid_worker', a.id, 403],
      ['resident', a.id, 403],
      ['', a.id, 401],
    ] as const) {
      const res = await ctx.call(
        'GET',
        `/api/v1/analytics/dashboard?community=${c}`,
        who ? token(who) : undefined,
      );
      assert.equal(res.statusCode, code, `${label}: ${who || 'anonymous'} for ${c}: ${res.body}`);
    }
    const res = await ctx.call('GET', `/api/v1/sla/compliance?by=month&community=${b.id}`, token('manager'));
    assert.equal(res.statusCode, 403, `${label}: compliance of another community`);
  }

  it('every figure, for every window and reader, is the recount of the raw rows', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(historyArb, async (h) => {
        run += 1;
        const label = `run ${run}`;
        const start = boundaryAfter(h.boundary, ctx.clock.now().getTime()) - h.lead * MINUTE;
        if (start > ctx.clock.now().getTime()) ctx.clock.set(new Date(start));
        const runStart = ctx.clock.now().getTime();
        const orders: string[] = [];
        for (const [i, s] of h.steps.entries()) await runStep(orders, s, `${label}, step ${i}`);
        ctx.clock.advance(1000);
        const end = ctx.clock.now().getTime();
        // Instants to cut windows at: each order's creation and the millisecond either side, the
        // local midnights of both communities around the history.
        const created = (
          await ctx.database.db
            .selectFrom('work_orders')
            .select('created_at')
            .where('id', 'in', orders.length ? orders : ['-'])
            .execute()
        ).map((r) => Date.parse(r.created_at));
        const cuts = new Set<number>([runStart, end]);
        for (const t of created) for (const d of [-1, 0, 1]) cuts.add(t + d);
        for (const c of communities)
          for (
            let t = nextLocalMidnight(runStart - DAY, c.timeZone);
            t <= end + DAY;
            t = nextLocalMidnight(t, c.timeZone)
          )
            cuts.add(t);
        const instants = [...cuts].sort((x, y) => x - y);
        const windows: Array<{ from?: string; to?: string }> = [
          { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' },
          {},
          { from: withOffset(runStart - DAY, 480) },
        ];
        for (const [i, j, offset] of h.edges) {
          const x = instants[i % instants.length] as number;
          const y = instants[j % instants.length] as number;
          if (x !== y)
            windows.push({
              from: withOffset(Math.min(x, y), offset),
              to: withOffset(Math.max(x, y), offset, false),
            });
        }
        const one = created[h.edges.length % Math.max(1, created.length)];
        if (one !== undefined)
          windows.push({ from: withOffset(one, 480), to: new Date(one + 1).toISOString() });
        if (process.env.LINLI_ANALYTICS_STATS === '1') {
          const types = await ctx.database.db
            .selectFrom('work_order_events')
            .select(['type', 'data_json'])
            .where('work_order_id', 'in', orders.length ? orders : ['-'])
            .execute();
          for (const t of types) {
            const k = `${t.type}${t.data_json?.includes('followed') ? ' (followed)' : ''}${t.data_json?.includes('unmergedFrom') ? ' (unmerged)' : ''}`;
            STATS.set(k, (STATS.get(k) ?? 0) + 1);
          }
        }
        await check(windows, label);
        await checkRefusals(label);
      }),
      { numRuns: RUNS, endOnFailure: true, ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
  });
});

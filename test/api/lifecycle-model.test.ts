/**
 * The work-order lifecycle against a model, through the API.
 *
 * fast-check draws sequences of steps over three fresh orders: an action on one of them by a
 * staff role or a resident (often one the model says may take it, sometimes anyone), with a
 * stale version now and then, a required field left out, merges between the orders, reopens
 * after a resolve or a close; and moves of the fake clock, after which the SLA timers and the
 * auto-close sweep run. A small model of the orders (status, version, assignee, duplicates,
 * priority by the documented formula) predicts every answer. After every step:
 *
 * - the status code and error code are the model's, and nothing answers 5xx;
 * - every order's status, version, assignee, merge and priority are the model's;
 * - each order's timeline holds exactly the events of the accepted steps (refusals add none),
 *   and each change has its audit entry;
 * - the SLA agrees with the status: open while worked, paused while waiting on the resident,
 *   resolved or closed by the work, withdrawn when referred, dismissed, merged or cancelled; a
 *   timer armed only while the clocks run, and again after a reopen;
 * - an order that left has no open supervision (督办): withdrawn, or carried over to the order it
 *   was merged into, which keeps one open supervision;
 * - the dashboard rollups equal a recount from the orders;
 * and after every sequence each community's audit chain verifies.
 *
 * `LINLI_LIFECYCLE_RUNS` (sequences) and `LINLI_LIFECYCLE_SEED` widen a hunt (the rollup recount
 * reads every order at every step, so a long hunt is faster as several seeds of a few hundred runs).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { verifyChain } from '../../src/modules/audit/audit.repository.ts';
import { computePriority } from '../../src/modules/classification/priority.ts';
import type { Urgency } from '../../src/modules/taxonomy/taxonomy.default.ts';
import { CLOCK_TIMER_KIND } from '../../src/modules/sla/sla.clock-timer.ts';
import type { SlaTables } from '../../src/modules/sla/sla.tables.ts';
import { SYSTEM } from '../../src/platform/auth/principal.ts';
import { createTestContext, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { rollupMismatches } from '../rollups-check.ts';

const RUNS = Number(process.env.LINLI_LIFECYCLE_RUNS ?? 40);
const SEED = process.env.LINLI_LIFECYCLE_SEED ? Number(process.env.LINLI_LIFECYCLE_SEED) : undefined;
const ORDERS = 3;
/** Answers by action and status code, printed at the end with `LINLI_LIFECYCLE_STATS=1` (is the hunt reaching far?). */
const STATS = new Map<string, number>();
if (process.env.LINLI_LIFECYCLE_STATS === '1') process.on('exit', () => console.log([...STATS].sort()));
const AUTO_CLOSE_DAYS = 7;
const REOPEN_DAYS = 30;
const DAY = 86_400_000;

type Status =
  | 'submitted'
  | 'accepted'
  | 'dispatched'
  | 'in_progress'
  | 'waiting_on_resident'
  | 'resolved'
  | 'closed'
  | 'referred'
  | 'duplicate'
  | 'not_actionable'
  | 'cancelled';
type Act =
  | 'accept'
  | 'dispatch'
  | 'reject'
  | 'start'
  | 'resolve'
  | 'confirm'
  | 'reopen'
  | 'wait'
  | 'resume'
  | 'transfer'
  | 'refer'
  | 'merge'
  | 'dismiss'
  | 'cancel';
type Staff = 'agent' | 'dispatcher' | 'grid_worker' | 'provider' | 'manager' | 'admin' | 'auditor';
/** `resident` is 王秀英, for whom the orders are; `neighbour` lives in another household. */
type Actor = Staff | 'resident' | 'neighbour';
type Worker = 'grid_worker' | 'provider';

const ACTS: readonly Act[] = [
  'accept',
  'dispatch',
  'reject',
  'start',
  'resolve',
  'confirm',
  'reopen',
  'wait',
  'resume',
  'transfer',
  'refer',
  'merge',
  'dismiss',
  'cancel',
];
const ACTORS: readonly Actor[] = [
  'agent',
  'dispatcher',
  'grid_worker',
  'provider',
  'manager',
  'admin',
  'auditor',
  'resident',
  'neighbour',
];

// ── the model: the lifecycle as the product describes it ───────────────────────────────────

const OPEN: readonly Status[] = ['submitted', 'accepted', 'dispatched', 'in_progress', 'waiting_on_resident'];
/**
 * Statuses an order has left by: its open supervisions are withdrawn then, or, merged into
 * another order as a duplicate, carried over to that order.
 */
const LEFT: ReadonlySet<Status> = new Set(['closed', 'referred', 'duplicate', 'not_actionable', 'cancelled']);
const BEFORE_WORK: readonly Status[] = ['submitted', 'accepted', 'dispatched'];
const FROM: Record<Act, readonly Status[]> = {
  accept: ['submitted'],
  dispatch: ['submitted', 'accepted', 'dispatched'],
  reject: ['dispatched'],
  start: ['dispatched'],
  resolve: ['dispatched', 'in_progress'],
  confirm: ['resolved'],
  reopen: ['resolved', 'closed'],
  wait: ['accepted', 'dispatched', 'in_progress'],
  resume: ['waiting_on_resident'],
  transfer: ['dispatched', 'in_progress'],
  refer: ['submitted', 'accepted'],
  merge: ['submitted', 'accepted', 'dispatched'],
  dismiss: ['submitted', 'accepted'],
  cancel: [...BEFORE_WORK, 'waiting_on_resident'],
};
/** The field an action cannot do without. */
const REQUIRED: Partial<Record<Act, string>> = {
  dispatch: 'assigneeId',
  reject: 'reason',
  resolve: 'note',
  confirm: 'rating',
  reopen: 'reason',
  transfer: 'reason',
  refer: 'referredTo',
  merge: 'mergeInto',
  dismiss: 'reason',
};
const STAFF_ACTS: Record<Staff, readonly Act[]> = {
  agent: ['accept', 'confirm', 'reopen', 'wait', 'resume', 'refer', 'merge', 'dismiss', 'cancel'],
  dispatcher: [
    'accept',
    'dispatch',
    'transfer',
    'confirm',
    'reopen',
    'wait',
    'resume',
    'refer',
    'merge',
    'dismiss',
    'cancel',
  ],
  manager: [
    'accept',
    'dispatch',
    'transfer',
    'confirm',
    'reopen',
    'wait',
    'resume',
    'refer',
    'merge',
    'dismiss',
    'cancel',
  ],
  grid_worker: ['start', 'resolve', 'reject', 'transfer', 'wait', 'resume'],
  provider: ['start', 'resolve', 'reject', 'transfer', 'wait', 'resume'],
  admin: ACTS,
  auditor: [],
};
/** Actions drawn among those that fit: the work more often than the ways out of it. */
const WEIGHTED: readonly Act[] = ACTS.flatMap((a) =>
  Array<Act>(['refer', 'merge', 'dismiss', 'cancel'].includes(a) ? 1 : 4).fill(a),
);
const RESIDENT_ACTS: readonly Act[] = ['confirm', 'reopen', 'cancel', 'resume'];
/** The SLA's view of each status. */
const SLA_STATUS: Record<Status, string> = {
  submitted: 'open',
  accepted: 'open',
  dispatched: 'open',
  in_progress: 'open',
  waiting_on_resident: 'paused',
  resolved: 'resolved',
  closed: 'closed',
  referred: 'closed_unresolved',
  not_actionable: 'closed_unresolved',
  duplicate: 'cancelled',
  cancelled: 'cancelled',
};

interface ModelOrder {
  id: string;
  status: Status;
  version: number;
  resumeStatus: Status | null;
  assignee: Worker | null;
  mergedInto: string | null;
  resolvedAt: number | null;
  closedAt: number | null;
  reopenCount: number;
  urgency: Urgency;
  tags: string[];
  createdAt: number;
  priority: string;
  score: number;
  /** For the resident 王秀英 (reported by her or for her): she is party to it. */
  forResident: boolean;
  householdId: string | null;
  gridId: string | null;
  /**
   * A duplicate that followed the order it was merged into to a referral or dismissal: its clocks
   * were withdrawn by the merge, and the SLA keeps it as merged (`cancelled`).
   */
  followedAsDuplicate: boolean;
  /**
   * The first-response clock: stopped by the first answer (accept, dispatch, referral or dismissal
   * from the queue), withdrawn by a merge or cancellation before one; it never runs again.
   */
  firstResponse: 'running' | 'answered' | 'withdrawn';
  /** Lifecycle events on its timeline, by type. */
  events: string[];
}

interface People {
  ids: Record<Worker, string>;
  workerGrids: string[];
  households: Record<'resident' | 'neighbour', { id: string | null; since: string | null }>;
}

function canRead(actor: Actor, o: ModelOrder, people: People): boolean {
  if (actor === 'resident' || actor === 'neighbour') {
    if (actor === 'resident' && o.forResident) return true;
    const h = people.households[actor];
    return (
      h.id !== null &&
      o.householdId === h.id &&
      h.since !== null &&
      new Date(o.createdAt).toISOString() >= h.since
    );
  }
  if (actor === 'provider') return o.assignee === 'provider';
  if (actor === 'grid_worker')
    return o.assignee === 'grid_worker' || (o.gridId !== null && people.workerGrids.includes(o.gridId));
  return true;
}

function mayAct(actor: Actor, o: ModelOrder, act: Act, people: People): boolean {
  if (!canRead(actor, o, people)) return false;
  if (actor === 'resident' || actor === 'neighbour') {
    if (!RESIDENT_ACTS.includes(act) || actor !== 'resident' || !o.forResident) return false;
    if (act !== 'cancel') return true;
    const judged = o.status === 'waiting_on_resident' ? o.resumeStatus : o.status;
    return !['dispatched', 'in_progress', 'resolved'].includes(judged ?? '');
  }
  if (!STAFF_ACTS[actor].includes(act)) return false;
  if (actor === 'admin') return true;
  if (['start', 'resolve', 'reject'].includes(act) || actor === 'provider' || actor === 'grid_worker')
    return o.assignee === actor;
  return true;
}

function canStart(o: ModelOrder, act: Act): boolean {
  if (!FROM[act].includes(o.status)) return false;
  if (act === 'cancel' && o.status === 'waiting_on_resident')
    return BEFORE_WORK.includes(o.resumeStatus ?? 'accepted');
  return true;
}

type Expected = { status: 200 } | { status: number; code: string; field?: string };

interface Step {
  kind: 'act';
  order: number;
  /** Which action: among those the model allows on the order now (`fitAction`), or any. */
  fitAction: boolean;
  actionPick: number;
  /** Who acts: among those the model allows (`fitActor`), or anyone. */
  fitActor: boolean;
  actorPick: number;
  stale: 0 | 1 | -1;
  omit: boolean;
  target: number;
  worker: Worker;
  rating: number;
}
interface ClockStep {
  kind: 'clock';
  minutes: number;
}
/** A manager puts an order under supervision (督办), as escalation also does while clocks run. */
interface SuperviseStep {
  kind: 'supervise';
  order: number;
}
type AnyStep = Step | ClockStep | SuperviseStep;

const stepArb: fc.Arbitrary<AnyStep> = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.record({
      kind: fc.constant('act' as const),
      order: fc.nat(ORDERS - 1),
      fitAction: fc.oneof(
        { weight: 5, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
      actionPick: fc.nat(50),
      fitActor: fc.oneof(
        { weight: 4, arbitrary: fc.constant(true) },
        { weight: 1, arbitrary: fc.constant(false) },
      ),
      actorPick: fc.nat(50),
      stale: fc.oneof(
        { weight: 10, arbitrary: fc.constant(0 as const) },
        { weight: 1, arbitrary: fc.constantFrom(1 as const, -1 as const) },
      ),
      omit: fc.oneof(
        { weight: 12, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
      target: fc.nat(ORDERS - 1),
      worker: fc.constantFrom<Worker>('grid_worker', 'provider'),
      rating: fc.integer({ min: 1, max: 5 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('clock' as const),
      minutes: fc.constantFrom(10, 90, 600, 2 * 1440, 8 * 1440, 32 * 1440),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('supervise' as const), order: fc.nat(ORDERS - 1) }),
  },
);

interface OrderSpec {
  by: 'resident' | 'agent_for_resident' | 'agent';
  urgency: Urgency;
}
const specArb: fc.Arbitrary<OrderSpec> = fc.record({
  by: fc.constantFrom<OrderSpec['by']>('resident', 'agent_for_resident', 'agent'),
  urgency: fc.constantFrom<Urgency>('low', 'normal', 'high'),
});

describe('the work-order lifecycle against a model (random action sequences through the API)', () => {
  let ctx: TestContext;
  let people: People;
  let residentId: string;
  let residentTags: string[];
  const tokens = new Map<Actor, string>();

  /**
   * Signs everyone in once, for good: the clock moves by weeks, and signing in again after each
   * move would meet the sign-in rate limit (which counts real time).
   */
  const signIn = async () => {
    for (const a of ACTORS) if (a !== 'resident' && a !== 'neighbour') tokens.set(a, await ctx.login(a));
    tokens.set('resident', await ctx.residentLogin('13800000001'));
    tokens.set('neighbour', await ctx.residentLogin('13800000003'));
    await ctx.database.db.updateTable('sessions').set({ expires_at: '2100-01-01T00:00:00.000Z' }).execute();
  };
  const token = (a: Actor) => tokens.get(a) ?? '';

  before(async () => {
    ctx = await createTestContext({
      orders: 0,
      config: { autoCloseDays: AUTO_CLOSE_DAYS, reopenDays: REOPEN_DAYS },
    });
    const ids = { grid_worker: await userId(ctx, 'grid_worker'), provider: await userId(ctx, 'provider') };
    const grids = await ctx.database.db
      .selectFrom('grid_workers')
      .select('grid_id')
      .where('user_id', '=', ids.grid_worker)
      .execute();
    const home = async (phone: string) => {
      const r = await ctx.database.db
        .selectFrom('residents')
        .select(['id', 'household_id', 'household_since', 'tags_json', 'tags_consent'])
        .where('phone', '=', phone)
        .executeTakeFirstOrThrow();
      return r;
    };
    const wang = await home('13800000001');
    const li = await home('13800000003');
    residentId = wang.id;
    residentTags = wang.tags_consent === 1 ? (JSON.parse(wang.tags_json) as string[]) : [];
    people = {
      ids,
      workerGrids: grids.map((g) => g.grid_id),
      households: {
        resident: { id: wang.household_id, since: wang.household_since },
        neighbour: { id: li.household_id, since: li.household_since },
      },
    };
    await signIn();
  });
  after(() => ctx.close());

  const priorityOf = (o: ModelOrder, repeats: number, at: number) =>
    computePriority({
      urgency: o.urgency,
      specialGroups: o.tags,
      repeatCount: repeats,
      waitingHours: (at - o.createdAt) / 3_600_000,
    });

  async function create(spec: OrderSpec, n: number): Promise<ModelOrder> {
    const resident = spec.by === 'resident';
    const res = await ctx.call('POST', '/api/v1/work-orders', token(resident ? 'resident' : 'agent'), {
      channel: resident ? 'miniapp' : 'hotline',
      description: `楼道灯不亮了 ${n}`,
      category: 'basic_living.property',
      urgency: spec.urgency,
      ...(spec.by === 'agent_for_resident' ? { residentId } : {}),
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json<{ id: string; version: number; status: string; priority: string }>();
    const row = await ctx.database.db
      .selectFrom('work_orders')
      .select(['grid_id', 'household_id', 'created_at', 'priority_score'])
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    const forResident = spec.by !== 'agent';
    const o: ModelOrder = {
      id: body.id,
      status: 'submitted',
      version: 1,
      resumeStatus: null,
      assignee: null,
      mergedInto: null,
      resolvedAt: null,
      closedAt: null,
      reopenCount: 0,
      urgency: spec.urgency,
      tags: forResident ? residentTags : [],
      createdAt: Date.parse(row.created_at),
      priority: '',
      score: 0,
      forResident,
      householdId: row.household_id,
      gridId: row.grid_id,
      followedAsDuplicate: false,
      firstResponse: 'running',
      events: ['created'],
    };
    const pr = priorityOf(o, 0, o.createdAt);
    o.priority = pr.band;
    o.score = Math.round(pr.score);
    assert.equal(body.status, 'submitted');
    assert.equal(body.version, 1);
    assert.equal(body.priority, o.priority, 'priority at intake');
    assert.equal(row.priority_score, o.score);
    return o;
  }

  /** The model's answer to an action, and its effects on the orders when accepted. */
  function expect(
    orders: ModelOrder[],
    o: ModelOrder,
    act: Act,
    actor: Actor,
    step: Step,
    at: number,
  ): Expected {
    if (!canRead(actor, o, people)) return { status: 404, code: 'work_order_not_found' };
    if (!mayAct(actor, o, act, people)) return { status: 403, code: 'forbidden' };
    if (step.stale !== 0) return { status: 409, code: 'version_conflict' };
    if (!canStart(o, act)) return { status: 409, code: 'invalid_transition' };
    const field = REQUIRED[act];
    if (field && step.omit) return { status: 400, code: 'invalid_input', field };
    if (
      act === 'reopen' &&
      o.status === 'closed' &&
      o.closedAt !== null &&
      at - o.closedAt > REOPEN_DAYS * DAY
    )
      return { status: 409, code: 'invalid_transition' };
    if (act === 'merge') {
      const t = orders[step.target] as ModelOrder;
      if (t === o || !canRead(actor, t, people) || !OPEN.includes(t.status))
        return { status: 400, code: 'invalid_input', field: 'mergeInto' };
    }
    return { status: 200 };
  }

  const bump = (orders: ModelOrder[], t: ModelOrder, at: number) => {
    const repeats = orders.filter((x) => x.mergedInto === t.id).length + t.reopenCount;
    const pr = priorityOf(t, repeats, at);
    const score = Math.round(pr.score);
    if (score === t.score && pr.band === t.priority) return;
    t.score = score;
    t.priority = pr.band;
    t.version += 1;
    t.events.push('reprioritized');
  };
  const change = (o: ModelOrder, event: string, patch: Partial<ModelOrder>) => {
    Object.assign(o, patch);
    o.version += 1;
    o.events.push(event);
  };

  function apply(orders: ModelOrder[], o: ModelOrder, act: Act, step: Step, at: number): void {
    const dups = orders.filter((d) => d.mergedInto === o.id && d.status === 'duplicate');
    if (o.firstResponse === 'running' && ['accept', 'dispatch', 'refer', 'dismiss'].includes(act))
      o.firstResponse = 'answered';
    if (o.firstResponse === 'running' && ['merge', 'cancel'].includes(act)) o.firstResponse = 'withdrawn';
    switch (act) {
      case 'accept':
        return change(o, act, { status: 'accepted' });
      case 'dispatch':
        return change(o, act, { status: 'dispatched', assignee: step.worker });
      case 'reject':
      case 'transfer':
        return change(o, act, { status: 'accepted', assignee: null });
      case 'start':
        return change(o, act, { status: 'in_progress' });
      case 'resolve':
        return change(o, act, { status: 'resolved', resolvedAt: at });
      case 'confirm':
        change(o, act, { status: 'closed', closedAt: at });
        // A low rating asks for a return visit (回访).
        if (step.rating <= 2) o.events.push('return_visit_created');
        return;
      case 'reopen':
        change(o, act, {
          status: 'accepted',
          assignee: null,
          resolvedAt: null,
          closedAt: null,
          reopenCount: o.reopenCount + 1,
        });
        // "Not fixed" asks for a return visit.
        o.events.push('return_visit_created');
        return bump(orders, o, at);
      case 'wait':
        return change(o, act, { status: 'waiting_on_resident', resumeStatus: o.status });
      case 'resume':
        return change(o, act, { status: o.resumeStatus ?? 'accepted', resumeStatus: null });
      case 'refer':
      case 'dismiss': {
        const status = act === 'refer' ? 'referred' : 'not_actionable';
        change(o, act, { status, closedAt: at });
        for (const d of dups) change(d, act, { status, closedAt: at, followedAsDuplicate: true });
        return;
      }
      case 'cancel':
        change(o, act, { status: 'cancelled', closedAt: at });
        for (const d of dups)
          change(d, 'reopen', {
            status: 'accepted',
            mergedInto: null,
            assignee: null,
            resumeStatus: null,
            closedAt: null,
          });
        return;
      case 'merge': {
        const t = orders[step.target] as ModelOrder;
        change(o, act, { status: 'duplicate', mergedInto: t.id, closedAt: at });
        for (const d of dups) change(d, 'merge', { mergedInto: t.id });
        return bump(orders, t, at);
      }
    }
  }

  const bodyOf = (act: Act, step: Step, orders: ModelOrder[]): Record<string, unknown> => {
    const body: Record<string, unknown> = {};
    if (act === 'dispatch') body.assigneeId = people.ids[step.worker];
    if (['reject', 'reopen', 'transfer', 'dismiss'].includes(act)) body.reason = '原因';
    if (act === 'resolve') body.note = '已处理';
    if (act === 'confirm') body.rating = step.rating;
    if (act === 'refer') body.referredTo = '区市政管理处';
    if (act === 'merge') body.mergeInto = (orders[step.target] as ModelOrder).id;
    const field = REQUIRED[act];
    if (step.omit && field) delete body[field];
    return body;
  };

  /** Types counted by the model: the lifecycle's own events. */
  const MODEL_TYPES = new Set<string>([
    ...ACTS,
    'created',
    'reprioritized',
    'auto_close',
    'return_visit_created',
  ]);

  const eventsOf = async (ids: string[]) =>
    ctx.database.db
      .selectFrom('work_order_events')
      .select(['work_order_id', 'type'])
      .where('work_order_id', 'in', ids)
      .execute();
  /** Open supervisions (督办) per order: escalation issues them while the clocks run. */
  const openSupervisions = async (ids: string[]): Promise<Map<string, number>> => {
    const rows = await ctx.database.db
      .withTables<SlaTables>()
      .selectFrom('sla_supervisions')
      .select('work_order_id')
      .where('work_order_id', 'in', ids)
      .where('status', '=', 'open')
      .execute();
    const n = new Map<string, number>();
    for (const r of rows) n.set(r.work_order_id, (n.get(r.work_order_id) ?? 0) + 1);
    return n;
  };
  const auditCount = async () =>
    Number(
      (
        await ctx.database.db
          .selectFrom('audit_entries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** Compares every order, its timeline and its SLA with the model; the rollups with a recount. */
  async function check(orders: ModelOrder[], label: string): Promise<void> {
    const ids = orders.map((o) => o.id);
    const rows = await ctx.database.db.selectFrom('work_orders').selectAll().where('id', 'in', ids).execute();
    const events = await eventsOf(ids);
    const metrics = await ctx.database.db
      .withTables<SlaTables>()
      .selectFrom('sla_order_metrics')
      .selectAll()
      .where('work_order_id', 'in', ids)
      .execute();
    const timers = await ctx.database.db
      .withTables<SlaTables>()
      .selectFrom('sla_timers')
      .select(['work_order_id', 'kind'])
      .where('work_order_id', 'in', ids)
      .where('kind', 'in', [CLOCK_TIMER_KIND, 'escalate'])
      .where('status', '=', 'pending')
      .execute();
    for (const [i, o] of orders.entries()) {
      const at = `${label}, order ${i} (${o.status})`;
      const r = rows.find((x) => x.id === o.id);
      assert.ok(r, at);
      assert.equal(r.status, o.status, `${at}: status`);
      assert.equal(r.version, o.version, `${at}: version`);
      assert.equal(r.assignee_id, o.assignee ? people.ids[o.assignee] : null, `${at}: assignee`);
      assert.equal(r.merged_into, o.mergedInto, `${at}: merged into`);
      assert.equal(r.reopen_count, o.reopenCount, `${at}: reopens`);
      assert.equal(r.priority, o.priority, `${at}: priority`);
      assert.equal(r.priority_score, o.score, `${at}: priority score`);
      const types = events
        .filter((e) => e.work_order_id === o.id && MODEL_TYPES.has(e.type))
        .map((e) => e.type)
        .sort();
      assert.deepEqual(types, [...o.events].sort(), `${at}: timeline`);
      const m = metrics.find((x) => x.work_order_id === o.id);
      assert.ok(m, `${at}: SLA metrics`);
      const slaStatus = o.followedAsDuplicate ? 'cancelled' : SLA_STATUS[o.status];
      assert.equal(m.sla_status, slaStatus, `${at}: SLA status`);
      assert.equal(m.priority, o.priority, `${at}: SLA priority`);
      assert.equal(m.reopen_count, o.reopenCount, `${at}: SLA reopens`);
      assert.equal(
        m.first_response_at !== null,
        o.firstResponse === 'answered',
        `${at}: first response ${o.firstResponse}`,
      );
      const armed = timers.filter((t) => t.work_order_id === o.id && t.kind === CLOCK_TIMER_KIND);
      if (m.sla_status !== 'open')
        assert.ok(
          timers.every((t) => t.work_order_id !== o.id || t.kind !== 'escalate'),
          `${at}: no escalation while the clocks stand`,
        );
      assert.ok(armed.length <= 1, `${at}: one clock timer`);
      if (m.sla_status !== 'open') assert.equal(armed.length, 0, `${at}: no timer while the clocks stand`);
      else {
        assert.equal(m.resolution_at, null, `${at}: resolution clock runs`);
        if (m.resolution_breached_at === null)
          assert.equal(armed.length, 1, `${at}: a timer while the resolution clock runs`);
      }
      if (['resolved', 'closed'].includes(m.sla_status))
        assert.notEqual(m.resolution_at, null, `${at}: resolution recorded`);
    }
    const mismatches = await rollupMismatches(ctx.database.db);
    assert.deepEqual(mismatches, [], `${label}: rollups`);
  }

  /** An open order's priority now (staff view): the formula with its repeats and the time waited so far. */
  async function checkPriorityNow(orders: ModelOrder[], label: string): Promise<void> {
    const now = ctx.clock.now().getTime();
    for (const [i, o] of orders.entries()) {
      if (!OPEN.includes(o.status)) continue;
      const repeats = orders.filter((x) => x.mergedInto === o.id).length + o.reopenCount;
      const pr = priorityOf(o, repeats, now);
      const res = await ctx.call('GET', `/api/v1/work-orders/${o.id}`, token('dispatcher'));
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(
        res.json<{ priorityNow?: unknown }>().priorityNow,
        {
          score: Math.max(o.score, Math.round(pr.score)),
          band: pr.band < o.priority ? pr.band : o.priority,
        },
        `${label}, order ${i}: priority now`,
      );
    }
  }

  async function verifyChains(label: string): Promise<void> {
    for (const c of ctx.seed.communities) {
      const v = await verifyChain(ctx.database.db, c.id);
      assert.ok(v.ok, `${label}: audit chain of ${c.id}: ${JSON.stringify(v)}`);
    }
  }

  async function runStep(orders: ModelOrder[], step: AnyStep, label: string): Promise<void> {
    if (step.kind === 'supervise') {
      // Refused on an order that has left; otherwise open until answered, overdue or it leaves.
      const o = orders[step.order] as ModelOrder;
      const res = await ctx.call('POST', `/api/v1/work-orders/${o.id}/supervisions`, token('manager'), {
        reason: '居民多次反映',
        dueInMinutes: 60,
      });
      const what = `${label}: manager supervises order ${step.order} (${o.status})`;
      assert.equal(res.statusCode, LEFT.has(o.status) ? 409 : 201, `${what}: ${res.body}`);
      return;
    }
    if (step.kind === 'clock') {
      ctx.clock.advance(step.minutes * 60_000);
      const timers = await ctx.services.sla.timers.runDue();
      assert.equal(timers.failed, 0, `${label}: SLA timers failed`);
      const now = ctx.clock.now().getTime();
      while ((await ctx.services.workOrders.autoCloseDue(SYSTEM)) > 0);
      for (const o of orders)
        if (o.status === 'resolved' && o.resolvedAt !== null && o.resolvedAt + AUTO_CLOSE_DAYS * DAY <= now)
          change(o, 'auto_close', { status: 'closed', closedAt: now });
      await checkPriorityNow(orders, label);
      return check(orders, label);
    }
    const o = orders[step.order] as ModelOrder;
    const at = ctx.clock.now().getTime();
    const fitting = WEIGHTED.filter((a) => canStart(o, a));
    const acts = step.fitAction && fitting.length ? fitting : ACTS;
    const act = acts[step.actionPick % acts.length] as Act;
    const allowed = ACTORS.filter((a) => mayAct(a, o, act, people));
    const actors = step.fitActor && allowed.length ? allowed : ACTORS;
    const actor = actors[step.actorPick % actors.length] as Actor;
    // A stale version: one behind, or one ahead (of a first version, which has none behind).
    const version = step.stale === -1 && o.version === 1 ? 2 : o.version + step.stale;
    const want = expect(orders, o, act, actor, step, at);
    const eventsBefore = (await eventsOf(orders.map((x) => x.id))).length;
    const auditBefore = await auditCount();
    // An order that leaves withdraws its open supervisions, or carries them over to the order it
    // is merged into: one timeline event and one audit entry each.
    const supervised = await openSupervisions(orders.map((x) => x.id));
    const wasTerminal = orders.map((x) => LEFT.has(x.status));
    const res = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/${act}`, token(actor), {
      version,
      ...bodyOf(act, step, orders),
    });
    const what = `${label}: ${actor} ${act} order ${step.order} (${o.status} v${o.version})`;
    STATS.set(`${act} ${res.statusCode}`, (STATS.get(`${act} ${res.statusCode}`) ?? 0) + 1);
    assert.ok(res.statusCode < 500, `${what}: ${res.statusCode} ${res.body}`);
    assert.equal(res.statusCode, want.status, `${what}: ${res.body}`);
    const before = orders.map((x) => x.events.length).reduce((a, b) => a + b, 0);
    if ('code' in want) {
      const err = res.json<{ error: { code: string; details: { field?: string } } }>().error;
      assert.equal(err.code, want.code, `${what}: ${res.body}`);
      if (want.field) assert.equal(err.details.field, want.field, `${what}: field`);
    } else {
      apply(orders, o, act, step, at);
      const view = res.json<{ status: string; version: number; priority: string }>();
      assert.equal(view.status, o.status, `${what}: answered status`);
      assert.equal(view.version, o.version, `${what}: answered version`);
      assert.equal(view.priority, o.priority, `${what}: answered priority`);
    }
    const leftBehind = orders
      .filter((x, i) => !wasTerminal[i] && LEFT.has(x.status))
      .reduce((n, x) => n + (supervised.get(x.id) ?? 0), 0);
    const added = orders.map((x) => x.events.length).reduce((a, b) => a + b, 0) - before + leftBehind;
    const eventsAfter = (await eventsOf(orders.map((x) => x.id))).length;
    assert.equal(eventsAfter - eventsBefore, added, `${what}: events added`);
    assert.equal((await auditCount()) - auditBefore, added, `${what}: audit entries added`);
    assert.deepEqual(
      [...(await openSupervisions(orders.map((x) => x.id))).keys()].filter((id) =>
        LEFT.has(orders.find((x) => x.id === id)?.status ?? 'submitted'),
      ),
      [],
      `${what}: no open supervision of an order that left`,
    );
    if (act === 'merge' && !('code' in want) && o.mergedInto) {
      // The target keeps its own open supervision, or takes one of the duplicate's: one an order.
      const had = supervised.get(o.mergedInto) ?? 0;
      const brought = supervised.get(o.id) ?? 0;
      assert.equal(
        (await openSupervisions([o.mergedInto])).get(o.mergedInto) ?? 0,
        had > 0 ? had : Math.min(brought, 1),
        `${what}: the duplicate's supervisions carried over to the order it was merged into`,
      );
    }
    await check(orders, what);
  }

  it('every answer, order, timeline, SLA clock and rollup is what the model says', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(specArb, { minLength: ORDERS, maxLength: ORDERS }),
        fc.array(stepArb, { minLength: 1, maxLength: 60, size: 'max' }),
        async (specs, steps) => {
          run += 1;
          const orders: ModelOrder[] = [];
          for (const [i, s] of specs.entries()) orders.push(await create(s, i));
          await check(orders, `run ${run}, created`);
          for (const [i, s] of steps.entries()) await runStep(orders, s, `run ${run}, step ${i}`);
          await verifyChains(`run ${run}`);
        },
      ),
      { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
  });
});

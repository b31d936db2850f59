/**
 * The SLA of every order: on creation the governing policy is chosen and the deadlines stored;
 * on each transition the history is replayed and the metrics updated (pausing while the order
 * waits on the resident); timers warn before a deadline, record the breach and escalate along
 * the policy's chain — all inside the transaction of the change, on the timeline and in the
 * audit chain.
 */
import type { Kysely } from 'kysely';
import type { Deps } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { STAFF_ROLES } from '../../platform/auth/principal.ts';
import { findOrder, lockOrders } from '../work-orders/work-order.repository.ts';
import type { WorkOrderRow } from '../work-orders/work-order.repository.ts';
import type { Action } from '../work-orders/work-order.machine.ts';
import type { LifecycleHooks } from '../work-orders/work-order.service.ts';
import { emitWebhookEvent, notifyUsers } from '../notifications/notify.ts';
import { addBusinessMinutes } from './business-time.ts';
import type { BusinessCalendar } from './calendar.ts';
import { nextEscalationLevel, resolveEscalationChain } from './escalation.ts';
import { selectPolicy } from './sla.policy.ts';
import { computeSlaState } from './sla.state.ts';
import type { SlaClockName, SlaState } from './sla.state.ts';
import type { SlaCatalog, SlaRuntime } from './sla.catalog.ts';
import {
  bandOf,
  historyOf,
  keepingBreaches,
  metricsOf,
  monthOf,
  slaEventOf,
  toSlaEvents,
} from './sla.metrics.ts';
import type { HistoryEntry, StoredPolicy } from './sla.metrics.ts';
import { recordOrderChange, SLA_ACTOR } from './sla.record.ts';
import * as repo from './sla.repository.ts';
import type { MetricsRow, TimerRow } from './sla.repository.ts';
import type { SlaSettings } from './sla.settings.ts';
import type { SlaOrderMetricsTable } from './sla.tables.ts';
import type { SupervisionService } from './sla.supervision.ts';
import type { TimerWorker } from './sla.timers.ts';
import {
  CLOCK_TIMER_KIND,
  clockTimer,
  clockTimerKey,
  entriesOf,
  entriesOfRow,
  owedEntries,
  splitDue,
} from './sla.clock-timer.ts';
import type { ClockTimerEntry } from './sla.clock-timer.ts';

/** A policy's stored snapshot, formatted once per policy object (the catalogue caches them). */
const policyJsons = new WeakMap<StoredPolicy, string>();
function policyJson(policy: StoredPolicy): string {
  let json = policyJsons.get(policy);
  if (json === undefined) {
    json = JSON.stringify(policy);
    policyJsons.set(policy, json);
  }
  return json;
}

/** Who hears about an escalation to each level of a chain. */
const LEVEL_ROLES: Readonly<Record<string, readonly string[]>> = {
  dispatcher: ['dispatcher'],
  community_head: ['manager'],
  manager: ['manager'],
  street: ['admin'],
};

export function rolesForLevel(level: string): readonly string[] {
  return LEVEL_ROLES[level] ?? ((STAFF_ROLES as readonly string[]).includes(level) ? [level] : ['manager']);
}

/** The breaches an order's stored metrics hold; none for an SLA that starts now. */
type BreachesRecorded = Pick<MetricsRow, 'first_response_breached_at' | 'resolution_breached_at'>;
const NO_BREACHES: BreachesRecorded = { first_response_breached_at: null, resolution_breached_at: null };

/** The timer kind of a calendar change's re-timing beyond its first chunk. */
export const RETIME_TIMER_KIND = 'sla_retime';
interface RetimeJob {
  /** The calendar change's job id: its steps' timer keys. */
  job: string;
  calendars: string[];
  /** The last order id done: the job goes on after it. */
  after: string;
}

/** What an order's timer is keyed and scoped by. */
type OrderRef = Pick<WorkOrderRow, 'id' | 'community_id'>;

interface Loaded {
  order: WorkOrderRow;
  metrics: MetricsRow;
  policy: StoredPolicy;
  calendar: BusinessCalendar;
  history: HistoryEntry[];
}

export class SlaService {
  constructor(
    private readonly deps: Deps,
    private readonly catalog: SlaCatalog,
    private readonly settings: SlaSettings,
    private readonly supervision: SupervisionService,
  ) {
    catalog.onCalendarsChanged((trx, calendars, at) => this.retime(trx, calendars, at));
  }

  private get dialect() {
    return this.deps.database.dialect;
  }

  /** The lifecycle hooks that keep each order's SLA metrics and timers current. */
  readonly hooks: LifecycleHooks = {
    onCreated: (trx, order, at) => this.start(trx, order, at),
    onCreatedBatch: (trx, orders, at) => this.startMany(trx, orders, at),
    onTransition: (trx, _before, after, action, at) => this.advance(trx, after, action, at),
    onReclassified: (trx, _before, after, at) => this.repolicy(trx, after, at),
    onReprioritized: (trx, _before, after, at) => this.repolicy(trx, after, at),
    // A public reply is an update (`reply` → `updated`): the update clock restarts now, not when
    // the timer next fires and replays it.
    onReplied: (trx, order, at) => this.advance(trx, order, 'reply', at),
  };

  registerTimers(worker: TimerWorker): void {
    worker.on(CLOCK_TIMER_KIND, (trx, timer, now) => this.onClockTimer(trx, timer, now));
    worker.on('escalate', (trx, timer, now) => this.onEscalate(trx, timer, now));
    worker.onDeferred(RETIME_TIMER_KIND, (timer) => this.onRetime(timer));
  }

  private readonly zones = new Map<string, string>();
  private async timeZoneOf(trx: Kysely<DB>, communityId: string): Promise<string> {
    let tz = this.zones.get(communityId);
    if (!tz) {
      tz = await repo.communityTimeZone(trx, communityId);
      this.zones.set(communityId, tz);
    }
    return tz;
  }

  /**
   * The SLA of a group-committed batch of new orders: metrics and first timers written with
   * one multi-row insert each. Orders that an earlier hook already moved on (auto-dispatch)
   * take the one-by-one path, which reads their timeline.
   */
  async startMany(trx: Kysely<DB>, orders: WorkOrderRow[], at: string): Promise<void> {
    const rt = await this.catalog.runtime(trx);
    const metrics: Parameters<typeof repo.insertMetricsMany>[1] = [];
    const timers: { id: string; timer: Parameters<typeof repo.scheduleTimer>[2] }[] = [];
    for (const order of orders) {
      if (order.status !== 'submitted') {
        await this.start(trx, order, order.created_at);
        continue;
      }
      const chosen = this.policyFor(rt, order);
      if (!chosen) continue;
      const { policy, calendar } = chosen;
      const history: HistoryEntry[] = [{ type: 'submitted', at: order.created_at }];
      const state = this.compute(policy, calendar, history, order.created_at);
      metrics.push(
        this.metricsRow(
          order,
          policy,
          calendar,
          history,
          state,
          await this.timeZoneOf(trx, order.community_id),
          order.created_at,
        ),
      );
      const timer = this.timerOf(order, state);
      if (timer) timers.push({ id: newId(), timer });
    }
    await repo.insertMetricsMany(trx, metrics);
    await repo.scheduleTimersMany(trx, timers, at);
  }

  /** The stored SLA row of an order as it starts. */
  private metricsRow(
    order: WorkOrderRow,
    policy: StoredPolicy,
    calendar: BusinessCalendar,
    history: HistoryEntry[],
    state: SlaState,
    tz: string,
    at: string,
  ): SlaOrderMetricsTable {
    // One literal with every column: spreading the metrics into it would leave a row with too
    // many added properties for V8's fast mode, and every later read of it slower.
    const m = metricsOf(state);
    return {
      work_order_id: order.id,
      community_id: order.community_id,
      policy_id: policy.id,
      policy_json: policyJson(policy),
      calendar_id: calendar.id,
      category: order.category,
      priority: order.priority,
      channel: order.channel,
      grid_id: order.grid_id,
      assignee_id: order.assignee_id,
      // An SLA that starts late (no policy covered the order when it was filed) still counts the
      // order where it was filed: compliance ranges and months read these.
      submitted_at: order.created_at,
      month: monthOf(tz, order.created_at),
      first_response_warned_at: null,
      resolution_warned_at: null,
      escalation_level: null,
      escalated_at: null,
      history_json: JSON.stringify(history),
      updated_at: at,
      sla_status: m.sla_status,
      first_response_due_at: m.first_response_due_at,
      first_response_at: m.first_response_at,
      first_response_minutes: m.first_response_minutes,
      first_response_met: m.first_response_met,
      first_response_breached_at: m.first_response_breached_at,
      resolution_due_at: m.resolution_due_at,
      resolution_at: m.resolution_at,
      resolution_minutes: m.resolution_minutes,
      resolution_met: m.resolution_met,
      resolution_breached_at: m.resolution_breached_at,
      update_due_at: m.update_due_at,
      paused_minutes: m.paused_minutes,
      paused_wall_minutes: m.paused_wall_minutes,
      reopen_count: m.reopen_count,
    };
  }

  /** The order's one SLA timer: the warnings and breaches its state asks for (see sla.clock-timer.ts). */
  private timerOf(order: OrderRef, state: SlaState) {
    return clockTimer(order.id, order.community_id, entriesOf(order.id, state));
  }

  /** The policy an order falls under and its calendar, or null when none applies. */
  private policyFor(rt: Awaited<ReturnType<SlaCatalog['runtime']>>, order: WorkOrderRow) {
    const policy = selectPolicy(rt.policies, {
      category: order.subcategory ?? order.category,
      priorityBand: bandOf(order.priority),
      channel: order.channel,
      communityId: order.community_id,
    });
    const calendar = policy ? rt.calendars.get(policy.calendarId) : undefined;
    return policy && calendar ? { policy, calendar } : null;
  }

  /**
   * Chooses the policy, stores the deadlines and schedules the first timers. `late`: the order was
   * filed before any policy covered it, and a deadline it has already missed is announced.
   */
  async start(trx: Kysely<DB>, order: WorkOrderRow, at: string, late = false): Promise<void> {
    const chosen = this.policyFor(await this.catalog.runtime(trx), order);
    if (!chosen) return;
    const { policy, calendar } = chosen;
    // Hooks that ran before this one may already have moved the order (auto-dispatch on create).
    const history = historyOf(order.created_at, await repo.eventsOfOrders(trx, [order.id]));
    const state = this.compute(policy, calendar, history, at);
    const tz = await this.timeZoneOf(trx, order.community_id);
    await repo.insertMetrics(trx, this.metricsRow(order, policy, calendar, history, state, tz, at));
    await this.syncTimers(trx, order, state, at, late ? NO_BREACHES : undefined);
  }

  /**
   * Replays the history with the new event (a lifecycle action, or a public reply) and stores the
   * metrics; reschedules timers.
   */
  async advance(trx: Kysely<DB>, order: WorkOrderRow, action: Action | 'reply', at: string): Promise<void> {
    const loaded = await this.load(trx, order.id, order);
    if (!loaded) return;
    const event = slaEventOf(action);
    if (event) loaded.history.push({ type: event, at });
    const state = this.compute(loaded.policy, loaded.calendar, loaded.history, at);
    await repo.updateMetrics(trx, order.id, {
      ...keepingBreaches(metricsOf(state), loaded.metrics),
      assignee_id: order.assignee_id,
      grid_id: order.grid_id,
      history_json: JSON.stringify(loaded.history),
      updated_at: at,
    });
    await this.syncTimers(trx, order, state, at, loaded.metrics);
    const open = state.status === 'open';
    if (!open) await repo.cancelTimers(trx, order.id, ['escalate']);
    // Answered: the climb a late first response started ends (the resolution breach, if it comes,
    // climbs on from the level reached).
    else if (
      loaded.metrics.first_response_at === null &&
      state.firstResponse.status === 'stopped' &&
      !state.resolution.breached
    )
      await repo.cancelTimers(trx, order.id, ['escalate']);
    // A breached order that runs again (resumed, reopened) climbs on from where it stopped.
    const breached = state.firstResponse.breached || state.resolution.breached;
    if (open && breached && (event === 'resumed' || event === 'reopened')) {
      await this.armNextEscalation(trx, loaded, loaded.metrics.escalation_level, at);
    }
  }

  /**
   * A person changed the order's category or urgency, or repeats changed its priority: the policy that now applies (a confirmed
   * emergency's minutes, not the high band's hours) times the order from its submission, over
   * the history it already has. An order whose policy stays the same keeps its clocks; its
   * category and priority are still brought up to date for the reports.
   */
  async repolicy(trx: Kysely<DB>, order: WorkOrderRow, at: string): Promise<void> {
    const loaded = await this.load(trx, order.id, order);
    if (!loaded) return this.start(trx, order, at, true);
    const chosen = this.policyFor(await this.catalog.runtime(trx), order);
    if (!chosen || chosen.policy.id === loaded.policy.id) {
      await repo.updateMetrics(trx, order.id, {
        category: order.category,
        priority: order.priority,
        updated_at: at,
      });
      return;
    }
    const { policy, calendar } = chosen;
    const state = this.compute(policy, calendar, loaded.history, at);
    await repo.updateMetrics(trx, order.id, {
      ...keepingBreaches(metricsOf(state), loaded.metrics),
      policy_id: policy.id,
      policy_json: policyJson(policy),
      calendar_id: calendar.id,
      category: order.category,
      priority: order.priority,
      updated_at: at,
    });
    await this.syncTimers(trx, order, state, at, loaded.metrics);
    // The escalation under way was the old policy's: it stops. Late by the new policy too, the
    // order climbs on along the new policy's chain from the level it reached; not late, it does
    // not (its clock timer speaks if it becomes so). The old timer used to fire anyway, alerting a
    // community head about an order on time.
    await repo.cancelTimers(trx, order.id, ['escalate']);
    const breached = state.firstResponse.breached || state.resolution.breached;
    if (state.status === 'open' && breached && loaded.metrics.escalation_level !== null) {
      await this.armNextEscalation(
        trx,
        { ...loaded, order, policy, calendar },
        loaded.metrics.escalation_level,
        at,
      );
    }
  }

  /**
   * Calendars changed (their hours, own dates or their region's holiday files): the open orders
   * on them are replayed on the new calendars, so their stored deadlines (which the overdue and
   * due-soon lists read) and their timers follow; they used to keep the old working days until the
   * order's next event, and warn or breach by them. A deadline the change moves into the past is
   * announced as the timer's would be. The first `retimeChunk` orders by id (LINLI_SLA_RETIME_CHUNK,
   * 500) are re-timed in the change's transaction, before its audit entries, locked first as every
   * action locks them; when there are more, the change also arms a `sla_retime` job that the timer
   * worker runs at once, a chunk per step (a step per worker tick), each step arming the next as it
   * commits. A change over tens of thousands of open orders so holds the write lock (and those
   * orders) for one chunk at a time, not for the whole replay (bench/retime.ts). Returns the
   * orders re-timed in the change.
   */
  async retime(
    trx: Kysely<DB>,
    calendars: ReadonlyMap<string, BusinessCalendar>,
    at: string,
  ): Promise<number> {
    const calendarIds = [...calendars.keys()];
    const ids = await repo.openOrdersOnCalendars(trx, calendarIds, { limit: this.settings.retimeChunk + 1 });
    const now = ids.slice(0, this.settings.retimeChunk);
    const n = await this.retimeOrders(trx, calendars, now, at);
    if (ids.length > this.settings.retimeChunk)
      await this.armRetime(
        trx,
        { job: newId(), calendars: calendarIds, after: now[now.length - 1] ?? '' },
        at,
      );
    return n;
  }

  /** Replays these orders on the calendars as of `at`: stored deadlines and timers. */
  private async retimeOrders(
    trx: Kysely<DB>,
    calendars: ReadonlyMap<string, BusinessCalendar>,
    ids: readonly string[],
    at: string,
  ): Promise<number> {
    if (ids.length === 0) return 0;
    await lockOrders(trx, this.dialect, [...ids]);
    let n = 0;
    for (const metrics of await repo.metricsOfOrders(trx, ids)) {
      const calendar = calendars.get(metrics.calendar_id);
      if (!calendar || (metrics.sla_status !== 'open' && metrics.sla_status !== 'paused')) continue;
      const policy = JSON.parse(metrics.policy_json) as StoredPolicy;
      const history = JSON.parse(metrics.history_json) as HistoryEntry[];
      const state = this.compute(policy, calendar, history, at);
      await repo.updateMetrics(trx, metrics.work_order_id, {
        ...keepingBreaches(metricsOf(state), metrics),
        updated_at: at,
      });
      const order = { id: metrics.work_order_id, community_id: metrics.community_id };
      await this.syncTimers(trx, order, state, at, metrics);
      n += 1;
    }
    return n;
  }

  /**
   * One chunk of a calendar change's re-timing, on the calendars as they are now (a later change
   * only makes it replay on newer ones: the replay is idempotent). The chunk and the job's next
   * step (a timer due at once, keyed by the job and the last order done) commit together, so the
   * job never loses its place; a worker that stops before marking this step fired leaves it to be
   * run again, which re-arms the same next step. One chunk per step leaves the database to other
   * work between chunks (SQLite's single writer above all).
   */
  private async onRetime(timer: TimerRow): Promise<void> {
    const job = JSON.parse(timer.payload_json) as RetimeJob;
    await this.deps.database.db.transaction().execute(async (trx) => {
      const ids = await repo.openOrdersOnCalendars(trx, job.calendars, {
        after: job.after,
        limit: this.settings.retimeChunk,
      });
      if (ids.length === 0) return;
      const rt = await this.catalog.runtime(trx);
      const calendars = new Map<string, BusinessCalendar>();
      for (const id of job.calendars) {
        const c = rt.calendars.get(id);
        if (c) calendars.set(id, c);
      }
      const at = this.deps.clock.now().toISOString();
      await this.retimeOrders(trx, calendars, ids, at);
      if (ids.length === this.settings.retimeChunk)
        await this.armRetime(trx, { ...job, after: ids[ids.length - 1] ?? job.after }, at);
    });
  }

  private armRetime(trx: Kysely<DB>, job: RetimeJob, at: string): Promise<void> {
    return repo.scheduleTimer(
      trx,
      newId(),
      {
        key: `${RETIME_TIMER_KIND}:${job.job}:${job.after}`,
        kind: RETIME_TIMER_KIND,
        workOrderId: null,
        communityId: null,
        dueAt: at,
        payload: { ...job },
      },
      at,
    );
  }

  /** The stored SLA of an order with its policy snapshot and calendar, or null when it has none. */
  private async load(trx: Kysely<DB>, orderId: string, order?: WorkOrderRow): Promise<Loaded | null> {
    const metrics = await repo.findMetrics(trx, orderId);
    if (!metrics) return null;
    const o = order ?? (await findOrder(trx, orderId));
    if (!o) return null;
    const rt = await this.catalog.runtime(trx);
    const calendar = rt.calendars.get(metrics.calendar_id);
    if (!calendar) return null;
    const policy = JSON.parse(metrics.policy_json) as StoredPolicy;
    return {
      order: o,
      metrics,
      policy,
      calendar,
      history: JSON.parse(metrics.history_json) as HistoryEntry[],
    };
  }

  private compute(
    policy: StoredPolicy,
    calendar: BusinessCalendar,
    history: HistoryEntry[],
    at: string,
  ): SlaState {
    const r = computeSlaState(policy, calendar, toSlaEvents(history), Date.parse(at));
    if (!r.ok) throw new Error(`SLA history of an order is invalid: ${r.errors[0]?.message}`);
    return r.value;
  }

  /**
   * The order's SLA timer becomes what the state asks for: re-armed in place, or cancelled. After a
   * change to an order that has SLA metrics (`recorded`, as they stood before it), the timer also
   * keeps the breaches still owed an announcement (see `owedEntries`).
   */
  private async syncTimers(
    trx: Kysely<DB>,
    order: OrderRef,
    state: SlaState,
    at: string,
    recorded?: BreachesRecorded,
  ): Promise<void> {
    let wanted = this.timerOf(order, state);
    if (recorded && (state.status === 'open' || state.status === 'paused')) {
      const row = await repo.pendingTimer(trx, clockTimerKey(order.id));
      const current = row ? entriesOfRow(row) : [];
      wanted = clockTimer(order.id, order.community_id, owedEntries(order.id, state, current, recorded, at));
    }
    if (wanted) await repo.armTimer(trx, newId(), wanted, at);
    else await repo.cancelTimers(trx, order.id, [CLOCK_TIMER_KIND]);
  }

  /** The order's escalation levels: its policy's chain, continued with policies of its community's view. */
  private levelsOf(policy: StoredPolicy, rt: SlaRuntime): string[] {
    const view = policy.communityId ?? null;
    const r = resolveEscalationChain(policy.id, (id) =>
      id === policy.id ? policy.escalationChain : rt.policyIn(view, id)?.escalationChain,
    );
    return r.ok && r.value.length > 0 ? r.value : ['dispatcher'];
  }

  /** Staff to tell about an order: its assignee, or the community's dispatchers when it has none. */
  private async handlers(trx: Kysely<DB>, order: WorkOrderRow): Promise<string[]> {
    if (order.assignee_id) return [order.assignee_id];
    return (await repo.usersWithRoles(trx, order.community_id, ['dispatcher'])).map((u) => u.id);
  }

  /**
   * Replays as of `now`; for the update clock, public replies since the last event count as
   * updates (a reply is in the history from its own transaction on; this catches those of orders
   * whose replies were written before, which no hook recorded).
   */
  private async stateNow(trx: Kysely<DB>, l: Loaded, now: string, clock: SlaClockName): Promise<SlaState> {
    if (clock === 'update') {
      const last = l.history[l.history.length - 1]?.at ?? l.metrics.submitted_at;
      for (const r of await repo.repliesAfter(trx, l.order.id, last))
        l.history.push({ type: 'updated', at: r.created_at });
    }
    return this.compute(l.policy, l.calendar, l.history, now);
  }

  /**
   * An SLA event on an order: on its timeline and in the audit chain, to the staff who must act
   * (template `sla_<kind>`), and to webhook subscribers (`sla.<kind>`).
   */
  private async announce(
    trx: Kysely<DB>,
    order: WorkOrderRow,
    kind: 'warning' | 'breached' | 'escalated',
    data: Record<string, unknown>,
    o: { recipients: string[]; key: string; at: string; urgent?: boolean; note?: string },
  ): Promise<void> {
    await recordOrderChange(trx, this.dialect, {
      order,
      type: `sla_${kind}`,
      action: `sla.${kind}`,
      actor: SLA_ACTOR,
      ...(o.note ? { note: o.note } : {}),
      data,
      at: o.at,
    });
    const payload = { orderId: order.id, number: order.number, ...data };
    await notifyUsers(
      trx,
      o.recipients,
      { template: `sla_${kind}`, key: o.key, ...(o.urgent ? { urgent: true } : {}), payload },
      o.at,
    );
    await emitWebhookEvent(trx, order.community_id, `sla.${kind}`, payload, o.key, o.at);
  }

  /**
   * An order's SLA timer fired: what is not due yet stays armed, then each due warning or breach
   * is handled in time order as if it had been a timer of its own (a handler that finds the
   * deadline moved re-arms the timer from the state it computes).
   */
  private async onClockTimer(trx: Kysely<DB>, timer: TimerRow, now: string): Promise<void> {
    if (!timer.work_order_id || !timer.community_id) return;
    const { due, later } = splitDue(entriesOfRow(timer), now);
    const rest = clockTimer(timer.work_order_id, timer.community_id, later);
    if (rest) await repo.armTimer(trx, newId(), rest, now);
    for (const e of due) {
      if (e.kind === 'warn') await this.onWarn(trx, timer.work_order_id, e, now);
      else await this.onBreach(trx, timer.work_order_id, e, now);
    }
  }

  private async onWarn(trx: Kysely<DB>, orderId: string, entry: ClockTimerEntry, now: string): Promise<void> {
    const l = await this.load(trx, orderId);
    if (!l || l.metrics.sla_status !== 'open') return;
    const clock = entry.clock;
    const state = await this.stateNow(trx, l, now, clock);
    const cs =
      clock === 'update' ? state.update : clock === 'first_response' ? state.firstResponse : state.resolution;
    // Caught up after a downtime past the deadline: the breach timer speaks instead. Not yet at the
    // threshold (the entry was armed under a policy the order has left): nothing to say.
    if (!cs || cs.status !== 'running' || cs.breached || !cs.warned) return;
    const dueAt = cs.dueAt === null ? null : new Date(cs.dueAt).toISOString();
    await repo.updateMetrics(trx, l.order.id, {
      ...keepingBreaches(metricsOf(state), l.metrics),
      history_json: JSON.stringify(l.history),
      updated_at: now,
      ...(clock === 'first_response' ? { first_response_warned_at: now } : {}),
      ...(clock === 'resolution' ? { resolution_warned_at: now } : {}),
    });
    const data = { clock, dueAt, remainingMinutes: Math.round(cs.remainingMinutes) };
    await this.announce(trx, l.order, 'warning', data, {
      recipients: await this.handlers(trx, l.order),
      key: entry.key,
      at: now,
    });
  }

  private async onBreach(
    trx: Kysely<DB>,
    orderId: string,
    entry: ClockTimerEntry,
    now: string,
  ): Promise<void> {
    const l = await this.load(trx, orderId);
    // A breach that came before the order was put on hold is announced while it waits; one on an
    // order that has left (resolved, closed, cancelled…) alerts nobody.
    if (!l || (l.metrics.sla_status !== 'open' && l.metrics.sla_status !== 'paused')) return;
    const clock = entry.clock;
    const state = await this.stateNow(trx, l, now, clock);
    const cs =
      clock === 'update' ? state.update : clock === 'first_response' ? state.firstResponse : state.resolution;
    const written = keepingBreaches(metricsOf(state), l.metrics);
    await repo.updateMetrics(trx, l.order.id, {
      ...written,
      history_json: JSON.stringify(l.history),
      updated_at: now,
    });
    if (!cs || !cs.breached) {
      // The deadline moved (an update came in): schedule the timers the state asks for now. A
      // breach of another clock that this run also found due is announced by its own entry, not
      // revealed a second time.
      await this.syncTimers(trx, l.order, state, now, written);
      return;
    }
    const dueAt = cs.dueAt === null ? null : new Date(cs.dueAt).toISOString();
    const data = {
      clock,
      dueAt,
      breachedAt: cs.breachedAt === null ? null : new Date(cs.breachedAt).toISOString(),
    };
    await this.announce(trx, l.order, 'breached', data, {
      recipients: await this.handlers(trx, l.order),
      key: entry.key,
      urgent: true,
      at: now,
    });
    if (clock !== 'update' && l.metrics.escalation_level === null) {
      const rt = await this.catalog.runtime(trx);
      const first = this.levelsOf(l.policy, rt)[0] ?? 'dispatcher';
      await this.escalate(trx, l, first, clock, now);
    } else if (clock === 'resolution' && !(await repo.hasPendingTimer(trx, l.order.id, 'escalate'))) {
      // The climb stopped when a late first response was made: this breach takes it on a level.
      const rt = await this.catalog.runtime(trx);
      const next = nextEscalationLevel(this.levelsOf(l.policy, rt), l.metrics.escalation_level);
      if (next !== null) await this.escalate(trx, l, next, clock, now);
    }
  }

  private async onEscalate(trx: Kysely<DB>, timer: TimerRow, now: string): Promise<void> {
    const l = timer.work_order_id ? await this.load(trx, timer.work_order_id) : null;
    if (!l || l.metrics.sla_status !== 'open') return;
    const { level, clock } = JSON.parse(timer.payload_json) as { level: string; clock: SlaClockName };
    // A late first response escalates until the order is answered: then what it urged is done,
    // and the resolution clock escalates on its own breach, from the level reached.
    if (clock === 'first_response' && l.metrics.first_response_at !== null) return;
    const rt = await this.catalog.runtime(trx);
    // Only the next step of the chain: a stale or repeated timer never escalates twice.
    if (nextEscalationLevel(this.levelsOf(l.policy, rt), l.metrics.escalation_level) !== level) return;
    await this.escalate(trx, l, level, clock, now);
  }

  private async escalate(
    trx: Kysely<DB>,
    l: Loaded,
    level: string,
    clock: SlaClockName,
    now: string,
  ): Promise<void> {
    await repo.insertEscalation(trx, {
      id: newId(),
      work_order_id: l.order.id,
      community_id: l.order.community_id,
      level,
      clock,
      created_at: now,
    });
    await repo.updateMetrics(trx, l.order.id, {
      escalation_level: level,
      escalated_at: now,
      updated_at: now,
    });
    l.metrics = { ...l.metrics, escalation_level: level, escalated_at: now };
    const data = { level, clock };
    const users = await repo.usersWithRoles(trx, l.order.community_id, rolesForLevel(level));
    await this.announce(trx, l.order, 'escalated', data, {
      recipients: users.map((u) => u.id),
      key: `escalated:${l.order.id}:${level}:${now}`,
      urgent: true,
      note: `超时升级至 ${level}`,
      at: now,
    });
    const rt = await this.catalog.runtime(trx);
    const levels = this.levelsOf(l.policy, rt);
    if (nextEscalationLevel(levels, level) === null) {
      if (this.settings.autoSupervise)
        await this.supervision.issueInTransaction(trx, l.order, {
          level,
          reason: `超时升级至最高层级（${level}），自动督办`,
          dueAt: new Date(Date.parse(now) + this.settings.supervisionDueMinutes * 60_000).toISOString(),
          actor: SLA_ACTOR,
          at: now,
        });
      return;
    }
    await this.armNextEscalation(trx, l, level, now, clock);
  }

  private async armNextEscalation(
    trx: Kysely<DB>,
    l: Loaded,
    current: string | null,
    at: string,
    clock: SlaClockName = 'resolution',
  ): Promise<void> {
    const rt = await this.catalog.runtime(trx);
    const next = nextEscalationLevel(this.levelsOf(l.policy, rt), current);
    if (next === null || current === null) return;
    const dueAt = new Date(
      addBusinessMinutes(l.calendar, Date.parse(at), l.policy.escalationStepMinutes),
    ).toISOString();
    await repo.scheduleTimer(
      trx,
      newId(),
      {
        key: `esc:${l.order.id}:${next}:${at}`,
        kind: 'escalate',
        workOrderId: l.order.id,
        communityId: l.order.community_id,
        dueAt,
        payload: { level: next, clock },
      },
      at,
    );
  }
}

import type { Kysely } from 'kysely';
import { announceStale } from '../../platform/cache/coherence.ts';
import { LoaderCache } from '../../platform/cache/loader-cache.ts';
import type { Deps } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { AppError, forbidden, invalidInput } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { actorLabel } from '../../platform/auth/principal.ts';
import { enqueue } from '../notifications/outbox.repository.ts';
import { emergencyAlertPayload, emergencyContactPayload } from '../notifications/emergency.payload.ts';
import { preferencesOf } from '../notifications/notifications.repository.ts';
import { TERMINAL } from '../work-orders/work-order.machine.ts';
import type { Action, Status } from '../work-orders/work-order.machine.ts';
import * as orders from '../work-orders/work-order.repository.ts';
import type { WorkOrderRow } from '../work-orders/work-order.repository.ts';
import type { LifecycleHooks, WorkOrderService } from '../work-orders/work-order.service.ts';
import { URGENCIES, allCategoryCodes, topCategory } from '../taxonomy/taxonomy.default.ts';
import { PRIORITY_BANDS } from '../sla/sla.policy.ts';
import { rankBaseline } from './matching.baseline.ts';
import { applySystemAction, recordEvent } from './dispatch.apply.ts';
import type { SystemActionContext } from './dispatch.apply.ts';
import { decideAuto, decideEmergency, loadsOf, matchOrderOf, rank } from './dispatch.engine.ts';
import type { Decision } from './dispatch.engine.ts';
import { personOnDuty } from './dispatch.person.ts';
import { localMoment } from './matching.time.ts';
import * as repo from './dispatch.repository.ts';
import { emergencyLaneGap, ruleFor, ruleOf } from './dispatch.rules.ts';
import type { DispatchRule } from './dispatch.rules.ts';
import { communityFor, mayDispatch, requireEditor } from './resource.access.ts';
import type { CatalogueService, CatalogueSnapshot } from './resource.service.ts';

/** What dispatch knows about a dispatch it is making, read back by its own transition hook. */
interface DispatchMeta {
  userId: string;
  resourceId: string | null;
  lane: 'manual' | 'auto' | 'emergency';
  score: number | null;
  reason: string;
  /** A decision not used by then (the dispatch failed, e.g. a stale version) is forgotten. */
  expires: number;
  /** The balancer's choice to remember once the dispatch is made (a dispatcher's `{ auto: true }`). */
  rotation?: { poolKey: string; code: string };
}

const RULES_TTL_MS = 30_000;

export interface RuleInput {
  name: string;
  category: string | null;
  urgencies?: string[] | undefined;
  priorities?: string[] | undefined;
  mode: 'emergency' | 'auto' | 'queue';
  strategy?: 'least_loaded' | 'round_robin' | undefined;
  acceptTimeoutS: number;
}
const CLOSE_STATE: Partial<Record<Action, string>> = {
  transfer: 'transferred',
  resolve: 'completed',
  reject: 'rejected',
};

/**
 * Dispatch: candidates for the dispatcher, automatic and emergency dispatch, acceptance and its
 * deadline, and the assignment history. Attached to the work-order lifecycle as a hook, so every
 * dispatch, however made, is booked as an assignment with a deadline.
 */
export class DispatchService implements LifecycleHooks {
  private readonly rulesCache = new LoaderCache<string, DispatchRule[]>({ ttlMs: RULES_TTL_MS });
  private readonly pending = new Map<string, DispatchMeta>();
  /** Rows of new orders this hook changed in memory, as they were created. */
  private readonly created = new WeakMap<WorkOrderRow, WorkOrderRow>();

  constructor(
    private readonly deps: Deps,
    private readonly catalogue: CatalogueService,
    private readonly workOrders: WorkOrderService,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  private ctx(at: string): SystemActionContext {
    return { dialect: this.deps.database.dialect, hooks: this.workOrders.hooks, at };
  }

  invalidateRules(communityId?: string): void {
    this.rulesCache.invalidate(communityId);
  }

  rules(communityId: string, executor: Kysely<DB> = this.db): Promise<DispatchRule[]> {
    return this.rulesCache.get(
      communityId,
      async () => (await repo.rulesOf(executor, communityId)).map(ruleOf),
      { shared: executor === this.db },
    );
  }

  async ruleForOrder(order: WorkOrderRow, executor: Kysely<DB> = this.db): Promise<DispatchRule> {
    return ruleFor(await this.rules(order.community_id, executor), order);
  }

  /** Ranked candidates with score parts, constraint failures, the keyword baseline and the automatic pick. */
  async candidates(p: Principal, orderId: string, options: { limit: number; includeRejected: boolean }) {
    const { order } = await this.workOrders.getReadable(p, orderId);
    if (!mayDispatch(p, order.community_id)) throw forbidden('only dispatchers see candidates');
    const now = this.deps.clock.now();
    const snap = await this.catalogue.snapshot(order.community_id);
    const loads = await loadsOf(this.db, order.community_id, now);
    const om = matchOrderOf(order, snap, now);
    const ranked = rank(snap, loads, om, { includeRejected: options.includeRejected });
    const rule = await this.ruleForOrder(order);
    const tried = await this.triedUsers(this.db, order.id, order.assignee_id);
    const pick =
      order.urgency === 'critical'
        ? decideEmergency(snap, loads, om, tried)
        : decideAuto(snap, loads, om, {
            strategy: rule.strategy,
            exclude: tried,
            lastCode: await repo.rotationOf(this.db, poolKey(order)),
            poolKey: poolKey(order),
          });
    const communityProfiles = snap.profiles;
    const baseline = rankBaseline(
      { text: order.description },
      communityProfiles,
      snap.index.vocabulary,
    ).slice(0, Math.min(options.limit, 5));
    return { order, snap, loads, om, ranked, rule, pick, baseline, tried };
  }

  /** The assignee `{ auto: true }` picks: emergency lane for critical orders, else the rules' strategy. */
  async resolveAuto(p: Principal, orderId: string): Promise<string> {
    const { order, pick } = await this.candidates(p, orderId, { limit: 1, includeRejected: false });
    if (!pick) {
      throw new AppError('conflict', 'no candidate can take this order now: choose an assignee by hand', {
        field: 'auto',
      });
    }
    // Round-robin remembers this pick when the dispatch is booked, as for the rules' own dispatch:
    // without it every `{ auto: true }` among equals went to the same one.
    const rotation = pick.lane === 'auto' ? { poolKey: poolKey(order), code: pick.resource.code } : undefined;
    this.pending.set(order.id, { ...this.metaOf(pick), ...(rotation ? { rotation } : {}) });
    return pick.person.userId;
  }

  private metaOf(d: Decision): DispatchMeta {
    return {
      userId: d.person.userId,
      resourceId: d.resource.id,
      lane: d.lane,
      score: d.score,
      reason: d.reason,
      expires: Date.now() + 60_000,
    };
  }

  private async triedUsers(db: Kysely<DB>, orderId: string, current: string | null): Promise<Set<string>> {
    const rows = await repo.assignmentsOf(db, orderId);
    const tried = new Set(rows.filter((r) => r.role === 'assignee').map((r) => r.user_id));
    if (current) tried.add(current);
    return tried;
  }

  /** A decision for an order inside a transaction (the lane by urgency). */
  private async decide(
    trx: Kysely<DB>,
    order: WorkOrderRow,
    rule: DispatchRule,
    lane: 'auto' | 'emergency',
  ): Promise<Decision | undefined> {
    const now = this.deps.clock.now();
    const snap = await this.catalogue.snapshot(order.community_id, trx);
    const loads = await loadsOf(trx, order.community_id, now);
    const om = matchOrderOf(order, snap, now);
    const exclude = await this.triedUsers(trx, order.id, order.assignee_id);
    if (lane === 'emergency') return decideEmergency(snap, loads, om, exclude);
    const key = poolKey(order);
    const d = decideAuto(snap, loads, om, {
      strategy: rule.strategy,
      exclude,
      lastCode: await repo.rotationOf(trx, key),
      poolKey: key,
    });
    if (d) await repo.saveRotation(trx, key, d.resource.code, now.toISOString());
    return d;
  }

  private async dispatchTo(
    trx: Kysely<DB>,
    order: WorkOrderRow,
    d: Decision,
    at: string,
    note: string,
  ): Promise<WorkOrderRow | undefined> {
    this.pending.set(order.id, this.metaOf(d));
    const after = await applySystemAction(
      trx,
      this.ctx(at),
      order,
      'dispatch',
      { assigneeId: d.person.userId, note },
      { auto: true, lane: d.lane, resourceCode: d.resource.code, score: d.score },
    );
    if (!after) this.pending.delete(order.id);
    return after;
  }

  // ── lifecycle hooks ────────────────────────────────────────────────────────────────────────

  /** New order: the emergency lane or automatic dispatch by rule, in the order's own transaction. */
  async onCreated(trx: Kysely<DB>, order: WorkOrderRow, at: string): Promise<void> {
    const original = this.created.get(order);
    if (original) {
      // A retry of a batch that rolled back after this hook had updated the row in memory: the row
      // was inserted as it was left, so put it back as created before dispatching afresh.
      Object.assign(order, original);
      await repo.restoreCreated(trx, original);
    }
    await this.route(trx, order, at);
  }

  /**
   * A person's triage decision releases an order that waited for it: the emergency lane or the
   * automatic rules now route it as if it had just arrived so.
   */
  async onReclassified(
    trx: Kysely<DB>,
    before: WorkOrderRow,
    after: WorkOrderRow,
    at: string,
  ): Promise<void> {
    if (before.needs_triage !== 1 || after.assignee_id) return;
    if (after.status !== 'submitted' && after.status !== 'accepted') return;
    await this.route(trx, after, at);
  }

  /** The emergency lane or automatic dispatch by rule; an order waiting for triage waits for a person. */
  private async route(trx: Kysely<DB>, order: WorkOrderRow, at: string): Promise<void> {
    const rule = await this.ruleForOrder(order, trx);
    const emergency = order.urgency === 'critical' && rule.mode === 'emergency';
    if (!emergency && rule.mode !== 'auto') return;
    // Routing by a category or urgency that a person has yet to confirm would send the wrong
    // team (or responders to a suspected emergency); the dispatcher's triage queue decides.
    if (!emergency && order.needs_triage === 1) return;
    const d = await this.decide(trx, order, rule, emergency ? 'emergency' : 'auto');
    if (!d && emergency) {
      // Nobody on duty can be named: the order stays at the top of the queue, flagged.
      await recordEvent(trx, { dialect: this.deps.database.dialect, at }, order, {
        type: 'emergency_unassigned',
        note: '紧急通道：当前无在岗救援力量，请调度员立即处理',
        visibility: 'internal',
        data: { lane: 'emergency' },
      });
      return;
    }
    if (!d) return;
    const after = await this.dispatchTo(trx, order, d, at, d.reason);
    if (!after) return;
    if (emergency) await this.alertEmergency(trx, after, d, at);
    // The caller answers with this row: it must show the dispatch that is now committed with it.
    this.created.set(order, { ...order });
    Object.assign(order, after);
  }

  /** Books every dispatch as an assignment, and follows acceptance, rejection, transfer and completion. */
  async onTransition(
    trx: Kysely<DB>,
    before: WorkOrderRow,
    after: WorkOrderRow,
    action: Action,
    at: string,
  ): Promise<void> {
    if (action === 'dispatch' && after.assignee_id) {
      await this.book(trx, before, after, at);
      return;
    }
    if (action === 'start' && after.assignee_id) {
      await repo.acceptAssignment(trx, after.id, after.assignee_id, at);
      return;
    }
    const released = TERMINAL.has(after.status as Status) || after.assignee_id !== before.assignee_id;
    const state = CLOSE_STATE[action] ?? (released ? 'released' : undefined);
    if (state) {
      const note = action === 'reject' ? await lastNote(trx, after.id) : null;
      await repo.closeAssignments(trx, after.id, state, at, { note });
    }
    if (action === 'reject') await this.afterReject(trx, after, at);
  }

  private async book(trx: Kysely<DB>, before: WorkOrderRow, after: WorkOrderRow, at: string) {
    const userId = after.assignee_id ?? '';
    const meta = this.pending.get(after.id);
    if (meta) this.pending.delete(after.id);
    const own = meta && meta.userId === userId && meta.expires > Date.now() ? meta : undefined;
    await repo.closeAssignments(trx, after.id, 'reassigned', at);
    if (own?.rotation) await repo.saveRotation(trx, own.rotation.poolKey, own.rotation.code, at);
    const rule = await this.ruleForOrder(after, trx);
    const previous = await repo.assignmentsOf(trx, after.id);
    let resourceId = own?.resourceId ?? null;
    if (!own) {
      const snap = await this.catalogue.snapshot(after.community_id, trx);
      resourceId = snap.resourceOfUser.get(userId)?.id ?? null;
    }
    await repo.insertAssignment(trx, {
      id: newId(),
      work_order_id: after.id,
      community_id: after.community_id,
      resource_id: resourceId,
      user_id: userId,
      role: 'assignee',
      lane: own?.lane ?? 'manual',
      state: 'pending',
      attempt: previous.filter((a) => a.role === 'assignee').length + 1,
      score: own?.score ?? null,
      reason: own?.reason ?? (before.assignee_id ? '调度员改派' : '调度员派单'),
      assigned_at: at,
      deadline_at: new Date(Date.parse(at) + rule.acceptTimeoutS * 1000).toISOString(),
      responded_at: null,
      response_note: null,
    });
  }

  /** A rejected order of an automatic lane goes straight to the next candidate; others wait for a dispatcher. */
  private async afterReject(trx: Kysely<DB>, order: WorkOrderRow, at: string) {
    const rule = await this.ruleForOrder(order, trx);
    const lane = order.urgency === 'critical' && rule.mode === 'emergency' ? 'emergency' : 'auto';
    if (rule.mode === 'queue') return;
    const d = await this.decide(trx, order, rule, lane);
    if (!d) return;
    const after = await this.dispatchTo(trx, order, d, at, `上一位处理人拒单，改派：${d.reason}`);
    // The next responder of the emergency lane is alerted as the first was (as after a timeout).
    if (after && lane === 'emergency') await this.alertEmergency(trx, after, d, at, { again: true });
  }

  /** Emergency lane: responder and grid worker alerted together; the beneficiary's emergency contact told. */
  private async alertEmergency(
    trx: Kysely<DB>,
    order: WorkOrderRow,
    d: Decision,
    at: string,
    { again = false }: { again?: boolean } = {},
  ) {
    // The grid worker and the emergency contact were told with the first responder: a next
    // responder (after a timeout) is alerted alone.
    const workers = order.grid_id && !again ? await repo.gridWorkersOfGrid(trx, order.grid_id) : [];
    const worker = workers[0];
    const locales = new Map(
      (await preferencesOf(trx, worker ? [d.person.userId, worker.id] : [d.person.userId])).map((p) => [
        p.user_id,
        p.locale === 'en' ? ('en' as const) : ('zh-CN' as const),
      ]),
    );
    await enqueue(
      trx,
      {
        idempotencyKey: `emergency:${order.id}:responder:${d.person.userId}`,
        channel: 'sms',
        recipientType: 'user',
        recipientId: d.person.userId,
        address: d.person.phone,
        template: 'emergency_dispatch',
        locale: locales.get(d.person.userId) ?? 'zh-CN',
        payload: emergencyAlertPayload(order, {
          role: 'responder',
          resource: d.resource.name,
          responder: d.person.name,
        }),
      },
      at,
    );
    if (worker) {
      await repo.insertAssignment(trx, {
        id: newId(),
        work_order_id: order.id,
        community_id: order.community_id,
        resource_id: null,
        user_id: worker.id,
        role: 'grid_worker',
        lane: 'emergency',
        state: 'notified',
        attempt: 1,
        score: null,
        reason: '紧急通道：同步通知网格员到场',
        assigned_at: at,
        deadline_at: null,
        responded_at: null,
        response_note: null,
      });
      for (const channel of ['inapp', 'sms'] as const) {
        await enqueue(
          trx,
          {
            idempotencyKey: `emergency:${order.id}:grid:${worker.id}:${channel}`,
            channel,
            recipientType: 'user',
            recipientId: worker.id,
            address: channel === 'sms' ? worker.phone : null,
            template: 'emergency_dispatch',
            locale: locales.get(worker.id) ?? 'zh-CN',
            payload: emergencyAlertPayload(order, {
              role: 'grid_worker',
              resource: d.resource.name,
              responder: d.person.name,
            }),
          },
          at,
        );
      }
    }
    const contact =
      order.beneficiary_id && !again ? await repo.beneficiaryContact(trx, order.beneficiary_id) : undefined;
    if (contact?.emergency_contact_phone) {
      await enqueue(
        trx,
        {
          idempotencyKey: `emergency:${order.id}:contact`,
          channel: 'sms',
          // Sent to the contact the resident has on record when it goes out (a contact changed
          // meanwhile gets it, an erased resident's gets nothing); the address is as it was now.
          recipientType: 'emergency_contact',
          recipientId: order.beneficiary_id,
          address: contact.emergency_contact_phone,
          template: 'emergency_contact_notice',
          locale: 'zh-CN',
          payload: emergencyContactPayload(order, {
            beneficiary: contact.name,
            contactName: contact.emergency_contact_name,
            responder: d.resource.name,
          }),
        },
        at,
      );
    }
    await recordEvent(trx, { dialect: this.deps.database.dialect, at }, order, {
      type: 'emergency_lane',
      note: `紧急通道：已派 ${d.resource.name} ${d.person.name}${worker ? `，同步通知网格员 ${worker.display_name}` : ''}${contact?.emergency_contact_phone ? '，已短信通知紧急联系人' : ''}`,
      visibility: 'internal',
      data: {
        responderId: d.person.userId,
        resourceCode: d.resource.code,
        distanceM: Math.round(d.distanceM),
        gridWorkerId: worker?.id ?? null,
        contactNotified: !!contact?.emergency_contact_phone,
      },
    });
  }

  // ── acceptance, deadlines, history ─────────────────────────────────────────────────────────

  /** The assignee accepts the order: the acceptance deadline stops. Idempotent. */
  async accept(p: Principal, orderId: string) {
    const { order } = await this.workOrders.getReadable(p, orderId);
    if (p.kind !== 'user' || order.assignee_id !== p.id)
      throw forbidden('only the assignee accepts an order');
    if (order.status !== 'dispatched') {
      throw new AppError('invalid_transition', `cannot accept an order that is ${order.status}`, {
        status: order.status,
      });
    }
    const at = this.deps.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await orders.lockOrders(trx, this.deps.database.dialect, [order.id]);
      if (!(await repo.acceptAssignment(trx, order.id, p.id, at))) {
        // Accepted already: the same answer again. Closed (timed out, passed on): nothing to accept.
        const mine = (await repo.assignmentsOf(trx, order.id))
          .filter((x) => x.user_id === p.id && x.role === 'assignee')
          .at(-1);
        if (!mine || mine.state === 'accepted') return;
        throw new AppError(
          'invalid_transition',
          `your assignment of this order is ${mine.state.replace('_', ' ')}: ask the dispatcher to dispatch it again`,
          { status: order.status, assignment: mine.state },
        );
      }
      await recordEvent(trx, { dialect: this.deps.database.dialect, at }, order, {
        type: 'assignment_accepted',
        note: `${p.name} 已接单`,
        visibility: 'public',
        data: { assigneeId: p.id },
        actor: { type: 'user', id: p.id, name: p.name, label: actorLabel(p) },
      });
    });
    return this.history(p, orderId);
  }

  async history(p: Principal, orderId: string) {
    const { order } = await this.workOrders.getReadable(p, orderId);
    if (p.kind !== 'user') throw forbidden('staff only');
    const rows = await repo.assignmentsOf(this.db, order.id);
    const names = await repo.usersNamed(this.db, [...new Set(rows.map((r) => r.user_id))]);
    const snap = await this.catalogue.snapshot(order.community_id);
    const resourceName = new Map(snap.rows.map((r) => [r.id, r]));
    return { order, rows, names: new Map(names.map((n) => [n.id, n])), resources: resourceName };
  }

  /**
   * Deadlines that passed without acceptance: the order goes to the next candidate (same lane),
   * or back to the dispatcher's queue when nobody else can take it. Safe on several nodes: each
   * timer is claimed by a conditional update. Returns how many timers fired.
   */
  async processDue(limit = 50): Promise<number> {
    const now = this.deps.clock.now().toISOString();
    const due = await repo.dueAssignments(this.db, now, limit);
    let fired = 0;
    for (const a of due) {
      await this.db.transaction().execute(async (trx) => {
        // The order first, as every action on it locks it first (`lockOrders`): claiming the
        // assignment first and locking the order after deadlocked with a person's transfer,
        // which locks the order and then closes the same assignment (a 503 for the person).
        await orders.lockOrders(trx, this.deps.database.dialect, [a.work_order_id]);
        const order = await orders.findOrder(trx, a.work_order_id);
        // While the order waits on the resident its assignee has nothing to accept: the deadline
        // is held, moved a whole timeout on each time it comes, so that after the order resumes
        // the assignee has up to one timeout again. It used to time out unseen meanwhile, and
        // the resumed order stayed with a person whose assignment was closed, with no deadline.
        if (order && order.status === 'waiting_on_resident' && order.assignee_id === a.user_id) {
          const rule = await this.ruleForOrder(order, trx);
          const to = new Date(Date.parse(now) + rule.acceptTimeoutS * 1000).toISOString();
          await repo.postponeDeadline(trx, a.id, a.deadline_at ?? now, to);
          return;
        }
        if (!(await repo.claimTimedOut(trx, a.id, now))) return;
        fired++;
        if (!order || order.status !== 'dispatched' || order.assignee_id !== a.user_id) return;
        const rule = await this.ruleForOrder(order, trx);
        const waited = waitedFor(Date.parse(now) - Date.parse(a.assigned_at));
        // Passed on to the next candidate only where the system chose the first: the emergency
        // lane, or automatic dispatch under a rule that still dispatches automatically. A person's
        // choice (a dispatcher's dispatch, or any order of a category whose rule queues its
        // orders) goes back to the dispatcher, as a rejection of it does.
        const lane =
          a.lane === 'emergency' ? 'emergency' : a.lane === 'auto' && rule.mode !== 'queue' ? 'auto' : null;
        const d = lane ? await this.decide(trx, order, rule, lane) : undefined;
        if (d) {
          const after = await this.dispatchTo(trx, order, d, now, `${waited}内未接单，改派：${d.reason}`);
          // The next responder of the emergency lane is alerted as the first was.
          if (after && lane === 'emergency') await this.alertEmergency(trx, after, d, now, { again: true });
          return;
        }
        await applySystemAction(
          trx,
          this.ctx(now),
          order,
          'transfer',
          {
            reason: lane
              ? `${waited}内未接单，且无其他可用候选，退回调度台`
              : `${waited}内未接单，退回调度台`,
          },
          { timedOut: a.user_id },
        );
      });
    }
    return fired;
  }

  async listRules(p: Principal, communityRef: string) {
    const c = await communityFor(this.db, p, communityRef);
    return { communityId: c.id, rules: await this.rules(c.id) };
  }

  /** Replaces a community's rules; they apply to the next order. */
  async setRules(p: Principal, communityRef: string, rules: RuleInput[]) {
    const c = await communityFor(this.db, p, communityRef);
    requireEditor(p, c.id);
    const codes = new Set(allCategoryCodes());
    // The body parser coerces a JSON null to "" for a string-or-null field: both mean "any category".
    rules = rules.map((r) => ({ ...r, name: r.name.trim(), category: r.category ? r.category : null }));
    rules.forEach((r, i) => {
      if (!r.name) throw invalidInput(`rules[${i}].name`, 'a rule needs a name');
      if (r.category !== null && !codes.has(r.category)) {
        throw invalidInput(`rules[${i}].category`, `unknown category "${r.category}"`);
      }
      (r.urgencies ?? []).forEach((u, j) => {
        if (!(URGENCIES as readonly string[]).includes(u)) {
          throw invalidInput(`rules[${i}].urgencies[${j}]`, `urgency must be one of ${URGENCIES.join(', ')}`);
        }
      });
      // A priority no order has would make a rule that silently never applies.
      (r.priorities ?? []).forEach((b, j) => {
        if (!(PRIORITY_BANDS as readonly string[]).includes(b)) {
          throw invalidInput(
            `rules[${i}].priorities[${j}]`,
            `priority must be one of ${PRIORITY_BANDS.join(', ')}`,
          );
        }
      });
    });
    refuseEmergencyGap(rules, [...codes]);
    const at = this.deps.clock.now().toISOString();
    const rows = rules.map((r, i) => ({
      id: newId(),
      community_id: c.id,
      name: r.name,
      category: r.category,
      urgencies_json: JSON.stringify(r.urgencies ?? []),
      priorities_json: JSON.stringify(r.priorities ?? []),
      mode: r.mode,
      strategy: r.strategy ?? 'least_loaded',
      accept_timeout_s: r.acceptTimeoutS,
      sort_order: (i + 1) * 10,
      active: 1,
      created_at: at,
    }));
    await this.db.transaction().execute(async (trx) => {
      await repo.replaceRules(trx, c.id, rows);
      await announceStale(trx, [{ topic: 'dispatch_rules', key: c.id }], this.deps.clock.now());
      await this.catalogue.audit(trx, p, c.id, 'dispatch.rules_set', c.id, {
        rules: rows.map((r) => ({ name: r.name, category: r.category, mode: r.mode })),
      });
    });
    this.invalidateRules(c.id);
    return this.listRules(p, communityRef);
  }

  /** Active staff of a resource with whether each is on duty now (for the candidates view). */
  staffOnDuty(snap: CatalogueSnapshot, code: string, now: Date) {
    const row = snap.byCode.get(code);
    const profile = snap.index.resources.find((r) => r.code === code);
    if (!row || !profile) return [];
    const moment = localMoment(now);
    // A deactivated account cannot be sent anything: it is no candidate to list.
    return (snap.staff.get(row.id) ?? [])
      .filter((s) => s.active)
      .map((s) => ({ s, onDuty: personOnDuty(s, profile, moment) }));
  }
}

/** How long an assignee let an order wait, as a note says it: 45 秒, 12 分钟, 2 小时 5 分钟. */
export function waitedFor(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} 秒`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} 分钟`;
  return `${Math.floor(m / 60)} 小时${m % 60 ? ` ${m % 60} 分钟` : ''}`;
}

/**
 * A rule set is refused when it would leave any critical order outside the emergency lane (no
 * emergency rule for it, or an `auto` or `queue` rule that catches it first): the lane sends a
 * named responder in seconds, and a hotline operator relies on it being there whatever else the
 * rules say. Refused rather than quietly kept as a hidden rule, so the list shown is the list
 * that decides.
 */
function refuseEmergencyGap(rules: readonly RuleInput[], categories: readonly string[]): void {
  const gap = emergencyLaneGap(
    rules.map((r) => ({ ...r, urgencies: r.urgencies ?? [], priorities: r.priorities ?? [] })),
    categories,
    PRIORITY_BANDS,
  );
  if (!gap) return;
  const order = `a critical ${gap.category} order of priority ${gap.priority}`;
  const rule = gap.ruleIndex === null ? undefined : rules[gap.ruleIndex];
  const message = rule
    ? `rule ${gap.ruleIndex} ("${rule.name}", ${rule.mode}) would take ${order} away from the emergency lane: ` +
      'put a rule with mode "emergency" for urgency critical before it, or leave critical out of its urgencies'
    : `no rule sends ${order} to the emergency lane: add a rule with mode "emergency" for urgency critical`;
  throw new AppError('invalid_input', message, {
    field: gap.ruleIndex === null ? 'rules' : `rules[${gap.ruleIndex}].mode`,
    reason: gap.ruleIndex === null ? 'emergency_lane_missing' : 'emergency_lane_shadowed',
    category: gap.category,
    priority: gap.priority,
  });
}

function poolKey(order: WorkOrderRow): string {
  return `${order.community_id}:${order.subcategory ?? topCategory(order.category)}`;
}

async function lastNote(trx: Kysely<DB>, orderId: string): Promise<string | null> {
  const events = await orders.eventsOf(trx, orderId);
  return events[events.length - 1]?.note ?? null;
}

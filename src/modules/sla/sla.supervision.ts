/**
 * Supervision orders (督办): a manager — or the SLA, when an escalation reaches the top of its
 * chain — puts an order under supervision with its own deadline; the people handling the order
 * answer it. An unanswered supervision turns overdue when its timer fires. Every step is on the
 * order's timeline, in the audit chain and in the notifications.
 */
import type { Kysely } from 'kysely';
import type { Deps } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { AppError, forbidden, invalidInput, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { actorLabel, communitiesOf, scopedCommunities } from '../../platform/auth/principal.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { findOrder } from '../work-orders/work-order.repository.ts';
import { FIELD_STAFF_SCAN, onlyReadableOrders } from '../work-orders/work-order.readable.ts';
import { canReadOrder, orderFacts } from '../work-orders/work-order.policy.ts';
import { seesWholeCommunity } from '../work-orders/work-order.policy.ts';
import type { WorkOrderRow } from '../work-orders/work-order.repository.ts';
import type { LifecycleHooks, WorkOrderService } from '../work-orders/work-order.service.ts';
import { TERMINAL } from '../work-orders/work-order.machine.ts';
import type { Status } from '../work-orders/work-order.machine.ts';
import { emitWebhookEvent, notifyUsers } from '../notifications/notify.ts';
import { recordOrderChange, SLA_ACTOR } from './sla.record.ts';
import type { Actor } from './sla.record.ts';
import * as repo from './sla.repository.ts';
import type { SupervisionRow, TimerRow } from './sla.repository.ts';
import type { SlaSettings } from './sla.settings.ts';
import type { TimerWorker } from './sla.timers.ts';

const ISSUERS = ['manager', 'admin'];
const RESPONDERS = ['dispatcher', 'manager', 'admin'];

export interface IssueInput {
  reason: string;
  dueInMinutes?: number | undefined;
  dueAt?: string | undefined;
}

function actorOf(p: Principal): Actor {
  return {
    type: p.kind === 'resident' ? 'resident' : p.kind === 'user' ? 'user' : 'system',
    id: 'id' in p ? p.id : null,
    name: p.name,
    label: actorLabel(p),
  };
}

const MAX_DUE_MINUTES = 525_600;
/** An ISO 8601 date-time with a four-digit year and a zone (no expanded years such as +010000). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The deadline of a new supervision, as a canonical ISO string (the timers compare them as
 * text): `dueAt` in the future and at most a year ahead, or 1..525600 whole minutes from now.
 */
export function supervisionDeadline(
  nowMs: number,
  input: { dueAt?: string | undefined; dueInMinutes?: number | undefined },
  defaultMinutes: number,
): string {
  const latest = nowMs + MAX_DUE_MINUTES * 60_000;
  if (input.dueAt !== undefined) {
    const t = ISO_DATE_TIME.test(input.dueAt) ? Date.parse(input.dueAt) : Number.NaN;
    if (!Number.isFinite(t))
      throw invalidInput(
        'dueAt',
        'dueAt must be an ISO date-time with a time zone, e.g. 2026-12-01T18:00:00+08:00',
      );
    if (t <= nowMs) throw invalidInput('dueAt', 'the supervision deadline must lie in the future');
    if (t > latest) throw invalidInput('dueAt', 'the supervision deadline is at most a year from now');
    return new Date(t).toISOString();
  }
  const minutes = input.dueInMinutes ?? defaultMinutes;
  if (!(Number.isInteger(minutes) && minutes >= 1 && minutes <= MAX_DUE_MINUTES))
    throw invalidInput('dueInMinutes', 'dueInMinutes is a whole number of minutes from 1 to 525600 (a year)');
  return new Date(nowMs + minutes * 60_000).toISOString();
}

export class SupervisionService {
  constructor(
    private readonly deps: Deps,
    private readonly workOrders: WorkOrderService,
    private readonly settings: SlaSettings,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  registerTimers(worker: TimerWorker): void {
    worker.on('supervision', (trx, timer, now) => this.onDue(trx, timer, now));
  }

  /**
   * An order that leaves (closed, cancelled, referred, dismissed) withdraws its open supervisions;
   * one merged into another as a duplicate carries them over to that order (see `carryOver`).
   */
  readonly hooks: LifecycleHooks = {
    onTransition: async (trx, _before, after, action, at) => {
      if (!TERMINAL.has(after.status as Status)) return;
      const open = await this.openOf(trx, after);
      if (open.length === 0) return;
      const target = action === 'merge' && after.merged_into ? await findOrder(trx, after.merged_into) : null;
      if (target && !TERMINAL.has(target.status as Status))
        return this.carryOver(trx, open, after, target, at);
      for (const s of open) await this.withdraw(trx, s, after, at);
    },
  };

  /** An order's open supervisions, the earliest deadline first. */
  private openOf(trx: Kysely<DB>, order: WorkOrderRow): Promise<SupervisionRow[]> {
    return repo.listSupervisions(trx, {
      communityIds: [order.community_id],
      orderId: order.id,
      status: 'open',
      limit: 1000,
    });
  }

  /**
   * The open supervisions of a duplicate merged into `target`: the resident's matter lives on
   * there, and so does the supervision of it. An order has one open supervision: a target without
   * one takes the duplicate's (the earliest deadline, with its reason, deadline and timer); one
   * already supervised keeps its own, and the duplicate's is `folded` into it (its timer cancelled,
   * an answer to it refused: it is answered through the target's). Each step is on the target's
   * timeline and in the audit chain; the target's assignee hears of a supervision that comes to it.
   * They used to be withdrawn, as if the matter had ended.
   */
  private async carryOver(
    trx: Kysely<DB>,
    open: readonly SupervisionRow[],
    from: WorkOrderRow,
    target: WorkOrderRow,
    at: string,
  ): Promise<void> {
    let kept = (await this.openOf(trx, target))[0];
    const origin = { fromOrderId: from.id, fromNumber: from.number };
    for (const s of open) {
      if (!kept) {
        if (!(await repo.moveSupervision(trx, s.id, target.id))) continue;
        kept = { ...s, work_order_id: target.id };
        await recordOrderChange(trx, this.deps.database.dialect, {
          order: target,
          type: 'supervision_moved',
          action: 'sla.supervision_moved',
          actor: SLA_ACTOR,
          note: s.reason,
          data: { supervisionId: s.id, dueAt: s.due_at, level: s.level, ...origin },
          at,
        });
        if (target.assignee_id && target.assignee_id !== from.assignee_id)
          await notifyUsers(
            trx,
            [target.assignee_id],
            {
              template: 'supervision_issued',
              key: `supervision_moved:${s.id}:${target.id}`,
              urgent: true,
              payload: {
                orderId: target.id,
                number: target.number,
                reason: s.reason,
                dueAt: s.due_at,
                supervisionId: s.id,
              },
            },
            at,
          );
        continue;
      }
      if (!(await repo.updateSupervision(trx, s.id, ['open'], { status: 'folded' }))) continue;
      await repo.cancelTimerByKey(trx, `supervision:${s.id}`);
      await recordOrderChange(trx, this.deps.database.dialect, {
        order: target,
        type: 'supervision_folded',
        action: 'sla.supervision_folded',
        actor: SLA_ACTOR,
        note: s.reason,
        data: {
          supervisionId: s.id,
          dueAt: s.due_at,
          intoSupervisionId: kept.id,
          intoDueAt: kept.due_at,
          ...origin,
        },
        at,
      });
    }
  }

  /**
   * Withdraws an open supervision of an order that has left: nothing is owed any more, nobody is
   * alerted, and the change is on the order's timeline and in the audit chain (it used to stay
   * open on the list until its deadline, then turn withdrawn without a record). One already
   * overdue stays overdue: it was not answered in time.
   */
  private async withdraw(trx: Kysely<DB>, s: SupervisionRow, order: WorkOrderRow, at: string): Promise<void> {
    if (!(await repo.updateSupervision(trx, s.id, ['open'], { status: 'withdrawn' }))) return;
    await repo.cancelTimerByKey(trx, `supervision:${s.id}`);
    await recordOrderChange(trx, this.deps.database.dialect, {
      order,
      type: 'supervision_withdrawn',
      action: 'sla.supervision_withdrawn',
      actor: { type: 'system', id: null, name: 'SLA', label: 'system:sla' },
      data: { supervisionId: s.id, dueAt: s.due_at, orderStatus: order.status },
      at,
    });
  }

  /** A manager puts an order under supervision. */
  async issue(p: Principal, orderId: string, input: IssueInput): Promise<SupervisionRow> {
    if (p.kind !== 'user' || !ISSUERS.includes(p.role))
      throw forbidden('only managers issue supervision orders');
    const { order } = await this.workOrders.getReadable(p, orderId);
    if (TERMINAL.has(order.status as Status))
      throw new AppError('invalid_transition', `cannot supervise an order that is ${order.status}`, {
        status: order.status,
      });
    const reason = input.reason.trim();
    if (reason === '') throw invalidInput('reason', 'say why the order is supervised');
    const now = this.deps.clock.now();
    const dueAt = supervisionDeadline(now.getTime(), input, this.settings.supervisionDueMinutes);
    const at = now.toISOString();
    const id = await this.db
      .transaction()
      .execute((trx) =>
        this.issueInTransaction(trx, order, { reason, dueAt, actor: actorOf(p), level: null, at }),
      );
    return (await repo.findSupervision(this.db, id)) as SupervisionRow;
  }

  /** Issues a supervision inside the caller's transaction (also used by escalation). */
  async issueInTransaction(
    trx: Kysely<DB>,
    order: WorkOrderRow,
    s: { reason: string; dueAt: string; actor: Actor; level: string | null; at: string },
  ): Promise<string> {
    const id = newId(Date.parse(s.at));
    await repo.insertSupervision(trx, {
      id,
      work_order_id: order.id,
      community_id: order.community_id,
      level: s.level,
      issued_by: s.actor.label,
      issued_by_name: s.actor.name,
      reason: s.reason,
      due_at: s.dueAt,
      status: 'open',
      response: null,
      responded_by: null,
      responded_by_name: null,
      responded_at: null,
      created_at: s.at,
    });
    await repo.scheduleTimer(
      trx,
      newId(),
      {
        key: `supervision:${id}`,
        kind: 'supervision',
        workOrderId: order.id,
        communityId: order.community_id,
        dueAt: s.dueAt,
        payload: { supervisionId: id },
      },
      s.at,
    );
    const data = { supervisionId: id, dueAt: s.dueAt, level: s.level };
    await recordOrderChange(trx, this.deps.database.dialect, {
      order,
      type: 'supervision_issued',
      action: 'sla.supervision_issued',
      actor: s.actor,
      note: s.reason,
      data,
      at: s.at,
    });
    const handlers = [
      ...(order.assignee_id ? [order.assignee_id] : []),
      ...(await repo.usersWithRoles(trx, order.community_id, ['dispatcher'])).map((u) => u.id),
    ];
    await notifyUsers(
      trx,
      handlers,
      {
        template: 'supervision_issued',
        key: `supervision_issued:${id}`,
        urgent: true,
        payload: {
          orderId: order.id,
          number: order.number,
          reason: s.reason,
          dueAt: s.dueAt,
          supervisionId: id,
        },
      },
      s.at,
    );
    await emitWebhookEvent(
      trx,
      order.community_id,
      'sla.supervision_issued',
      { orderId: order.id, number: order.number, ...data },
      `supervision_issued:${id}`,
      s.at,
    );
    return id;
  }

  /** The handling side answers a supervision (also after it turned overdue). */
  async respond(p: Principal, id: string, response: string): Promise<SupervisionRow> {
    const s = await repo.findSupervision(this.db, id);
    if (!s || !communitiesOf(p).includes(s.community_id)) throw notFound('not_found', 'supervision', id);
    const order = await findOrder(this.db, s.work_order_id);
    // Whoever may not read the order (residents, other field staff) is told nothing exists.
    if (!order || p.kind !== 'user' || !canReadOrder(p, orderFacts(order)))
      throw notFound('not_found', 'supervision', id);
    if (!(RESPONDERS.includes(p.role) || order.assignee_id === p.id))
      throw forbidden('the assignee, dispatchers and managers answer supervision orders');
    const text = response.trim();
    if (text === '') throw invalidInput('response', 'the response is empty');
    if (s.status === 'responded')
      throw new AppError('conflict', 'this supervision was already answered', { id });
    if (s.status === 'withdrawn')
      throw new AppError('conflict', 'this supervision was withdrawn: its order has left', { id });
    if (s.status === 'folded')
      throw new AppError(
        'conflict',
        'this supervision was folded into the open supervision of the order its order was merged into: answer that one',
        { id },
      );
    const at = this.deps.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const ok = await repo.updateSupervision(trx, id, ['open', 'overdue'], {
        status: 'responded',
        response: text,
        responded_by: p.id,
        responded_by_name: p.name,
        responded_at: at,
      });
      if (!ok) throw new AppError('conflict', 'this supervision was already answered', { id });
      await repo.cancelTimerByKey(trx, `supervision:${id}`);
      const late = at > s.due_at;
      await recordOrderChange(trx, this.deps.database.dialect, {
        order,
        type: 'supervision_responded',
        action: 'sla.supervision_responded',
        actor: actorOf(p),
        note: text,
        data: { supervisionId: id, late },
        at,
      });
      const managers = (await repo.usersWithRoles(trx, order.community_id, ['manager'])).map((u) => u.id);
      await notifyUsers(
        trx,
        managers,
        {
          template: 'supervision_responded',
          key: `supervision_responded:${id}`,
          payload: { orderId: order.id, number: order.number, response: text, supervisionId: id, late },
        },
        at,
      );
    });
    return (await repo.findSupervision(this.db, id)) as SupervisionRow;
  }

  async list(
    p: Principal,
    f: {
      community?: string | undefined;
      status?: string | undefined;
      orderId?: string | undefined;
      limit: number;
    },
  ): Promise<SupervisionRow[]> {
    const communityIds = scopedCommunities(p, f.community);
    const fieldStaff = !seesWholeCommunity(p);
    const rows = await repo.listSupervisions(this.db, {
      communityIds,
      status: f.status,
      orderId: f.orderId,
      limit: fieldStaff ? Math.max(f.limit, FIELD_STAFF_SCAN) : f.limit,
    });
    return (await onlyReadableOrders(this.db, p, rows)).slice(0, f.limit);
  }

  private async onDue(trx: Kysely<DB>, timer: TimerRow, now: string): Promise<void> {
    const { supervisionId } = JSON.parse(timer.payload_json) as { supervisionId: string };
    const s = await repo.findSupervision(trx, supervisionId);
    if (!s || s.status !== 'open') return;
    const order = await findOrder(trx, s.work_order_id);
    if (!order) return;
    // The order left before the deadline (closed, cancelled, referred, merged…): nothing is
    // overdue and nobody is alerted; the supervision is withdrawn. Managers used to get an urgent
    // "督办已逾期未回复" for a cancelled order.
    if (TERMINAL.has(order.status as Status)) {
      await this.withdraw(trx, s, order, now);
      return;
    }
    await repo.updateSupervision(trx, s.id, ['open'], { status: 'overdue' });
    const data = { supervisionId: s.id, dueAt: s.due_at };
    await recordOrderChange(trx, this.deps.database.dialect, {
      order,
      type: 'supervision_overdue',
      action: 'sla.supervision_overdue',
      actor: { type: 'system', id: null, name: 'SLA', label: 'system:sla' },
      data,
      at: now,
    });
    const managers = (await repo.usersWithRoles(trx, order.community_id, ['manager'])).map((u) => u.id);
    await notifyUsers(
      trx,
      [...managers, ...(order.assignee_id ? [order.assignee_id] : [])],
      {
        template: 'supervision_overdue',
        key: `supervision_overdue:${s.id}`,
        urgent: true,
        payload: { orderId: order.id, number: order.number, ...data },
      },
      now,
    );
    await emitWebhookEvent(
      trx,
      order.community_id,
      'sla.supervision_overdue',
      { orderId: order.id, number: order.number, ...data },
      `supervision_overdue:${s.id}`,
      now,
    );
  }
}

/**
 * Closing the loop with the resident: after resolve the resident is asked to confirm and rate
 * (the resolved message asks; a reminder follows); no answer → the order closes itself after N
 * days (a durable timer); a low rating or a reopen creates a return-visit (回访) task for staff;
 * some days after closure the resident gets a satisfaction question.
 */
import type { Kysely } from 'kysely';
import type { Deps } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { AppError, forbidden, invalidInput, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { SYSTEM, actorLabel, communitiesOf, scopedCommunities } from '../../platform/auth/principal.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { findOrder } from '../work-orders/work-order.repository.ts';
import type { WorkOrderRow } from '../work-orders/work-order.repository.ts';
import type { Action } from '../work-orders/work-order.machine.ts';
import type { LifecycleHooks, WorkOrderService } from '../work-orders/work-order.service.ts';
import { notifyResident, notifyUsers, residentOf } from '../notifications/notify.ts';
import { recordOrderChange } from '../sla/sla.record.ts';
import type { Actor } from '../sla/sla.record.ts';
import { cancelTimers, scheduleTimer, usersWithRoles } from '../sla/sla.repository.ts';
import type { TimerRow } from '../sla/sla.repository.ts';
import type { SlaSettings } from '../sla/sla.settings.ts';
import type { TimerWorker } from '../sla/sla.timers.ts';
import { FIELD_STAFF_SCAN, onlyReadableOrders } from '../work-orders/work-order.readable.ts';
import { canReadOrder, orderFacts } from '../work-orders/work-order.policy.ts';
import { seesWholeCommunity } from '../work-orders/work-order.policy.ts';
import * as repo from './feedback.repository.ts';
import type { ReturnVisitRow, SurveyRow } from './feedback.repository.ts';

const DAY_MS = 86_400_000;
const LOOP_TIMERS = ['auto_close', 'reminder'];
const VISITORS = ['agent', 'dispatcher', 'manager', 'admin'];
export const VISIT_OUTCOMES = ['satisfied', 'unsatisfied', 'unreachable'] as const;
export type VisitOutcome = (typeof VISIT_OUTCOMES)[number];

const FEEDBACK_ACTOR: Actor = { type: 'system', id: null, name: '回访', label: 'system:feedback' };

function actorOf(p: Principal): Actor {
  return {
    type: p.kind === 'resident' ? 'resident' : p.kind === 'user' ? 'user' : 'system',
    id: 'id' in p ? p.id : null,
    name: p.name,
    label: actorLabel(p),
  };
}

export class FeedbackService {
  constructor(
    private readonly deps: Deps,
    private readonly workOrders: WorkOrderService,
    private readonly settings: SlaSettings,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  readonly hooks: LifecycleHooks = {
    onTransition: (trx, before, after, action, at) =>
      // A duplicate back in the queue (its target was cancelled) was never resolved: no return
      // visit about a fix that did not hold.
      action === 'reopen' && before.status === 'duplicate'
        ? Promise.resolve()
        : this.onTransition(trx, after, action, at, before.rating),
  };

  registerTimers(worker: TimerWorker): void {
    worker.onDeferred('auto_close', (timer) => this.onAutoClose(timer));
    worker.on('reminder', (trx, timer, now) => this.onReminder(trx, timer, now));
    worker.on('survey', (trx, timer, now) => this.onSurvey(trx, timer, now));
  }

  private async onTransition(
    trx: Kysely<DB>,
    order: WorkOrderRow,
    action: Action,
    at: string,
    /** The rating before this step: a reopen clears it, and its return visit records the one given. */
    ratingBefore: number | null,
  ): Promise<void> {
    const base = { workOrderId: order.id, communityId: order.community_id };
    if (action === 'resolve') {
      const days = this.settings.autoCloseDays;
      await scheduleTimer(
        trx,
        newId(),
        {
          ...base,
          key: `auto_close:${order.id}:${order.version}`,
          kind: 'auto_close',
          dueAt: new Date(Date.parse(at) + days * DAY_MS).toISOString(),
          payload: { version: order.version },
        },
        at,
      );
      if (days >= 2)
        await scheduleTimer(
          trx,
          newId(),
          {
            ...base,
            key: `reminder:${order.id}:${order.version}`,
            kind: 'reminder',
            dueAt: new Date(Date.parse(at) + (days - 1) * DAY_MS).toISOString(),
            payload: { version: order.version, days: 1 },
          },
          at,
        );
      return;
    }
    if (action === 'confirm' || action === 'auto_close' || action === 'reopen')
      await cancelTimers(trx, order.id, LOOP_TIMERS);
    if (action === 'confirm' || action === 'auto_close') {
      if (this.settings.surveyDays > 0)
        await scheduleTimer(
          trx,
          newId(),
          {
            ...base,
            key: `survey:${order.id}`,
            kind: 'survey',
            dueAt: new Date(Date.parse(at) + this.settings.surveyDays * DAY_MS).toISOString(),
            payload: {},
          },
          at,
        );
      if (action === 'confirm' && order.rating !== null && order.rating <= this.settings.lowRating)
        await this.createReturnVisit(trx, order, 'low_rating', order.rating, at);
    }
    if (action === 'reopen') await this.createReturnVisit(trx, order, 'reopen', ratingBefore, at);
  }

  private async createReturnVisit(
    trx: Kysely<DB>,
    order: WorkOrderRow,
    reason: string,
    rating: number | null,
    at: string,
  ): Promise<string> {
    const id = newId(Date.parse(at));
    const dueAt = new Date(Date.parse(at) + this.settings.returnVisitDays * DAY_MS).toISOString();
    await repo.insertReturnVisit(trx, {
      id,
      work_order_id: order.id,
      community_id: order.community_id,
      reason,
      rating,
      status: 'open',
      due_at: dueAt,
      outcome: null,
      satisfaction: null,
      note: null,
      created_at: at,
      completed_at: null,
      completed_by: null,
    });
    const data = { returnVisitId: id, reason, rating, dueAt };
    await recordOrderChange(trx, this.deps.database.dialect, {
      order,
      type: 'return_visit_created',
      action: 'feedback.return_visit_created',
      actor: FEEDBACK_ACTOR,
      data,
      at,
    });
    const staff = await usersWithRoles(trx, order.community_id, ['agent', 'dispatcher']);
    await notifyUsers(
      trx,
      staff.map((u) => u.id),
      {
        template: 'return_visit_created',
        key: `return_visit:${id}`,
        payload: { orderId: order.id, number: order.number, ...data },
      },
      at,
    );
    return id;
  }

  /** Closes a resolved order nobody answered; a no-op when it moved on meanwhile (idempotent). */
  private async onAutoClose(timer: TimerRow): Promise<void> {
    if (!timer.work_order_id) return;
    const { version } = JSON.parse(timer.payload_json) as { version: number };
    const order = await findOrder(this.db, timer.work_order_id);
    if (!order || order.status !== 'resolved' || order.version !== version) return;
    try {
      await this.workOrders.act(SYSTEM, order.id, 'auto_close', { version });
    } catch (err) {
      if (err instanceof AppError && (err.code === 'version_conflict' || err.code === 'invalid_transition'))
        return;
      throw err;
    }
  }

  private async onReminder(trx: Kysely<DB>, timer: TimerRow, now: string): Promise<void> {
    const order = timer.work_order_id ? await findOrder(trx, timer.work_order_id) : undefined;
    const { version, days } = JSON.parse(timer.payload_json) as { version: number; days: number };
    if (!order || order.status !== 'resolved' || order.version !== version) return;
    await notifyResident(trx, order, 'rate_reminder', { days }, `rate_reminder:${order.id}:${version}`, now);
  }

  private async onSurvey(trx: Kysely<DB>, timer: TimerRow, now: string): Promise<void> {
    const order = timer.work_order_id ? await findOrder(trx, timer.work_order_id) : undefined;
    if (!order || order.status !== 'closed') return;
    const residentId = residentOf(order);
    if (!residentId) return;
    const id = newId(Date.parse(now));
    const inserted = await repo.insertSurvey(trx, {
      id,
      work_order_id: order.id,
      community_id: order.community_id,
      resident_id: residentId,
      channel: 'pending',
      sent_at: now,
      answered_at: null,
      score: null,
      comment: null,
    });
    if (!inserted) return;
    const channel = await notifyResident(
      trx,
      order,
      'satisfaction_survey',
      { surveyId: id },
      `survey:${id}`,
      now,
    );
    await recordOrderChange(trx, this.deps.database.dialect, {
      order,
      type: 'survey_sent',
      action: 'feedback.survey_sent',
      actor: FEEDBACK_ACTOR,
      data: { surveyId: id, channel },
      at: now,
    });
    await repo.setSurveyChannel(trx, id, channel ?? 'none');
  }

  // ── API ────────────────────────────────────────────────────────────────────
  async listReturnVisits(
    p: Principal,
    f: {
      community?: string | undefined;
      status?: string | undefined;
      orderId?: string | undefined;
      limit: number;
    },
  ): Promise<ReturnVisitRow[]> {
    const communityIds = scopedCommunities(p, f.community);
    const rows = await repo.listReturnVisits(this.db, {
      communityIds,
      status: f.status,
      orderId: f.orderId,
      limit: seesWholeCommunity(p) ? f.limit : Math.max(f.limit, FIELD_STAFF_SCAN),
    });
    // Field staff see the return visits of the orders they may open, as in the order list.
    return (await onlyReadableOrders(this.db, p, rows)).slice(0, f.limit);
  }

  async completeReturnVisit(
    p: Principal,
    id: string,
    input: { outcome: VisitOutcome; satisfaction?: number | undefined; note?: string | undefined },
  ): Promise<ReturnVisitRow> {
    const v = await repo.findReturnVisit(this.db, id);
    if (!v || !communitiesOf(p).includes(v.community_id)) throw notFound('not_found', 'return visit', id);
    const order = await findOrder(this.db, v.work_order_id);
    // Whoever may not read the order (residents, other field staff) is told nothing exists.
    if (!order || p.kind !== 'user' || !canReadOrder(p, orderFacts(order)))
      throw notFound('not_found', 'return visit', id);
    if (!VISITORS.includes(p.role)) throw forbidden('agents, dispatchers and managers make return visits');
    if (v.status !== 'open') throw new AppError('conflict', 'this return visit is already done', { id });
    const s = input.satisfaction;
    if (s !== undefined && !(Number.isInteger(s) && s >= 1 && s <= 5))
      throw invalidInput('satisfaction', 'satisfaction is an integer from 1 to 5');
    const at = this.deps.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const ok = await repo.completeReturnVisit(trx, id, {
        outcome: input.outcome,
        satisfaction: s ?? null,
        note: input.note ?? null,
        completed_at: at,
        completed_by: p.id,
      });
      if (!ok) throw new AppError('conflict', 'this return visit is already done', { id });
      await recordOrderChange(trx, this.deps.database.dialect, {
        order,
        type: 'return_visit_done',
        action: 'feedback.return_visit_done',
        actor: actorOf(p),
        note: input.note ?? null,
        data: { returnVisitId: id, outcome: input.outcome, satisfaction: s ?? null },
        at,
      });
    });
    return (await repo.findReturnVisit(this.db, id)) as ReturnVisitRow;
  }

  async mySurveys(p: Principal, pendingOnly: boolean): Promise<SurveyRow[]> {
    if (p.kind !== 'resident') throw forbidden('surveys are answered by residents');
    return repo.surveysOf(this.db, p.id, pendingOnly);
  }

  async answerSurvey(
    p: Principal,
    id: string,
    input: { score: number; comment?: string | undefined },
  ): Promise<SurveyRow> {
    const s = await repo.findSurvey(this.db, id);
    if (!s || p.kind !== 'resident' || s.resident_id !== p.id) throw notFound('not_found', 'survey', id);
    if (!(Number.isInteger(input.score) && input.score >= 1 && input.score <= 5))
      throw invalidInput('score', 'score is an integer from 1 to 5');
    if (s.answered_at !== null) throw new AppError('conflict', 'this survey was already answered', { id });
    const order = await findOrder(this.db, s.work_order_id);
    if (!order) throw notFound('not_found', 'survey', id);
    const at = this.deps.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      const ok = await repo.answerSurvey(trx, id, { score: input.score, comment: input.comment ?? null, at });
      if (!ok) throw new AppError('conflict', 'this survey was already answered', { id });
      await recordOrderChange(trx, this.deps.database.dialect, {
        order,
        type: 'survey_answered',
        action: 'feedback.survey_answered',
        actor: actorOf(p),
        note: input.comment ?? null,
        data: { surveyId: id, score: input.score },
        at,
      });
      if (input.score <= this.settings.lowRating)
        await this.createReturnVisit(trx, order, 'low_satisfaction', input.score, at);
    });
    return (await repo.findSurvey(this.db, id)) as SurveyRow;
  }
}

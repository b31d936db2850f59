import type { Static } from '@sinclair/typebox';
import type { Principal } from '../../platform/auth/principal.ts';
import { freeTextFor } from '../../platform/auth/privacy.ts';
import type { StoredPolicy } from './sla.metrics.ts';
import type { MetricsRow, SupervisionRow } from './sla.repository.ts';
import type { DeadlineItem, OrderSlaView, PolicyView, SupervisionView } from './sla.schema.ts';
import type { SlaViews } from './sla.views.ts';

export function presentPolicy(p: StoredPolicy): Static<typeof PolicyView> {
  return { ...p, escalationChain: [...p.escalationChain] };
}

/** A supervision as the viewer may read it: contact data typed into its reason and response blanked for them. */
export function presentSupervision(viewer: Principal, s: SupervisionRow): Static<typeof SupervisionView> {
  const text = freeTextFor(viewer);
  return {
    id: s.id,
    orderId: s.work_order_id,
    communityId: s.community_id,
    level: s.level,
    issuedBy: s.issued_by_name,
    reason: text(s.reason),
    dueAt: s.due_at,
    status: s.status,
    response: text(s.response),
    respondedBy: s.responded_by_name,
    respondedAt: s.responded_at,
    createdAt: s.created_at,
  };
}

type DeadlineRow = Awaited<ReturnType<SlaViews['overdue']>>[number];

export function presentDeadline(r: DeadlineRow, now: number): Static<typeof DeadlineItem> {
  const firstResponsePending = r.first_response_at === null && r.first_response_due_at !== null;
  return {
    orderId: r.work_order_id,
    number: r.number,
    status: r.status,
    slaStatus: r.sla_status,
    communityId: r.community_id,
    gridId: r.grid_id,
    assigneeId: r.assignee_id,
    category: r.category,
    priority: r.priority,
    clock: firstResponsePending ? 'first_response' : 'resolution',
    dueAt: r.next_due_at,
    minutesLeft: Math.floor((Date.parse(r.next_due_at) - now) / 60_000),
    escalationLevel: r.escalation_level,
  };
}

const flag = (v: number | null) => (v === null ? null : v === 1);

export function presentOrderSla(
  viewer: Principal,
  v: Awaited<ReturnType<SlaViews['ofOrder']>>,
): Static<typeof OrderSlaView> {
  const m: MetricsRow | null = v.metrics;
  return {
    orderId: v.order.id,
    number: v.order.number,
    sla: m && {
      policyId: m.policy_id,
      calendarId: m.calendar_id,
      status: m.sla_status,
      firstResponse: {
        dueAt: m.first_response_due_at,
        at: m.first_response_at,
        businessMinutes: Number(m.first_response_minutes),
        met: flag(m.first_response_met),
        warnedAt: m.first_response_warned_at,
        breachedAt: m.first_response_breached_at,
      },
      resolution: {
        dueAt: m.resolution_due_at,
        at: m.resolution_at,
        businessMinutes: Number(m.resolution_minutes),
        met: flag(m.resolution_met),
        warnedAt: m.resolution_warned_at,
        breachedAt: m.resolution_breached_at,
      },
      updateDueAt: m.update_due_at,
      pausedMinutes: Number(m.paused_minutes),
      pausedWallMinutes: Number(m.paused_wall_minutes),
      reopenCount: Number(m.reopen_count),
      escalationLevel: m.escalation_level,
    },
    escalations: v.escalations.map((e) => ({ level: e.level, clock: e.clock, at: e.created_at })),
    supervisions: v.supervisions.map((s) => presentSupervision(viewer, s)),
    pendingTimers: v.timers.map((t) => ({ kind: t.kind, dueAt: t.due_at })),
  };
}

/** Read side of the SLA: overdue and due-soon lists, compliance reports, one order's SLA. */
import type { Deps } from '../../platform/context.ts';
import { forbidden } from '../../platform/errors.ts';
import { communitiesOf } from '../../platform/auth/principal.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import type { WorkOrderService } from '../work-orders/work-order.service.ts';
import { seesWholeCommunity } from '../work-orders/work-order.policy.ts';
import * as repo from './sla.repository.ts';
import type { ComplianceDimension, MetricsFilter } from './sla.repository.ts';
import type { SlaSettings } from './sla.settings.ts';
import { expandClockTimers } from './sla.clock-timer.ts';

export interface ScopeQuery {
  community?: string | undefined;
  assignee?: string | undefined;
  grid?: string | undefined;
}

const rate = (met: number, breached: number) =>
  met + breached === 0 ? null : Math.round((met / (met + breached)) * 1000) / 1000;

export class SlaViews {
  constructor(
    private readonly deps: Deps,
    private readonly workOrders: WorkOrderService,
    private readonly settings: SlaSettings,
  ) {}

  private get db() {
    return this.deps.database.db;
  }

  nowMs(): number {
    return this.deps.clock.now().getTime();
  }

  /** Staff see their communities; field staff (grid workers, providers) only their own work. */
  private filter(p: Principal, q: ScopeQuery): MetricsFilter {
    if (p.kind !== 'user') throw forbidden('staff only');
    let communityIds = communitiesOf(p);
    if (q.community) {
      if (!communityIds.includes(q.community)) throw forbidden('you do not serve this community');
      communityIds = [q.community];
    }
    return {
      communityIds,
      assigneeId: q.assignee,
      gridId: q.grid,
      ...(seesWholeCommunity(p)
        ? {}
        : { scopeUser: { userId: p.id, gridIds: p.role === 'grid_worker' ? p.gridIds : [] } }),
    };
  }

  async overdue(p: Principal, q: ScopeQuery & { limit: number }) {
    const now = this.deps.clock.now().toISOString();
    return repo.listByDeadline(this.db, this.filter(p, q), { before: now }, q.limit);
  }

  async dueSoon(p: Principal, q: ScopeQuery & { withinMinutes?: number | undefined; limit: number }) {
    const now = this.deps.clock.now();
    const within = q.withinMinutes ?? this.settings.dueSoonMinutes;
    const before = new Date(now.getTime() + within * 60_000).toISOString();
    return repo.listByDeadline(this.db, this.filter(p, q), { before, notBefore: now.toISOString() }, q.limit);
  }

  async compliance(
    p: Principal,
    q: ScopeQuery & { by: ComplianceDimension; from?: string | undefined; to?: string | undefined },
  ) {
    const rows = await repo.compliance(this.db, this.filter(p, q), q.by, { from: q.from, to: q.to });
    const labels = await repo.labelsFor(
      this.db,
      q.by,
      rows.map((r) => String(r.key ?? '')),
    );
    return rows.map((r) => {
      const key = r.key === null || r.key === undefined ? null : String(r.key);
      const frMet = Number(r.fr_met ?? 0);
      const frBreached = Number(r.fr_breached ?? 0);
      const resMet = Number(r.res_met ?? 0);
      const resBreached = Number(r.res_breached ?? 0);
      const avg = r.avg_resolution_minutes === null ? null : Number(r.avg_resolution_minutes);
      return {
        key,
        label: key === null ? null : (labels.get(key) ?? key),
        total: Number(r.total),
        firstResponse: { met: frMet, breached: frBreached, rate: rate(frMet, frBreached) },
        resolution: { met: resMet, breached: resBreached, rate: rate(resMet, resBreached) },
        openBreached: Number(r.open_breached ?? 0),
        avgResolutionMinutes: avg === null ? null : Math.round(avg * 10) / 10,
        pausedMinutes: Math.round(Number(r.paused_minutes ?? 0)),
      };
    });
  }

  /** One order's stored SLA, its escalations, supervisions and pending timers (staff who may read it). */
  async ofOrder(p: Principal, orderId: string) {
    if (p.kind !== 'user') throw forbidden('staff only');
    const { order } = await this.workOrders.getReadable(p, orderId);
    const [metrics, escalations, supervisions, timers] = await Promise.all([
      repo.findMetrics(this.db, order.id),
      repo.escalationsOf(this.db, order.id),
      repo.listSupervisions(this.db, { communityIds: [order.community_id], orderId: order.id, limit: 100 }),
      repo.timersOf(this.db, order.id),
    ]);
    return {
      order,
      metrics: metrics ?? null,
      escalations,
      supervisions,
      timers: expandClockTimers(timers.filter((t) => t.status === 'pending')),
    };
  }
}

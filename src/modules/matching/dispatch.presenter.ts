import type { Static } from '@sinclair/typebox';
import type { AssignmentsView, CandidatesView } from './dispatch.schema.ts';
import type { DispatchService } from './dispatch.service.ts';

type CandidatesResult = Awaited<ReturnType<DispatchService['candidates']>>;
type HistoryResult = Awaited<ReturnType<DispatchService['history']>>;

const round = (x: number, digits = 4): number => Math.round(x * 10 ** digits) / 10 ** digits;

export function presentCandidates(
  svc: DispatchService,
  r: CandidatesResult,
  limit: number,
  now: Date,
): Static<typeof CandidatesView> {
  const { order, snap, loads, om, ranked, rule, pick } = r;
  const candidates = ranked.candidates.slice(0, limit).map((c, i) => {
    const row = snap.byCode.get(c.code);
    const load = (row && loads.byResource.get(row.id)) ?? { open: 0, today: 0, recentAssignments: 0 };
    const parts: Record<string, { value: number; weight: number; contribution: number; detail: string }> = {};
    for (const [name, p] of Object.entries(c.parts)) {
      parts[name] = {
        value: round(p.value),
        weight: p.weight,
        contribution: round(p.contribution),
        detail: p.detail,
      };
    }
    return {
      rank: i + 1,
      resourceId: row?.id ?? '',
      code: c.code,
      name: c.resource.name,
      type: c.resource.type,
      score: round(c.score),
      distanceM: Math.round(c.distanceM),
      matchedKeywords: c.matchedKeywords,
      parts,
      load: { open: load.open, today: load.today, recent: load.recentAssignments },
      capacity: c.resource.capacity,
      staff: svc.staffOnDuty(snap, c.code, now).map(({ s, onDuty }) => ({
        userId: s.userId,
        name: s.name,
        onDuty,
        openOrders: loads.byUser.get(s.userId)?.open ?? 0,
      })),
    };
  });
  return {
    orderId: order.id,
    communityId: order.community_id,
    location: { ...om.match.location, source: om.locationSource },
    keywords: ranked.keywords,
    rule: {
      id: rule.id,
      name: rule.name,
      mode: rule.mode,
      strategy: rule.strategy,
      acceptTimeoutS: rule.acceptTimeoutS,
    },
    candidates,
    rejected: ranked.rejected.map((x) => ({
      code: x.code,
      name: snap.byCode.get(x.code)?.name ?? x.code,
      failures: x.failures,
    })),
    baseline: r.baseline.map((b, i) => ({
      rank: i + 1,
      code: b.resource.code,
      name: b.resource.name,
      score: round(b.score),
    })),
    suggestion: pick
      ? {
          lane: pick.lane,
          resourceCode: pick.resource.code,
          assigneeId: pick.person.userId,
          assigneeName: pick.person.name,
          reason: pick.reason,
        }
      : null,
  };
}

export function presentAssignments(h: HistoryResult): Static<typeof AssignmentsView> {
  return {
    orderId: h.order.id,
    assignments: h.rows.map((a) => {
      const resource = a.resource_id ? h.resources.get(a.resource_id) : undefined;
      return {
        id: a.id,
        userId: a.user_id,
        userName: h.names.get(a.user_id)?.display_name ?? null,
        resourceCode: resource?.code ?? null,
        resourceName: resource?.name ?? null,
        role: a.role,
        lane: a.lane,
        state: a.state,
        attempt: a.attempt,
        score: a.score === null ? null : round(a.score),
        reason: a.reason,
        assignedAt: a.assigned_at,
        deadlineAt: a.deadline_at,
        respondedAt: a.responded_at,
        responseNote: a.response_note,
      };
    }),
  };
}

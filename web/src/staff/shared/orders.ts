/** Order helpers shared by the staff apps: actions, assignees, SLA deadlines. */
import { api, qs } from '../../lib/api.ts';
import { loadFeatures } from '../../lib/features.ts';
import type { Action, GridCollection, Page, WorkOrder } from '../../lib/types.ts';

/** Applies a lifecycle action with the version the caller last saw. */
export function act(
  order: WorkOrder,
  action: Action,
  body: Record<string, unknown> = {},
): Promise<WorkOrder> {
  return api<WorkOrder>(`/api/v1/work-orders/${order.id}/actions/${action}`, {
    body: { version: order.version, ...body },
  });
}

export interface Person {
  id: string;
  name: string;
  role: string;
  /** Grids this person serves (grid workers). */
  grids: string[];
  /** Service teams (resources) the person works for. */
  teams: string[];
}

/** What tells a person apart from another of the same name: grids or teams. */
export function personDetail(p: Person): string {
  return [...p.grids, ...p.teams].join('、');
}

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function peopleFrom(payload: unknown): Person[] {
  const list = Array.isArray(payload)
    ? payload
    : isJson(payload) && Array.isArray(payload.items)
      ? payload.items
      : [];
  const out: Person[] = [];
  for (const x of list as unknown[]) {
    if (!isJson(x) || typeof x.id !== 'string') continue;
    const name =
      typeof x.name === 'string' ? x.name : typeof x.displayName === 'string' ? x.displayName : x.id;
    const role = typeof x.role === 'string' ? x.role : '';
    const strings = (v: unknown) =>
      Array.isArray(v) ? v.filter((g): g is string => typeof g === 'string') : [];
    if (['grid_worker', 'provider', 'volunteer'].includes(role))
      out.push({ id: x.id, name, role, grids: strings(x.grids), teams: strings(x.teams) });
  }
  return out;
}

const cache = new Map<string, Promise<Person[]>>();

/**
 * People work can be assigned to in a community: from a staff route when the server has one;
 * otherwise the grid workers of the grids and everyone who has been assigned orders recently.
 */
export function loadAssignees(communityId: string): Promise<Person[]> {
  let p = cache.get(communityId);
  if (!p) {
    p = (async () => {
      const features = await loadFeatures();
      if (features.staff) {
        const listed = peopleFrom(
          await api<unknown>(`${features.staff.path}${qs({ community: communityId })}`),
        );
        if (listed.length) return listed;
      }
      const byId = new Map<string, Person>();
      const grids = await api<GridCollection>(`/api/v1/communities/${communityId}/grids`);
      for (const f of grids.features) {
        for (const w of f.properties.workers) {
          const cur = byId.get(w.id) ?? { id: w.id, name: w.name, role: 'grid_worker', grids: [], teams: [] };
          cur.grids.push(f.properties.name);
          byId.set(w.id, cur);
        }
      }
      const recent = await api<Page<WorkOrder>>(
        `/api/v1/work-orders${qs({ community: communityId, limit: 200 })}`,
      );
      for (const o of recent.items) {
        if (o.assignee && !byId.has(o.assignee.id)) {
          byId.set(o.assignee.id, {
            id: o.assignee.id,
            name: o.assignee.name,
            role: o.assignee.role,
            grids: [],
            teams: [],
          });
        }
      }
      return [...byId.values()].sort((a, b) => a.role.localeCompare(b.role) || a.name.localeCompare(b.name));
    })();
    p.catch(() => cache.delete(communityId));
    cache.set(communityId, p);
  }
  return p;
}

/** A deadline from the SLA module's due-soon / overdue lists. */
export interface SlaEntry {
  orderId: string;
  dueAt: string;
  clock: string;
  slaStatus: string;
  escalationLevel: string | null;
}

/** Next deadlines of a community's open orders, keyed by order id (empty when the SLA routes are absent). */
export async function loadSla(communityId: string): Promise<Map<string, SlaEntry>> {
  const f = await loadFeatures();
  const out = new Map<string, SlaEntry>();
  for (const route of [f.slaDueSoon, f.slaOverdue]) {
    if (!route) continue;
    try {
      const page = await api<{ items: SlaEntry[] }>(
        `${route.path}${qs({ community: communityId, withinMinutes: 43200, limit: 500 })}`,
      );
      for (const e of page.items) out.set(e.orderId, e);
    } catch {
      // A missing or failing SLA list only hides the countdowns.
    }
  }
  return out;
}

/** The SLA clock a deadline field on the order belongs to (the SLA lists name it themselves). */
const CLOCK_OF_FIELD: Record<string, string> = {
  responseDueAt: 'first_response',
  firstResponseDueAt: 'first_response',
  respondBy: 'first_response',
  resolveDueAt: 'resolution',
  resolutionDueAt: 'resolution',
  resolveBy: 'resolution',
};

/** The deadline that matters now: from the SLA lists, or published on the order itself. */
export function slaDeadline(
  o: WorkOrder,
  entry?: SlaEntry,
): {
  at: Date;
  /** the SLA clock: first_response, resolution, update or deadline */ kind: string;
  paused: boolean;
  escalation: string | null;
} | null {
  if (entry) {
    return {
      at: new Date(entry.dueAt),
      kind: entry.clock,
      paused: entry.slaStatus === 'paused',
      escalation: entry.escalationLevel,
    };
  }
  const sla = o.sla ?? (isJson(o.attributes) && isJson(o.attributes.sla) ? o.attributes.sla : null);
  if (!isJson(sla)) return null;
  const paused = sla.paused === true || sla.state === 'paused';
  const prefer = o.acceptedAt
    ? ['resolveDueAt', 'resolutionDueAt', 'resolveBy', 'dueAt', 'deadline']
    : ['responseDueAt', 'firstResponseDueAt', 'respondBy', 'dueAt', 'deadline', 'resolveDueAt'];
  for (const k of prefer) {
    const v = sla[k];
    if (typeof v === 'string' && !Number.isNaN(Date.parse(v)))
      return { at: new Date(v), kind: CLOCK_OF_FIELD[k] ?? 'deadline', paused, escalation: null };
  }
  return null;
}

export const OPEN = ['submitted', 'accepted', 'dispatched', 'in_progress', 'waiting_on_resident'] as const;

/**
 * The model alone took this order for an emergency: it waits, high, for a person to confirm or
 * dismiss (only an emergency rule makes an order critical by itself).
 */
export function suspectedEmergency(o: WorkOrder): boolean {
  const explanation = o.classification?.explanation;
  return (
    o.urgency !== 'critical' &&
    typeof explanation === 'object' &&
    explanation !== null &&
    (explanation as Record<string, unknown>).suspectedEmergency === true
  );
}

/** Orders whose classification asks for a person to decide (or that nobody has looked at yet). */
export function needsTriage(o: WorkOrder): boolean {
  const c = o.classification;
  return o.status === 'submitted' && (!c || c.needsTriage === true || c.source === 'caller');
}

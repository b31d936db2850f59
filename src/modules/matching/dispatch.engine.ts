/**
 * Dispatch decisions over a community's catalogue snapshot and live loads: ranked candidates for
 * an order, the automatic choice (rules' balancing strategy among equals, then the person), and
 * the emergency choice (nearest on-duty responder). Reads only; writing is the caller's.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { WorkOrderRow } from '../work-orders/work-order.repository.ts';
import type { Urgency } from '../taxonomy/taxonomy.default.ts';
import { URGENCIES, topCategory } from '../taxonomy/taxonomy.default.ts';
import { chooseAssignee } from './load-balancing.ts';
import type { BalanceStrategy } from './load-balancing.ts';
import { emergencyDispatch } from './matching.emergency.ts';
import { rankCandidates } from './matching.rank.ts';
import type { RankResult } from './matching.rank.ts';
import { localMoment } from './matching.time.ts';
import type { LocalMoment } from './matching.time.ts';
import type { MatchOrder, ResourceLoad, ResourceProfile } from './matching.types.ts';
import { choosePerson } from './dispatch.person.ts';
import * as repo from './dispatch.repository.ts';
import type { CatalogueSnapshot, StaffMember } from './resource.service.ts';
import type { ResourceRow } from './resource.repository.ts';

/** Assignments in this window count as "recent" for the fairness part of the score. */
export const FAIRNESS_WINDOW_DAYS = 7;
const ZERO: ResourceLoad = { open: 0, today: 0, recentAssignments: 0 };

export interface Loads {
  byResource: ReadonlyMap<string, ResourceLoad>;
  byUser: ReadonlyMap<string, ResourceLoad>;
}

export interface Decision {
  resource: ResourceRow;
  person: StaffMember;
  personOnDuty: boolean;
  score: number | null;
  distanceM: number;
  reason: string;
  lane: 'auto' | 'emergency';
  equals: string[];
}

export interface OrderMatch {
  match: MatchOrder;
  moment: LocalMoment;
  /** Where the order's position came from. */
  locationSource: 'order' | 'community_centre';
}

/** The order as matching reads it; an order without a position is matched from the community centre. */
export function matchOrderOf(order: WorkOrderRow, snap: CatalogueSnapshot, now: Date): OrderMatch {
  const has = order.lat !== null && order.lng !== null;
  const urgency = (URGENCIES as readonly string[]).includes(order.urgency)
    ? (order.urgency as Urgency)
    : 'normal';
  const match: MatchOrder = {
    category: topCategory(order.category),
    text: order.description,
    location: has ? { lat: order.lat ?? 0, lng: order.lng ?? 0 } : snap.center,
    urgency,
    now,
    ...(order.subcategory ? { subcategory: order.subcategory } : {}),
  };
  return { match, moment: localMoment(now), locationSource: has ? 'order' : 'community_centre' };
}

/** Live loads of a community's resources and people. */
export async function loadsOf(db: Kysely<DB>, communityId: string, now: Date): Promise<Loads> {
  const day = localMoment(now).date;
  const dayStart = new Date(`${day}T00:00:00+08:00`).toISOString();
  const windowStart = new Date(now.getTime() - FAIRNESS_WINDOW_DAYS * 86_400_000).toISOString();
  const toLoad = (rows: repo.LoadCounts[]) =>
    new Map(rows.map((r) => [r.key, { open: r.open, today: r.today, recentAssignments: r.recent }]));
  const [byResource, byUser] = await Promise.all([
    repo.loadCounts(db, communityId, 'resource_id', dayStart, windowStart),
    repo.loadCounts(db, communityId, 'user_id', dayStart, windowStart),
  ]);
  return { byResource: toLoad(byResource), byUser: toLoad(byUser) };
}

export function resourceLoadOf(snap: CatalogueSnapshot, loads: Loads) {
  return (code: string): ResourceLoad => {
    const row = snap.byCode.get(code);
    return (row && loads.byResource.get(row.id)) ?? ZERO;
  };
}

export function rank(
  snap: CatalogueSnapshot,
  loads: Loads,
  om: OrderMatch,
  options: { includeRejected?: boolean; limit?: number } = {},
): RankResult {
  return rankCandidates(om.match, snap.index, {
    communityCode: snap.communityCode,
    loadOf: resourceLoadOf(snap, loads),
    ...options,
  });
}

export interface DecideOptions {
  strategy: BalanceStrategy;
  /** People already tried on this order (rejected, timed out). */
  exclude: ReadonlySet<string>;
  /** Round-robin memory: the code chosen last in this pool. */
  lastCode: string | undefined;
  poolKey: string;
}

/** The automatic choice: best candidates, balanced among equals, with a person who can take it. */
export function decideAuto(
  snap: CatalogueSnapshot,
  loads: Loads,
  om: OrderMatch,
  options: DecideOptions,
): Decision | undefined {
  const ranked = rank(snap, loads, om);
  const userLoad = (id: string) => loads.byUser.get(id);
  const viable = ranked.candidates.flatMap((c) => {
    const row = snap.byCode.get(c.code);
    if (!row) return [];
    const person = choosePerson(snap.staff.get(row.id) ?? [], c.resource, om.moment, {
      exclude: options.exclude,
      loadOf: userLoad,
    });
    return person ? [{ c, row, person }] : [];
  });
  if (viable.length === 0) return undefined;
  const load = resourceLoadOf(snap, loads);
  const balance = chooseAssignee(
    viable.map(({ c }) => ({
      code: c.code,
      score: c.score,
      load: load(c.code),
      capacity: c.resource.capacity,
    })),
    { lastByPool: options.lastCode ? { [options.poolKey]: options.lastCode } : {} },
    { poolKey: options.poolKey, strategy: options.strategy },
  );
  const chosen = viable.find((v) => v.c.code === balance.chosen) ?? viable[0];
  if (!chosen) return undefined;
  return {
    resource: chosen.row,
    person: chosen.person.person,
    personOnDuty: chosen.person.onDuty,
    score: chosen.c.score,
    distanceM: chosen.c.distanceM,
    reason: `${chosen.row.name}（得分 ${chosen.c.score.toFixed(3)}，${balance.reason}）`,
    lane: 'auto',
    equals: balance.equals,
  };
}

/** The emergency choice: the nearest on-duty responder with an on-duty person to name. */
export function decideEmergency(
  snap: CatalogueSnapshot,
  loads: Loads,
  om: OrderMatch,
  exclude: ReadonlySet<string>,
): Decision | undefined {
  const personFor = (p: ResourceProfile) => {
    const row = snap.byCode.get(p.code);
    if (!row) return undefined;
    const chosen = choosePerson(snap.staff.get(row.id) ?? [], p, om.moment, {
      exclude,
      onDutyOnly: true,
      loadOf: (id) => loads.byUser.get(id),
    });
    return chosen ? { row, chosen } : undefined;
  };
  // Only responders who can name an on-duty person now are considered.
  const staffed = snap.profiles.filter((p) => p.emergencyResponder && personFor(p) !== undefined);
  const em = emergencyDispatch(om.match, staffed, {
    communityCode: snap.communityCode,
    loadOf: resourceLoadOf(snap, loads),
  });
  if (!em) return undefined;
  const who = personFor(em.responder);
  if (!who) return undefined;
  return {
    resource: who.row,
    person: who.chosen.person,
    personOnDuty: true,
    score: null,
    distanceM: em.distanceM,
    reason: `紧急通道：${who.row.name}，${em.reason}`,
    lane: 'emergency',
    equals: [],
  };
}

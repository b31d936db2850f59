/**
 * Hard constraints: a resource that fails any of them is not a candidate, and each failure is named
 * so a dispatcher sees why (`outside_service_area`, `capacity_full`, …).
 *
 * Availability rule by urgency:
 * - critical: available *now* — the on-duty flag is set, or it is within opening hours;
 * - high: on duty, or open at some point between now and local midnight (same-day response);
 * - normal / low: no availability constraint (being open now only scores).
 *
 * Qualification rule: a required skill is met by `skills` or by a certificate whose `expiresOn` is
 * today or later; a skill met only by an expired certificate fails as `certificate_expired`. A
 * resource whose certificates have *all* expired fails as `certificate_expired` whatever the order
 * (its licence to operate has lapsed).
 */
import { containsPoint } from '../grids/geo.ts';
import { topCategory } from '../taxonomy/taxonomy.default.ts';
import type { LocalMoment } from './matching.time.ts';
import { isOpenAt, opensLaterToday } from './matching.time.ts';
import type { MatchOrder, ResourceLoad, ResourceProfile } from './matching.types.ts';

export type ConstraintCode =
  | 'category_not_served'
  | 'other_community'
  | 'outside_service_area'
  | 'capacity_full'
  | 'daily_quota_reached'
  | 'not_available_now'
  | 'closed_today'
  | 'certificate_expired'
  | 'missing_skill';

export interface ConstraintFailure {
  code: ConstraintCode;
  message: string;
}

/** How a resource serves the order's category: exactly its sub-category, its whole top category, or another sub-category under the same top (only when the order has no sub-category). */
export type CategoryFit = 'exact' | 'top' | 'within';

/** The order's sub-category, whether given as `subcategory` or as a dotted `category`. */
export function orderSubcategory(order: Pick<MatchOrder, 'category' | 'subcategory'>): string | undefined {
  if (order.subcategory) return order.subcategory;
  return order.category.includes('.') ? order.category : undefined;
}

export function categoryFit(
  order: Pick<MatchOrder, 'category' | 'subcategory'>,
  categories: readonly string[],
): CategoryFit | undefined {
  const sub = orderSubcategory(order);
  const top = topCategory(order.category);
  if (sub && categories.includes(sub)) return 'exact';
  if (categories.includes(top)) return 'top';
  if (!sub && categories.some((c) => topCategory(c) === top)) return 'within';
  return undefined;
}

export interface ConstraintContext {
  moment: LocalMoment;
  /** Metres from the resource to the order. */
  distanceM: number;
  /** The order's community, when the caller scopes candidates. */
  communityCode?: string;
}

export const ZERO_LOAD: ResourceLoad = { open: 0, today: 0, recentAssignments: 0 };

/** Every hard constraint the resource fails for this order; empty when it is a valid candidate. */
export function checkConstraints(
  order: MatchOrder,
  resource: ResourceProfile,
  load: ResourceLoad,
  ctx: ConstraintContext,
): ConstraintFailure[] {
  const failures: ConstraintFailure[] = [];
  if (!categoryFit(order, resource.categories)) {
    failures.push({
      code: 'category_not_served',
      message: `不服务 ${orderSubcategory(order) ?? order.category}`,
    });
  }
  if (ctx.communityCode !== undefined && resource.communityCode !== ctx.communityCode) {
    failures.push({ code: 'other_community', message: `属于社区 ${resource.communityCode}` });
  }
  const area = resource.serviceArea;
  if (area.kind === 'radius' ? ctx.distanceM > area.radiusM : !containsPoint(area.polygon, order.location)) {
    failures.push({
      code: 'outside_service_area',
      message:
        area.kind === 'radius'
          ? `工单距离 ${Math.round(ctx.distanceM)} 米，超出服务半径 ${area.radiusM} 米`
          : '工单不在服务范围内',
    });
  }
  if (load.open >= resource.capacity.concurrent) {
    failures.push({
      code: 'capacity_full',
      message: `在办 ${load.open} 单，已达同时处理上限 ${resource.capacity.concurrent}`,
    });
  }
  if (load.today >= resource.capacity.dailyQuota) {
    failures.push({
      code: 'daily_quota_reached',
      message: `今日已接 ${load.today} 单，已达每日上限 ${resource.capacity.dailyQuota}`,
    });
  }
  if (order.urgency === 'critical' && !resource.onDuty && !isOpenAt(resource.openingHours, ctx.moment)) {
    failures.push({
      code: 'not_available_now',
      message: '危急工单需要在岗或正在服务的力量',
    });
  }
  if (order.urgency === 'high' && !resource.onDuty && !opensLaterToday(resource.openingHours, ctx.moment)) {
    failures.push({ code: 'closed_today', message: '紧急工单需要今天还会服务的力量' });
  }
  const today = ctx.moment.date;
  const certs = resource.certificates;
  if (certs.length > 0 && certs.every((c) => c.expiresOn < today)) {
    failures.push({
      code: 'certificate_expired',
      message: `证书均已过期（${certs.map((c) => `${c.name} ${c.expiresOn}`).join('、')}）`,
    });
  }
  for (const skill of order.requiredSkills ?? []) {
    if (resource.skills.includes(skill)) continue;
    const cert = resource.certificates.find((c) => c.name === skill);
    if (cert && cert.expiresOn >= today) continue;
    failures.push(
      cert
        ? { code: 'certificate_expired', message: `${skill} 已于 ${cert.expiresOn} 过期` }
        : { code: 'missing_skill', message: `缺少 ${skill}` },
    );
  }
  return failures;
}

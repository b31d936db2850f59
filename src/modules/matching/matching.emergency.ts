/**
 * Emergency lane (pure): a critical order goes at once to the nearest emergency responder that is
 * on duty (or open now), inside its service area and still licensed. Responders serving the order's
 * category come first; when none can serve it, the nearest available responder of any category is
 * chosen and flagged `fallback` so someone is always sent. Capacity does not block an emergency;
 * the responder's load is reported instead. The grid and its grid worker are named alongside, so
 * dispatch can send both together.
 */
import { containsPoint, fastDistanceM } from '../grids/geo.ts';
import type { LatLng } from '../grids/geo.types.ts';
import { categoryFit } from './matching.constraints.ts';
import { isOpenAt, localMoment } from './matching.time.ts';
import type { MatchOrder, ResourceLoad, ResourceProfile } from './matching.types.ts';

export interface EmergencyOptions {
  communityCode?: string;
  timeZone?: string;
  loadOf?: (code: string) => ResourceLoad | undefined;
  /** Grid holding a point (e.g. a grid locator's `locate(p)?.code`). */
  gridOf?: (point: LatLng) => string | undefined;
  /** The grid worker on duty for a grid. */
  gridWorkerOf?: (gridCode: string) => string | undefined;
}

export interface EmergencyDispatch {
  responder: ResourceProfile;
  distanceM: number;
  /** True when no available responder serves the category and the nearest of any kind was chosen. */
  fallback: boolean;
  load: ResourceLoad | undefined;
  gridCode: string | undefined;
  gridWorker: string | undefined;
  reason: string;
}

/** The responder (and grid worker) for a critical order, or undefined when nobody is available. */
export function emergencyDispatch(
  order: MatchOrder,
  resources: readonly ResourceProfile[],
  options: EmergencyOptions = {},
): EmergencyDispatch | undefined {
  const moment = localMoment(order.now, options.timeZone);
  let best: { r: ResourceProfile; d: number; serves: boolean } | undefined;
  for (const r of resources) {
    if (!r.emergencyResponder) continue;
    if (options.communityCode !== undefined && r.communityCode !== options.communityCode) continue;
    if (!r.onDuty && !isOpenAt(r.openingHours, moment)) continue;
    if (r.certificates.length > 0 && r.certificates.every((c) => c.expiresOn < moment.date)) continue;
    const d = fastDistanceM(order.location, r.location);
    const area = r.serviceArea;
    if (area.kind === 'radius' ? d > area.radiusM : !containsPoint(area.polygon, order.location)) continue;
    const serves = categoryFit(order, r.categories) !== undefined;
    const better =
      !best ||
      (serves && !best.serves) ||
      (serves === best.serves && (d < best.d || (d === best.d && r.code < best.r.code)));
    if (better) best = { r, d, serves };
  }
  if (!best) return undefined;
  const gridCode = options.gridOf?.(order.location);
  const gridWorker = gridCode === undefined ? undefined : options.gridWorkerOf?.(gridCode);
  return {
    responder: best.r,
    distanceM: best.d,
    fallback: !best.serves,
    load: options.loadOf?.(best.r.code),
    gridCode,
    gridWorker,
    reason: best.serves
      ? `服务该类别的最近在岗救援力量，距离 ${Math.round(best.d)} 米`
      : `没有在岗救援力量服务该类别；最近的在岗救援力量，距离 ${Math.round(best.d)} 米`,
  };
}

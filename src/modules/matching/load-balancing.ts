/**
 * Load balancing among equally good candidates (pure; the balancer's memory is passed in and
 * returned, so the caller stores it where it likes).
 *
 * "Equals" are the candidates whose score is within `tieTolerance` of the best. Then:
 * - `least_loaded` (default): the equals with the lowest utilisation — open/concurrent, then
 *   today/dailyQuota — and round-robin among any still tied;
 * - `round_robin`: strict rotation over the equals in code order, ignoring load.
 * Rotation remembers the last code chosen per pool (e.g. per community × category) and picks the
 * next code after it, wrapping around; it stays fair when candidates come and go.
 */
import type { Capacity, ResourceLoad } from './matching.types.ts';

export type BalanceStrategy = 'least_loaded' | 'round_robin';

export interface BalancerState {
  /** Pool key → code chosen last. */
  readonly lastByPool: Readonly<Record<string, string>>;
}

export const EMPTY_BALANCER_STATE: BalancerState = { lastByPool: {} };

export interface BalanceCandidate {
  code: string;
  score: number;
  load: ResourceLoad;
  capacity: Capacity;
}

export interface BalanceOptions {
  poolKey: string;
  strategy?: BalanceStrategy;
  /** Scores within this of the best count as equal (default 0.02). */
  tieTolerance?: number;
}

export interface BalanceDecision {
  chosen: string | undefined;
  /** The equals considered, in code order. */
  equals: string[];
  reason: string;
  state: BalancerState;
}

const utilisation = (c: BalanceCandidate): [number, number] => [
  c.load.open / Math.max(1, c.capacity.concurrent),
  c.load.today / Math.max(1, c.capacity.dailyQuota),
];

/** Choose one assignee among ranked candidates. */
export function chooseAssignee(
  candidates: readonly BalanceCandidate[],
  state: BalancerState,
  options: BalanceOptions,
): BalanceDecision {
  if (candidates.length === 0) return { chosen: undefined, equals: [], reason: '没有可选的处理人', state };
  const tolerance = options.tieTolerance ?? 0.02;
  const best = Math.max(...candidates.map((c) => c.score));
  const equals = candidates
    .filter((c) => c.score >= best - tolerance)
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  let pool = equals;
  let reason = `${equals.length} 个同分候选轮流分配`;
  if ((options.strategy ?? 'least_loaded') === 'least_loaded') {
    const EPS = 1e-9;
    const minOpen = Math.min(...equals.map((c) => utilisation(c)[0]));
    pool = equals.filter((c) => utilisation(c)[0] <= minOpen + EPS);
    const minToday = Math.min(...pool.map((c) => utilisation(c)[1]));
    pool = pool.filter((c) => utilisation(c)[1] <= minToday + EPS);
    reason =
      pool.length === 1
        ? `${equals.length} 个同分候选中负载最低`
        : `${equals.length} 个同分候选中 ${pool.length} 个负载最低，轮流分配`;
  }
  const last = state.lastByPool[options.poolKey];
  const next = (last === undefined ? undefined : pool.find((c) => c.code > last)) ?? pool[0];
  const chosen = next?.code;
  const newState: BalancerState =
    chosen === undefined ? state : { lastByPool: { ...state.lastByPool, [options.poolKey]: chosen } };
  return { chosen, equals: equals.map((c) => c.code), reason, state: newState };
}

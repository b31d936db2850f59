/**
 * SLA policies: targets per category × priority band (optionally per channel or community),
 * their validation, and the choice of the policy that governs an order.
 */
import { addBusinessMinutes } from './business-time.ts';
import type { BusinessCalendar } from './calendar.ts';
import { validateEscalationChains } from './escalation.ts';
import type { EscalationChain } from './escalation.ts';
import { issue } from './sla.errors.ts';
import type { SlaIssue, SlaResult } from './sla.errors.ts';

export const PRIORITY_BANDS = ['P1', 'P2', 'P3', 'P4'] as const;
export type PriorityBand = (typeof PRIORITY_BANDS)[number];
export const DEFAULT_WARN_AT_RATIO = 0.75;
/** The longest target a policy may set: a year of minutes (a supervision's longest deadline too). */
export const MAX_TARGET_MINUTES = 525_600;

export interface SlaPolicy {
  id: string;
  /** A top category code (`basic_living`), a sub-category code (`basic_living.elevator`) or `*`. */
  category: string;
  priorityBand: PriorityBand | '*';
  channel?: string;
  communityId?: string;
  calendarId: string;
  /** Business minutes from submission to acceptance. */
  firstResponseMinutes: number;
  /** Business minutes from submission to resolution, pauses excluded. */
  resolutionMinutes: number;
  /** Business minutes allowed between progress updates while the order is open. */
  updateIntervalMinutes?: number;
  /** Share of a target after which a due-soon warning fires; 0.75 when omitted. */
  warnAtRatio?: number;
  escalationChain: EscalationChain;
}

/** What the policy choice looks at on an order. */
export interface OrderScope {
  /** Sub-category (`top.sub`) or top category code. */
  category: string;
  priorityBand: PriorityBand;
  channel?: string;
  communityId?: string;
}

const isPositiveTarget = (n: unknown): n is number =>
  typeof n === 'number' && Number.isFinite(n) && n > 0 && n <= MAX_TARGET_MINUTES;
const scopeKey = (p: SlaPolicy): string =>
  [p.category, p.priorityBand, p.channel ?? '*', p.communityId ?? '*'].join('|');

/** Field-level checks of one policy; `prefix` is prepended to every field path. */
export function validatePolicy(policy: SlaPolicy, prefix = ''): SlaIssue[] {
  const errors: SlaIssue[] = [];
  const at = (field: string) => `${prefix}${field}`;
  for (const key of ['id', 'category', 'calendarId'] as const) {
    const value: unknown = policy[key];
    if (typeof value !== 'string' || value.trim() === '')
      errors.push(issue('policy_invalid_field', at(key), `${key} must be a non-empty string`));
  }
  if (policy.priorityBand !== '*' && !PRIORITY_BANDS.includes(policy.priorityBand))
    errors.push(
      issue('policy_invalid_field', at('priorityBand'), "priorityBand must be P1, P2, P3, P4 or '*'"),
    );
  for (const key of ['channel', 'communityId'] as const) {
    const value: unknown = policy[key];
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '' || value === '*'))
      errors.push(issue('policy_invalid_field', at(key), `${key} is a name, or omitted to match any`));
  }
  for (const key of ['firstResponseMinutes', 'resolutionMinutes'] as const) {
    if (!isPositiveTarget(policy[key]))
      errors.push(
        issue(
          'policy_bad_target',
          at(key),
          `${key} must be a positive number of minutes, at most ${MAX_TARGET_MINUTES} (a year)`,
        ),
      );
  }
  if (policy.updateIntervalMinutes !== undefined && !isPositiveTarget(policy.updateIntervalMinutes))
    errors.push(
      issue(
        'policy_bad_target',
        at('updateIntervalMinutes'),
        `updateIntervalMinutes must be positive when set, at most ${MAX_TARGET_MINUTES} (a year)`,
      ),
    );
  if (
    isPositiveTarget(policy.firstResponseMinutes) &&
    isPositiveTarget(policy.resolutionMinutes) &&
    policy.firstResponseMinutes > policy.resolutionMinutes
  )
    errors.push(
      issue(
        'policy_bad_target',
        at('firstResponseMinutes'),
        'the first response cannot be due after the resolution',
      ),
    );
  const ratio = policy.warnAtRatio;
  if (ratio !== undefined && !(typeof ratio === 'number' && ratio > 0 && ratio < 1))
    errors.push(
      issue('policy_bad_ratio', at('warnAtRatio'), 'warnAtRatio must lie strictly between 0 and 1'),
    );
  if (!Array.isArray(policy.escalationChain))
    errors.push(issue('escalation_bad_step', at('escalationChain'), 'escalationChain must be a list'));
  return errors;
}

/**
 * The targets (business minutes by field name) that `calendar` cannot place as a deadline from
 * `from`: more working time than it holds in the ten years the arithmetic looks ahead. Such a
 * target would fail every order it applies to, so a policy with one is refused.
 */
export function unreachableTargets(
  calendar: BusinessCalendar,
  from: number,
  targets: Readonly<Record<string, number | undefined>>,
): SlaIssue[] {
  const errors: SlaIssue[] = [];
  for (const [field, minutes] of Object.entries(targets)) {
    if (minutes === undefined) continue;
    try {
      addBusinessMinutes(calendar, from, minutes);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      errors.push(
        issue(
          'policy_bad_target',
          field,
          `calendar ${calendar.id} does not hold ${minutes} minutes of working time within ten years`,
        ),
      );
    }
  }
  return errors;
}

/**
 * Validates a whole policy set: each policy's fields, unique ids, no two policies with the same
 * scope (category, band, channel, community), calendars that exist (when `calendarIds` is
 * given) and escalation chains that end. Returns the policies with `warnAtRatio` filled in.
 */
export function validatePolicies(
  policies: readonly SlaPolicy[],
  options: { calendarIds?: Iterable<string> } = {},
): SlaResult<SlaPolicy[]> {
  const errors: SlaIssue[] = [];
  const ids = new Map<string, number>();
  const scopes = new Map<string, number>();
  const calendars = options.calendarIds ? new Set(options.calendarIds) : undefined;
  policies.forEach((p, i) => {
    const prefix = `policies[${i}].`;
    errors.push(...validatePolicy(p, prefix));
    const sameId = ids.get(p.id);
    if (sameId !== undefined)
      errors.push(
        issue('policy_duplicate_id', `${prefix}id`, `id ${p.id} is also used by policies[${sameId}]`),
      );
    else ids.set(p.id, i);
    const key = scopeKey(p);
    const sameScope = scopes.get(key);
    if (sameScope !== undefined)
      errors.push(
        issue('policy_duplicate_scope', `${prefix}category`, `same scope as policies[${sameScope}]`),
      );
    else scopes.set(key, i);
    if (calendars && !calendars.has(p.calendarId))
      errors.push(issue('policy_unknown_calendar', `${prefix}calendarId`, `no calendar ${p.calendarId}`));
  });
  if (errors.length === 0) errors.push(...validateEscalationChains(policies));
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: policies.map((p) => ({ ...p, warnAtRatio: p.warnAtRatio ?? DEFAULT_WARN_AT_RATIO })),
  };
}

/**
 * How specifically a policy fits an order, or -1 when it does not apply. Category outranks
 * everything (sub-category > top category > `*`), then priority band, then community, then
 * channel — so a city-wide rule for gas leaks beats a community's catch-all.
 */
export function policySpecificity(policy: SlaPolicy, order: OrderScope): number {
  const top = order.category.split('.')[0] ?? order.category;
  let category: number;
  if (policy.category === '*') category = 0;
  else if (policy.category === order.category) category = policy.category.includes('.') ? 2 : 1;
  else if (policy.category === top) category = 1;
  else return -1;
  if (policy.priorityBand !== '*' && policy.priorityBand !== order.priorityBand) return -1;
  if (policy.communityId !== undefined && policy.communityId !== order.communityId) return -1;
  if (policy.channel !== undefined && policy.channel !== order.channel) return -1;
  return (
    category * 8 +
    (policy.priorityBand === '*' ? 0 : 4) +
    (policy.communityId === undefined ? 0 : 2) +
    (policy.channel === undefined ? 0 : 1)
  );
}

/** The most specific policy that applies to the order (ties broken by id), or undefined. */
export function selectPolicy<P extends SlaPolicy>(policies: readonly P[], order: OrderScope): P | undefined {
  let best: P | undefined;
  let bestScore = -1;
  for (const p of policies) {
    const score = policySpecificity(p, order);
    if (score < 0) continue;
    if (score > bestScore || (score === bestScore && best !== undefined && p.id < best.id)) {
      best = p;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Dispatch rules (pure): for an order's category, urgency and priority, whether it goes through
 * the emergency lane, is dispatched automatically, or waits in the dispatcher's queue; how equals
 * are balanced; and how long the assignee has to accept before the next candidate gets it.
 *
 * Rules are read in `sortOrder`; the first that matches wins. A rule's category matches the
 * order's sub-category exactly or its whole top category; null matches every category; empty
 * urgency or priority lists match every value. With no matching rule an order is queued.
 */
import { topCategory } from '../taxonomy/taxonomy.default.ts';
import type { BalanceStrategy } from './load-balancing.ts';

export const DISPATCH_MODES = ['emergency', 'auto', 'queue'] as const;
export type DispatchMode = (typeof DISPATCH_MODES)[number];

export interface DispatchRule {
  id: string;
  name: string;
  category: string | null;
  urgencies: string[];
  priorities: string[];
  mode: DispatchMode;
  strategy: BalanceStrategy;
  acceptTimeoutS: number;
  sortOrder: number;
}

export interface RuleSubject {
  category: string;
  subcategory: string | null;
  urgency: string;
  priority: string;
}

export const QUEUE_RULE: DispatchRule = {
  id: 'default-queue',
  name: '默认：进入调度台',
  category: null,
  urgencies: [],
  priorities: [],
  mode: 'queue',
  strategy: 'least_loaded',
  acceptTimeoutS: 1800,
  sortOrder: Number.MAX_SAFE_INTEGER,
};

export function ruleMatches(rule: DispatchRule, o: RuleSubject): boolean {
  if (rule.category !== null) {
    const sub = o.subcategory ?? (o.category.includes('.') ? o.category : null);
    if (rule.category !== sub && rule.category !== topCategory(o.category)) return false;
  }
  if (rule.urgencies.length && !rule.urgencies.includes(o.urgency)) return false;
  if (rule.priorities.length && !rule.priorities.includes(o.priority)) return false;
  return true;
}

/** The rule that decides an order's dispatch. */
export function ruleFor(rules: readonly DispatchRule[], o: RuleSubject): DispatchRule {
  const sorted = [...rules].sort((a, b) => a.sortOrder - b.sortOrder || (a.id < b.id ? -1 : 1));
  return sorted.find((r) => ruleMatches(r, o)) ?? QUEUE_RULE;
}

/** Where a rule set leaves critical orders outside the emergency lane. */
export interface EmergencyGap {
  /** The category (top or sub) and priority of a critical order that would miss the lane. */
  category: string;
  priority: string;
  /** The list index of the rule that takes such an order instead, or null when no rule matches it. */
  ruleIndex: number | null;
}

/**
 * The first critical order (by category and priority) that a rule list, read in list order,
 * would not send through the emergency lane: caught first by an `auto` or `queue` rule, or
 * matched by none (and so queued). Undefined when every critical order reaches an emergency rule.
 * `categories` holds the top categories and sub-categories (`allCategoryCodes()`).
 */
export function emergencyLaneGap(
  rules: ReadonlyArray<Pick<DispatchRule, 'category' | 'urgencies' | 'priorities' | 'mode'>>,
  categories: readonly string[],
  priorities: readonly string[],
): EmergencyGap | undefined {
  for (const code of categories) {
    const subject = { category: topCategory(code), subcategory: code.includes('.') ? code : null };
    for (const priority of priorities) {
      const o: RuleSubject = { ...subject, urgency: 'critical', priority };
      const i = rules.findIndex((r) => ruleMatches({ ...QUEUE_RULE, ...r }, o));
      const rule = rules[i];
      if (rule?.mode === 'emergency') continue;
      return { category: code, priority, ruleIndex: rule ? i : null };
    }
  }
  return undefined;
}

export interface DispatchRuleRow {
  id: string;
  community_id: string;
  name: string;
  category: string | null;
  urgencies_json: string;
  priorities_json: string;
  mode: string;
  strategy: string;
  accept_timeout_s: number;
  sort_order: number;
  active: number;
  created_at: string;
}

/** The rules a fresh community starts with (editable through the API). */
export function defaultRules(communityId: string, at: string): DispatchRuleRow[] {
  const rule = (
    n: number,
    name: string,
    category: string | null,
    urgencies: string[],
    priorities: string[],
    mode: DispatchMode,
    acceptTimeoutS: number,
  ): DispatchRuleRow => ({
    id: `${communityId}:r${n}`,
    community_id: communityId,
    name,
    category,
    urgencies_json: JSON.stringify(urgencies),
    priorities_json: JSON.stringify(priorities),
    mode,
    strategy: 'least_loaded',
    accept_timeout_s: acceptTimeoutS,
    sort_order: n * 10,
    active: 1,
    created_at: at,
  });
  // Everything not listed waits in the dispatcher's queue; a community turns on more automatic
  // dispatch through the rules API.
  return [
    rule(1, '紧急通道：危急工单立即派给最近的在岗救援力量', null, ['critical'], [], 'emergency', 120),
    rule(2, '安全应急类自动派单', 'safety_emergency', [], [], 'auto', 300),
    rule(3, '电梯故障（高紧急）自动派单', 'basic_living.elevator', ['high'], [], 'auto', 600),
    rule(4, '最高优先级养老服务自动派单', 'elderly_care', [], ['P1'], 'auto', 900),
  ];
}

export function ruleOf(row: DispatchRuleRow): DispatchRule {
  return {
    id: row.id,
    name: row.name,
    category: row.category,
    urgencies: JSON.parse(row.urgencies_json) as string[],
    priorities: JSON.parse(row.priorities_json) as string[],
    mode: (DISPATCH_MODES as readonly string[]).includes(row.mode) ? (row.mode as DispatchMode) : 'queue',
    strategy: row.strategy === 'round_robin' ? 'round_robin' : 'least_loaded',
    acceptTimeoutS: row.accept_timeout_s,
    sortOrder: row.sort_order,
  };
}

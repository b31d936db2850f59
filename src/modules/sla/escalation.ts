/**
 * Escalation chains: who hears about a breach, in order (dispatcher → community head → street).
 *
 * A chain is a list of steps. A step is a role or level name, or — as the last step only —
 * `{ next: policyId }`, meaning "then continue with that policy's chain", so communities can
 * share the street-level tail. The expanded chain must visit each level at most once and may not
 * come back to a policy it has already passed through: either would escalate in a circle.
 */
import { issue } from './sla.errors.ts';
import type { SlaIssue, SlaResult } from './sla.errors.ts';

export type EscalationStep = string | { readonly next: string };
export type EscalationChain = readonly EscalationStep[];

/** Chains by the id of the policy that owns them. */
export type ChainLookup = (policyId: string) => EscalationChain | undefined;

const LEVEL_PATTERN = /^[a-z][a-z0-9_.:-]{0,63}$/i;

/**
 * Expands a policy's chain into the ordered, loop-free list of levels, following `{ next }`
 * references. Errors name the step (`escalationChain[2]`) and, for a loop, the path taken.
 */
export function resolveEscalationChain(policyId: string, lookup: ChainLookup): SlaResult<string[]> {
  const levels: string[] = [];
  const seenLevels = new Map<string, string>();
  const path: string[] = [];
  let current: string | undefined = policyId;
  while (current !== undefined) {
    if (path.includes(current)) {
      const cycle = [...path, current].join(' → ');
      return fail(
        'escalation_loop',
        'escalationChain',
        `chain of ${policyId} comes back to ${current}: ${cycle}`,
      );
    }
    path.push(current);
    const chain = lookup(current);
    if (chain === undefined) {
      const where = path.length > 1 ? `policy ${path[path.length - 2]}` : 'the chain';
      return fail(
        'escalation_unknown_policy',
        'escalationChain',
        `${where} refers to unknown policy ${current}`,
      );
    }
    if (!Array.isArray(chain))
      return fail('escalation_bad_step', 'escalationChain', 'a chain must be a list');
    const owner: string = current;
    current = undefined;
    for (let i = 0; i < chain.length; i++) {
      const step: unknown = chain[i];
      const field = `escalationChain[${i}]`;
      if (typeof step === 'string') {
        if (!LEVEL_PATTERN.test(step))
          return fail(
            'escalation_bad_step',
            field,
            `"${step}" is not a role or level name (policy ${owner})`,
          );
        const first = seenLevels.get(step);
        if (first !== undefined)
          return fail(
            'escalation_loop',
            field,
            `${step} appears twice (policy ${first}, then policy ${owner})`,
          );
        seenLevels.set(step, owner);
        levels.push(step);
        continue;
      }
      const next = typeof step === 'object' && step !== null && 'next' in step ? step.next : undefined;
      if (typeof next !== 'string' || next === '')
        return fail('escalation_bad_step', field, 'a step is a level name or { next: policyId }');
      if (i !== chain.length - 1)
        return fail('escalation_bad_step', field, '{ next } may only be the last step of a chain');
      current = next;
    }
  }
  return { ok: true, value: levels };
}

/**
 * Checks every chain in a set of policies at once; issues are prefixed with the policy's
 * position (`policies[3].escalationChain[1]`).
 */
export function validateEscalationChains(
  policies: ReadonlyArray<{ id: string; escalationChain: EscalationChain }>,
): SlaIssue[] {
  const byId = new Map(policies.map((p) => [p.id, p.escalationChain]));
  const errors: SlaIssue[] = [];
  policies.forEach((p, i) => {
    const resolved = resolveEscalationChain(p.id, (id) => byId.get(id));
    if (!resolved.ok)
      for (const e of resolved.errors) errors.push({ ...e, field: `policies[${i}].${e.field}` });
  });
  return errors;
}

/**
 * The level to escalate to after `current` (the first level when nothing was escalated yet),
 * or null when the chain is exhausted.
 */
export function nextEscalationLevel(levels: readonly string[], current: string | null): string | null {
  if (current === null) return levels[0] ?? null;
  const at = levels.indexOf(current);
  if (at < 0) return levels[0] ?? null;
  return levels[at + 1] ?? null;
}

function fail(code: SlaIssue['code'], field: string, message: string): SlaResult<string[]> {
  return { ok: false, errors: [issue(code, field, message)] };
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nextEscalationLevel, resolveEscalationChain, validateEscalationChains } from './escalation.ts';
import type { EscalationChain } from './escalation.ts';

const lookupOf = (chains: Record<string, EscalationChain>) => (id: string) => chains[id];

test('a chain expands through { next } references', () => {
  const chains = {
    lift: ['property_manager', { next: 'street-tail' }],
    'street-tail': ['community_head', 'street'],
  };
  assert.deepEqual(resolveEscalationChain('lift', lookupOf(chains)), {
    ok: true,
    value: ['property_manager', 'community_head', 'street'],
  });
  assert.deepEqual(resolveEscalationChain('street-tail', lookupOf(chains)), {
    ok: true,
    value: ['community_head', 'street'],
  });
});

test('a repeated level is a loop, naming the step', () => {
  const r = resolveEscalationChain('p', lookupOf({ p: ['dispatcher', 'community_head', 'dispatcher'] }));
  assert.equal(r.ok, false);
  assert.deepEqual(r.ok ? null : [r.errors[0]?.code, r.errors[0]?.field], [
    'escalation_loop',
    'escalationChain[2]',
  ]);
});

test('policies referring to each other in a circle are refused, including a self-reference', () => {
  const r = resolveEscalationChain(
    'a',
    lookupOf({ a: ['dispatcher', { next: 'b' }], b: ['street', { next: 'a' }] }),
  );
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : (r.errors[0]?.message ?? ''), /a → b → a/);
  assert.equal(resolveEscalationChain('s', lookupOf({ s: [{ next: 's' }] })).ok, false);
  // Reaching the same level through two policies is a loop too.
  const twice = resolveEscalationChain('a', lookupOf({ a: ['street', { next: 'b' }], b: ['street'] }));
  assert.equal(twice.ok ? null : twice.errors[0]?.code, 'escalation_loop');
});

test('unknown references, misplaced { next } and bad names are refused', () => {
  const codes = (chains: Record<string, EscalationChain>) => {
    const r = resolveEscalationChain('a', lookupOf(chains));
    return r.ok ? null : [r.errors[0]?.code, r.errors[0]?.field];
  };
  assert.deepEqual(codes({ a: [{ next: 'zz' }] }), ['escalation_unknown_policy', 'escalationChain']);
  assert.deepEqual(codes({ a: [{ next: 'b' }, 'street'], b: [] }), [
    'escalation_bad_step',
    'escalationChain[0]',
  ]);
  assert.deepEqual(codes({ a: ['has space'] }), ['escalation_bad_step', 'escalationChain[0]']);
  assert.deepEqual(codes({ a: [{ next: '' }] }), ['escalation_bad_step', 'escalationChain[0]']);
});

test('validating a set prefixes each issue with the policy position', () => {
  const errors = validateEscalationChains([
    { id: 'ok', escalationChain: ['dispatcher'] },
    { id: 'bad', escalationChain: ['street', 'street'] },
  ]);
  assert.deepEqual(
    errors.map((e) => e.field),
    ['policies[1].escalationChain[1]'],
  );
});

test('property: a chain resolves exactly when following it never repeats a level or a policy', () => {
  const names = ['p0', 'p1', 'p2', 'p3'];
  const chainArb = fc
    .tuple(
      fc.array(fc.constantFrom('dispatcher', 'community_head', 'street', 'district'), { maxLength: 3 }),
      fc.option(fc.constantFrom(...names, 'missing')),
    )
    .map(([levels, next]): EscalationChain => (next === null ? levels : [...levels, { next }]));
  fc.assert(
    fc.property(fc.array(chainArb, { minLength: 4, maxLength: 4 }), (chains) => {
      const byName: Record<string, EscalationChain> = Object.fromEntries(
        chains.map((c, i) => [names[i] ?? '', c]),
      );
      // Reference model: walk the references, collecting levels.
      const levels: string[] = [];
      const visited: string[] = [];
      let expectOk = true;
      for (let at: string | undefined = 'p0'; at !== undefined;) {
        const chain: EscalationChain | undefined = byName[at];
        if (visited.includes(at) || chain === undefined) {
          expectOk = false;
          break;
        }
        visited.push(at);
        at = undefined;
        for (const step of chain) {
          if (typeof step === 'string') levels.push(step);
          else at = step.next;
        }
      }
      if (new Set(levels).size !== levels.length) expectOk = false;
      const r = resolveEscalationChain('p0', lookupOf(byName));
      assert.equal(r.ok, expectOk);
      if (r.ok) assert.deepEqual(r.value, levels);
    }),
    { numRuns: 300 },
  );
});

test('next level walks the chain and stops at its end', () => {
  const levels = ['dispatcher', 'community_head', 'street'];
  assert.equal(nextEscalationLevel(levels, null), 'dispatcher');
  assert.equal(nextEscalationLevel(levels, 'dispatcher'), 'community_head');
  assert.equal(nextEscalationLevel(levels, 'street'), null);
  assert.equal(nextEscalationLevel([], null), null);
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  afterReversal,
  applyPostings,
  balancesFromPostings,
  decide,
  earnPostings,
  postingsProblem,
  redeemPostings,
  reversalPostings,
  reversalRefusal,
  serviceDateProblem,
  transferPostings,
} from './time-bank.ledger.ts';
import type { Account, Posting } from './time-bank.ledger.ts';

const RESIDENTS = ['r1', 'r2', 'r3', 'r4'];
const start = (): Map<string, Account> =>
  new Map<string, Account>([
    ['issuance', { id: 'issuance', kind: 'issuance', balance: 0 }],
    ['redemption', { id: 'redemption', kind: 'redemption', balance: 0 }],
    ...RESIDENTS.map((id): [string, Account] => [id, { id, kind: 'resident', balance: 0 }]),
  ]);

/** An operation a client may ask for, valid or not: amounts include zero, negatives and fractions. */
const amount = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 600 }) },
  { weight: 1, arbitrary: fc.integer({ min: -600, max: 0 }) },
  { weight: 1, arbitrary: fc.double({ min: 0.1, max: 50, noNaN: true }) },
);
const resident = fc.constantFrom(...RESIDENTS, 'nobody');
const operation = fc.oneof(
  fc.record({ kind: fc.constant('earn' as const), to: resident, minutes: amount }),
  fc.record({ kind: fc.constant('transfer' as const), from: resident, to: resident, minutes: amount }),
  fc.record({ kind: fc.constant('redeem' as const), from: resident, minutes: amount }),
  fc.record({ kind: fc.constant('reverse' as const), index: fc.nat() }),
);
type Op = typeof operation extends fc.Arbitrary<infer T> ? T : never;

function postingsOf(op: Op, done: Posting[][]): Posting[] {
  switch (op.kind) {
    case 'earn':
      return earnPostings('issuance', op.to, op.minutes);
    case 'transfer':
      return transferPostings(op.from, op.to, op.minutes);
    case 'redeem':
      return redeemPostings(op.from, 'redemption', op.minutes);
    case 'reverse':
      return done.length ? reversalPostings(done[op.index % done.length] ?? []) : [];
  }
}

describe('the ledger rules', () => {
  it('any sequence of operations keeps every transaction balanced and no resident below zero; a refused one changes nothing', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (ops) => {
        let accounts = start();
        const applied: Posting[][] = [];
        for (const op of ops) {
          const postings = postingsOf(op, applied);
          const before = accounts;
          const problem = postingsProblem(accounts, postings);
          if (problem) {
            // Refused: nothing moves, and the reason is one a client can act on.
            assert.ok(['invalid_input', 'insufficient_balance', 'unbalanced'].includes(problem.code));
            assert.equal(accounts, before);
            continue;
          }
          assert.equal(
            postings.reduce((s, p) => s + p.minutes, 0),
            0,
          );
          accounts = applyPostings(accounts, postings);
          applied.push(postings);
        }
        for (const a of accounts.values())
          if (a.kind === 'resident') assert.ok(a.balance >= 0, `${a.id} ${a.balance}`);
        // Balances are the sums of the postings, and the whole ledger sums to zero.
        const sums = balancesFromPostings(applied.flat());
        for (const a of accounts.values()) assert.equal(a.balance, sums.get(a.id) ?? 0, a.id);
        assert.equal(
          [...accounts.values()].reduce((s, a) => s + a.balance, 0),
          0,
        );
        // Minted minus spent is what residents hold.
        const held = RESIDENTS.reduce((s, id) => s + (accounts.get(id)?.balance ?? 0), 0);
        const issued = accounts.get('issuance')?.balance ?? 0;
        const spent = accounts.get('redemption')?.balance ?? 0;
        assert.equal(held + issued + spent, 0);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an overdraft, a zero or fractional amount, a self-transfer, an unknown account and an unbalanced set', () => {
    const a = applyPostings(start(), earnPostings('issuance', 'r1', 30));
    assert.deepEqual(
      postingsProblem(a, redeemPostings('r1', 'redemption', 31))?.code,
      'insufficient_balance',
    );
    assert.equal(postingsProblem(a, redeemPostings('r1', 'redemption', 30)), null);
    assert.equal(postingsProblem(a, transferPostings('r1', 'r2', 0))?.code, 'invalid_input');
    assert.equal(postingsProblem(a, transferPostings('r1', 'r2', 1.5))?.code, 'invalid_input');
    assert.equal(postingsProblem(a, transferPostings('r1', 'r1', 5))?.code, 'invalid_input');
    assert.equal(postingsProblem(a, transferPostings('r1', 'ghost', 5))?.code, 'invalid_input');
    assert.equal(postingsProblem(a, [{ accountId: 'r1', minutes: -5 }])?.code, 'unbalanced');
    assert.equal(
      postingsProblem(a, [
        { accountId: 'r1', minutes: -5 },
        { accountId: 'r2', minutes: 4 },
      ])?.code,
      'unbalanced',
    );
    // The issuance account has no floor: it is where minutes come from.
    assert.equal(postingsProblem(start(), earnPostings('issuance', 'r1', 600)), null);
  });

  it('a reversal of spent minutes is refused when the resident no longer holds them', () => {
    const earned = earnPostings('issuance', 'r1', 60);
    let a = applyPostings(start(), earned);
    a = applyPostings(a, transferPostings('r1', 'r2', 50));
    assert.equal(postingsProblem(a, reversalPostings(earned))?.code, 'insufficient_balance');
  });

  it('reverses a transaction once, and never a reversal', () => {
    assert.equal(reversalRefusal('earn', null), null);
    assert.equal(reversalRefusal('transfer', null), null);
    assert.equal(reversalRefusal('redeem', null), null);
    assert.equal(reversalRefusal('redeem', 'x2')?.code, 'invalid_transition');
    assert.equal(reversalRefusal('reversal', null)?.code, 'invalid_transition');
  });

  it('decides a record once', () => {
    assert.equal(decide('pending', 'verify'), 'verified');
    assert.equal(decide('pending', 'reject'), 'rejected');
    assert.equal(decide('verified', 'verify'), null);
    assert.equal(decide('rejected', 'verify'), null);
    assert.equal(decide('verified', 'reject'), null);
    assert.equal(decide('reversed', 'verify'), null);
    assert.equal(decide('reversed', 'reject'), null);
  });

  it('reverses only a verified record, once', () => {
    assert.equal(afterReversal('verified'), 'reversed');
    for (const s of ['pending', 'rejected', 'reversed'] as const) assert.equal(afterReversal(s), null, s);
  });

  it('takes a service date that is a calendar day, not after today', () => {
    assert.equal(serviceDateProblem('2026-11-20', '2026-11-20'), null);
    assert.equal(serviceDateProblem('2026-11-21', '2026-11-20')?.code, 'invalid_input');
    assert.equal(serviceDateProblem('2026-02-30', '2026-11-20')?.code, 'invalid_input');
    assert.equal(serviceDateProblem('2026-1-2', '2026-11-20')?.code, 'invalid_input');
    // At most 90 days back: 2026-08-22 is the 90th day before 2026-11-20.
    assert.equal(serviceDateProblem('2026-08-22', '2026-11-20'), null);
    assert.equal(serviceDateProblem('2026-08-21', '2026-11-20')?.code, 'invalid_input');
    assert.equal(serviceDateProblem('1900-01-01', '2026-11-20')?.code, 'invalid_input');
  });
});

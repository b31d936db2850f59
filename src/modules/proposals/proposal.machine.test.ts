import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { possibleActions, step, votingPhase } from './proposal.machine.ts';
import type { ProposalState } from './proposal.machine.ts';

const AT = '2026-11-20T02:00:00.000Z';
const LATER = '2026-11-27T02:00:00.000Z';
const base: ProposalState = {
  status: 'submitted',
  votingStartsAt: null,
  votingEndsAt: null,
  quorum: null,
  votes: 0,
  progressPercent: 0,
};
const voting: ProposalState = {
  ...base,
  status: 'open_for_voting',
  votingStartsAt: AT,
  votingEndsAt: LATER,
  quorum: 3,
};

describe('proposal machine', () => {
  it('takes a proposal through review, voting, selection, implementation and completion', () => {
    const r = step(base, 'review', {}, AT);
    assert.ok(r.ok && r.status === 'under_review');
    const o = step(
      { ...base, status: 'under_review' },
      'open_voting',
      { votingEndsAt: LATER, quorum: 3, budgetEstimate: 5000 },
      AT,
    );
    assert.ok(o.ok);
    assert.equal(o.status, 'open_for_voting');
    assert.deepEqual(o.patch, {
      voting_starts_at: AT,
      voting_ends_at: LATER,
      quorum: 3,
      budget_estimate: 5000,
    });
    const d = step({ ...voting, votes: 3 }, 'decide', {}, LATER);
    assert.ok(d.ok && d.status === 'selected');
    const n = step({ ...voting, votes: 2 }, 'decide', {}, LATER);
    assert.ok(n.ok && n.status === 'not_selected');
    const s = step({ ...voting, status: 'selected' }, 'start', {}, LATER);
    assert.ok(s.ok && s.status === 'implementing');
    const impl: ProposalState = { ...voting, status: 'implementing', progressPercent: 40 };
    const p = step(impl, 'progress', { percent: 60, note: '扶手已到货' }, LATER);
    assert.ok(p.ok && p.patch.progress_percent === 60 && p.note === '扶手已到货');
    const c = step(impl, 'complete', {}, LATER);
    assert.ok(
      c.ok && c.status === 'completed' && c.patch.progress_percent === 100 && c.patch.completed_at === LATER,
    );
  });

  it('refuses steps a status does not allow, as invalid_transition', () => {
    for (const [status, action] of [
      ['under_review', 'review'],
      ['open_for_voting', 'reject'],
      ['submitted', 'open_voting'],
      ['under_review', 'decide'],
      ['not_selected', 'start'],
      ['selected', 'progress'],
      ['completed', 'complete'],
      ['rejected', 'review'],
    ] as const) {
      const r = step(
        { ...voting, status },
        action,
        { reason: 'x', votingEndsAt: LATER, quorum: 1, percent: 50, note: 'x' },
        AT,
      );
      assert.ok(!r.ok && r.code === 'invalid_transition', `${status} ${action}`);
    }
  });

  it('decides only once the window has ended', () => {
    const r = step({ ...voting, votes: 10 }, 'decide', {}, '2026-11-27T01:59:59.999Z');
    assert.ok(!r.ok && r.code === 'invalid_transition');
    assert.equal(votingPhase(voting, '2026-11-27T01:59:59.999Z'), 'open');
    assert.equal(votingPhase(voting, LATER), 'closed');
    assert.equal(votingPhase(voting, '2026-11-20T01:59:59.999Z'), 'upcoming');
    assert.equal(votingPhase({ ...voting, status: 'selected' }, AT), 'none');
  });

  it('names the field of bad input', () => {
    const review = { ...base, status: 'under_review' as const };
    const field = (r: ReturnType<typeof step>) => (r.ok ? null : [r.code, r.field]);
    assert.deepEqual(field(step(review, 'reject', { reason: '  ' }, AT)), ['invalid_input', 'reason']);
    assert.deepEqual(field(step(review, 'open_voting', { quorum: 1 }, AT)), [
      'invalid_input',
      'votingEndsAt',
    ]);
    assert.deepEqual(field(step(review, 'open_voting', { votingEndsAt: AT, quorum: 1 }, AT)), [
      'invalid_input',
      'votingEndsAt',
    ]);
    assert.deepEqual(
      field(step(review, 'open_voting', { votingEndsAt: '2027-06-01T00:00:00.000Z', quorum: 1 }, AT)),
      ['invalid_input', 'votingEndsAt'],
    );
    const before = new Date(Date.parse(AT) - 3_600_000).toISOString();
    assert.deepEqual(
      field(step(review, 'open_voting', { votingStartsAt: before, votingEndsAt: LATER, quorum: 1 }, AT)),
      ['invalid_input', 'votingStartsAt'],
    );
    const justBefore = new Date(Date.parse(AT) - 30_000).toISOString();
    assert.equal(
      step(review, 'open_voting', { votingStartsAt: justBefore, votingEndsAt: LATER, quorum: 1 }, AT).ok,
      true,
      'a desk clock half a minute behind',
    );
    assert.deepEqual(field(step(review, 'open_voting', { votingEndsAt: LATER, quorum: 0 }, AT)), [
      'invalid_input',
      'quorum',
    ]);
    const impl: ProposalState = { ...voting, status: 'implementing', progressPercent: 50 };
    assert.deepEqual(field(step(impl, 'progress', { percent: 40, note: 'x' }, AT)), [
      'invalid_input',
      'percent',
    ]);
    assert.deepEqual(field(step(impl, 'progress', { percent: 100, note: 'x' }, AT)), [
      'invalid_input',
      'percent',
    ]);
    assert.deepEqual(field(step(impl, 'progress', { percent: 60 }, AT)), ['invalid_input', 'note']);
  });

  it('lists the possible actions of each status', () => {
    assert.deepEqual(possibleActions(base, AT), ['review', 'reject']);
    assert.deepEqual(possibleActions({ ...base, status: 'under_review' }, AT), ['reject', 'open_voting']);
    assert.deepEqual(possibleActions(voting, AT), []);
    assert.deepEqual(possibleActions(voting, LATER), ['decide']);
    assert.deepEqual(possibleActions({ ...voting, status: 'implementing' }, AT), ['progress', 'complete']);
    assert.deepEqual(possibleActions({ ...voting, status: 'completed' }, AT), []);
  });
});

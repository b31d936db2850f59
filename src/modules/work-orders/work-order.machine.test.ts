import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ACTIONS, FROM, STATUSES, TERMINAL, canStart, transition } from './work-order.machine.ts';
import type { Action, Status } from './work-order.machine.ts';

const AT = '2026-11-20T02:00:00.000Z';
const state = (
  status: Status,
  extra: Partial<{ resumeStatus: Status | null; assigneeId: string | null }> = {},
) => ({
  status,
  resumeStatus: null,
  assigneeId: null,
  ...extra,
});
const fullInput = {
  assigneeId: 'u1',
  note: 'done',
  reason: 'why',
  rating: 4,
  referredTo: '区住建局',
  mergeInto: 'o2',
};

describe('work-order state machine', () => {
  const table: [Status, Action, Status][] = [
    ['submitted', 'accept', 'accepted'],
    ['submitted', 'dispatch', 'dispatched'],
    ['accepted', 'dispatch', 'dispatched'],
    ['dispatched', 'dispatch', 'dispatched'],
    ['dispatched', 'reject', 'accepted'],
    ['dispatched', 'start', 'in_progress'],
    ['in_progress', 'resolve', 'resolved'],
    ['dispatched', 'resolve', 'resolved'],
    ['resolved', 'confirm', 'closed'],
    ['resolved', 'auto_close', 'closed'],
    ['resolved', 'reopen', 'accepted'],
    ['closed', 'reopen', 'accepted'],
    ['in_progress', 'wait', 'waiting_on_resident'],
    ['in_progress', 'transfer', 'accepted'],
    ['submitted', 'refer', 'referred'],
    ['accepted', 'merge', 'duplicate'],
    ['submitted', 'dismiss', 'not_actionable'],
    ['dispatched', 'cancel', 'cancelled'],
  ];
  for (const [from, action, to] of table) {
    it(`${from} --${action}--> ${to}`, () => {
      const t = transition(state(from), action, fullInput, AT);
      assert.ok(t.ok, t.ok ? '' : t.reason);
      assert.equal(t.patch.status, to);
    });
  }

  it('resume returns to the status the wait started from', () => {
    const w = transition(state('dispatched'), 'wait', {}, AT);
    assert.ok(w.ok);
    assert.equal(w.patch.resume_status, 'dispatched');
    const r = transition(state('waiting_on_resident', { resumeStatus: 'dispatched' }), 'resume', {}, AT);
    assert.ok(r.ok);
    assert.equal(r.patch.status, 'dispatched');
  });

  it('refuses every action from a status not listed for it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STATUSES), fc.constantFrom(...ACTIONS), (status, action) => {
        const t = transition(state(status), action, fullInput, AT);
        assert.equal(t.ok, FROM[action].includes(status));
      }),
    );
  });

  it('terminal states accept nothing but reopen of a closed order', () => {
    for (const s of TERMINAL) {
      for (const a of ACTIONS) {
        const ok = transition(state(s), a, fullInput, AT).ok;
        assert.equal(ok, s === 'closed' && a === 'reopen', `${s} ${a}`);
      }
    }
  });

  it('names the missing field', () => {
    const cases: [Status, Action, string][] = [
      ['accepted', 'dispatch', 'assigneeId'],
      ['in_progress', 'resolve', 'note'],
      ['resolved', 'confirm', 'rating'],
      ['resolved', 'reopen', 'reason'],
      ['in_progress', 'transfer', 'reason'],
      ['submitted', 'refer', 'referredTo'],
      ['submitted', 'merge', 'mergeInto'],
      ['submitted', 'dismiss', 'reason'],
      ['dispatched', 'reject', 'reason'],
    ];
    for (const [s, a, field] of cases) {
      const t = transition(state(s), a, {}, AT);
      assert.equal(t.ok, false);
      assert.equal(t.ok ? '' : t.field, field, `${a}`);
    }
  });

  it('ratings are integers 1–5', () => {
    for (const rating of [0, 6, 2.5, -1])
      assert.equal(transition(state('resolved'), 'confirm', { rating }, AT).ok, false);
    for (const rating of [1, 3, 5])
      assert.equal(transition(state('resolved'), 'confirm', { rating }, AT).ok, true);
  });

  it('reopen clears the rating and its comment: they judged a fix that did not hold', () => {
    const confirmed = transition(state('resolved'), 'confirm', { rating: 5, comment: '很快' }, AT);
    assert.ok(confirmed.ok);
    assert.equal(confirmed.patch.rating, 5);
    for (const from of ['resolved', 'closed'] as const) {
      const t = transition(state(from), 'reopen', { reason: '还是漏' }, AT);
      assert.ok(t.ok);
      assert.equal(t.patch.rating, null, from);
      assert.equal(t.patch.rating_comment, null, from);
    }
  });

  it('cancels an order waiting on the resident only if work had not started before the wait', () => {
    for (const before of ['accepted', 'dispatched'] as const) {
      const w = transition(state(before), 'wait', {}, AT);
      assert.ok(w.ok);
      const t = transition(state('waiting_on_resident', { resumeStatus: before }), 'cancel', {}, AT);
      assert.equal(t.ok, true, before);
    }
    const t = transition(state('waiting_on_resident', { resumeStatus: 'in_progress' }), 'cancel', {}, AT);
    assert.equal(t.ok, false);
    assert.match(t.ok ? '' : t.reason, /work started/);
  });

  it('a wait is transparent to cancel: allowed exactly when it was before the wait', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FROM.wait), (before) => {
        const direct = transition(state(before), 'cancel', {}, AT).ok;
        const waiting = state('waiting_on_resident', { resumeStatus: before });
        assert.equal(transition(waiting, 'cancel', {}, AT).ok, direct, before);
        assert.equal(canStart(waiting, 'cancel'), direct, before);
      }),
    );
  });

  it('canStart agrees with transition for every status, resume status and action', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STATUSES),
        fc.constantFrom(null, ...FROM.wait),
        fc.constantFrom(...ACTIONS),
        (status, resumeStatus, action) => {
          const s = state(status, { resumeStatus });
          assert.equal(transition(s, action, fullInput, AT).ok, canStart(s, action));
        },
      ),
    );
  });

  it('an order is never cancelled once work has started, however it waits and resumes', () => {
    // Walks through the machine, each step one of the actions the state allows: once work has
    // started, cancel is refused until the order is before work again (handed back to dispatch,
    // rejected or reopened: accepted).
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 30 }), (picks) => {
        let s = state('submitted');
        let started = false;
        const walk: string[] = [];
        for (const pick of picks) {
          const cancel = transition(s, 'cancel', fullInput, AT);
          if (started) assert.equal(cancel.ok, false, `cancelled after ${walk.join(' → ')}`);
          const allowed = ACTIONS.filter((a) => canStart(s, a));
          const action = allowed[pick % allowed.length];
          if (action === undefined) break;
          const t = transition(s, action, fullInput, AT);
          assert.ok(t.ok, `${action} from ${s.status}`);
          walk.push(action);
          s = {
            status: t.patch.status,
            resumeStatus: t.patch.resume_status !== undefined ? t.patch.resume_status : s.resumeStatus,
            assigneeId: t.patch.assignee_id !== undefined ? t.patch.assignee_id : s.assigneeId,
          };
          if (s.status === 'in_progress') started = true;
          if (s.status === 'accepted' || TERMINAL.has(s.status)) started = false;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reopen clears the closure and counts the reopen', () => {
    const t = transition(state('closed'), 'reopen', { reason: '还是漏' }, AT);
    assert.ok(t.ok);
    assert.equal(t.patch.closed_at, null);
    assert.equal(t.patch.assignee_id, null);
    assert.equal(t.patch.reopen_count_increment, true);
    assert.equal(t.patch.resolution_note, null, 'the fix that did not hold is no longer the result');
  });

  it('reopens a closed order only within the reopen window, when there is one', () => {
    const closedAt = '2026-11-01T00:00:00.000Z';
    const closed = { ...state('closed'), closedAt };
    const rules = { reopenDays: 30 };
    const day = (n: number) => new Date(Date.parse(closedAt) + n * 86_400_000).toISOString();
    assert.ok(transition(closed, 'reopen', { reason: '还是漏' }, day(30), rules).ok, 'on the last day');
    const late = transition(closed, 'reopen', { reason: '还是漏' }, day(30.01), rules);
    assert.equal(late.ok, false);
    if (!late.ok) {
      assert.match(late.reason, /more than 30 days ago.*new request/);
      assert.equal(late.field, undefined, 'the status refuses it, not a field');
    }
    assert.ok(
      transition(closed, 'reopen', { reason: '还是漏' }, day(400), { reopenDays: 0 }).ok,
      '0 = no limit',
    );
    assert.ok(transition(closed, 'reopen', { reason: '还是漏' }, day(400)).ok, 'no rules, no limit');
    // A resolved order is not closed: its window has not begun.
    assert.ok(
      transition({ ...state('resolved'), closedAt: null }, 'reopen', { reason: '还是漏' }, day(400), rules)
        .ok,
    );
  });
});

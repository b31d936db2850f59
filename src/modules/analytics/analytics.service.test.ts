import { test } from 'node:test';
import assert from 'node:assert/strict';
import { factAsGroup, firstAnsweredAt, splitWindow, summarize } from './analytics.service.ts';
import type { OrderFact } from './analytics.repository.ts';
import { transition } from '../work-orders/work-order.machine.ts';
import type { Action, ActionInput, Status } from '../work-orders/work-order.machine.ts';

function fact(overrides: Partial<OrderFact> = {}): OrderFact {
  return {
    category: 'basic_living',
    grid_id: 'g1',
    assignee_id: 'u1',
    assignee_name: '网格员小李',
    status: 'closed',
    created_at: '2026-03-01T08:00:00.000Z',
    accepted_at: '2026-03-01T08:30:00.000Z',
    closed_at: '2026-03-01T13:00:00.000Z',
    resolved_at: '2026-03-01T12:00:00.000Z',
    rating: 5,
    reopen_count: 0,
    ...overrides,
    // Answered when accepted, unless the case says otherwise.
    first_response_at:
      overrides.first_response_at !== undefined
        ? overrides.first_response_at
        : overrides.accepted_at !== undefined
          ? overrides.accepted_at
          : '2026-03-01T08:30:00.000Z',
  };
}

test('totals average only over the orders that have the measure', () => {
  const d = summarize(
    [
      fact(),
      fact({ status: 'submitted', accepted_at: null, resolved_at: null, rating: null, assignee_id: null }),
      fact({
        rating: 3,
        reopen_count: 1,
        created_at: '2026-04-02T00:00:00.000Z',
        accepted_at: '2026-04-02T01:30:00.000Z',
        resolved_at: '2026-04-02T08:00:00.000Z',
      }),
    ],
    (id) => `grid ${id}`,
    'Asia/Shanghai',
  );
  assert.equal(d.totals.orders, 3);
  assert.equal(d.totals.open, 1);
  assert.equal(d.totals.resolved, 2);
  assert.equal(d.totals.firstResponseMinutes, 60);
  assert.equal(d.totals.resolutionHours, 6);
  assert.equal(d.totals.satisfaction, 4);
  assert.equal(d.totals.reopenRate, 0.5);
});

test('buckets by grid, assignee and month carry names and sort', () => {
  const d = summarize(
    [
      fact(),
      fact({ grid_id: 'g2', created_at: '2026-01-05T00:00:00.000Z', accepted_at: null, resolved_at: null }),
      fact(),
    ],
    (id) => `grid ${id}`,
    'Asia/Shanghai',
  );
  assert.deepEqual(
    d.byGrid.map((b) => [b.key, b.name, b.orders]),
    [
      ['g1', 'grid g1', 2],
      ['g2', 'grid g2', 1],
    ],
  );
  assert.deepEqual(
    d.byMonth.map((b) => b.key),
    ['2026-01', '2026-03'],
  );
  assert.equal(d.byAssignee[0]?.name, '网格员小李');
  assert.equal(d.byMonth[0]?.resolutionHours, null);
});

test('a reopened order counts as reopened while it is worked again (its resolved_at is cleared)', () => {
  const d = summarize(
    [
      fact(),
      fact({ status: 'accepted', resolved_at: null, rating: null, reopen_count: 1 }),
      fact({ status: 'submitted', accepted_at: null, resolved_at: null, rating: null }),
    ],
    (id) => id,
    'Asia/Shanghai',
  );
  assert.equal(d.totals.resolved, 1, 'resolved now, for the resolution time');
  assert.equal(d.totals.resolutionHours, 4);
  assert.equal(d.totals.reopenRate, 0.5, 'one of the two orders ever resolved was reopened');
  assert.equal(d.totals.rated, 1);
});

test("months are the community's local months, not UTC's", () => {
  // 2026-02-28T22:30Z is 1 March 06:30 in Beijing and still 28 February in New York.
  const facts = [
    fact({ created_at: '2026-02-28T22:30:00.000Z' }),
    fact({ created_at: '2026-02-28T15:00:00.000Z' }),
  ];
  assert.deepEqual(
    summarize(facts, (id) => id, 'Asia/Shanghai').byMonth.map((b) => [b.key, b.orders]),
    [
      ['2026-02', 1],
      ['2026-03', 1],
    ],
  );
  assert.deepEqual(
    summarize(facts, (id) => id, 'America/New_York').byMonth.map((b) => [b.key, b.orders]),
    [['2026-02', 2]],
  );
});

test('a window splits into whole local days and the partial days at either end', () => {
  const ms = (iso: string) => Date.parse(iso);
  // Beijing midnights are 16:00 UTC.
  assert.deepEqual(splitWindow(ms('2026-03-01T16:00:00Z'), ms('2026-03-03T16:00:00Z'), 'Asia/Shanghai'), {
    days: { from: '2026-03-02', to: '2026-03-04' },
    edges: [],
  });
  assert.deepEqual(splitWindow(ms('2026-03-01T18:30:00Z'), ms('2026-03-05T02:00:00Z'), 'Asia/Shanghai'), {
    days: { from: '2026-03-03', to: '2026-03-05' },
    edges: [
      ['2026-03-01T18:30:00.000Z', '2026-03-02T16:00:00.000Z'],
      ['2026-03-04T16:00:00.000Z', '2026-03-05T02:00:00.000Z'],
    ],
  });
  // Inside one local day: no whole day, one edge.
  assert.deepEqual(splitWindow(ms('2026-03-01T17:00:00Z'), ms('2026-03-02T15:00:00Z'), 'Asia/Shanghai'), {
    days: null,
    edges: [['2026-03-01T17:00:00.000Z', '2026-03-02T15:00:00.000Z']],
  });
  // A day of 23 hours (New York's spring change) is still one whole day.
  assert.deepEqual(splitWindow(ms('2026-03-08T05:00:00Z'), ms('2026-03-09T04:00:00Z'), 'America/New_York'), {
    days: { from: '2026-03-08', to: '2026-03-09' },
    edges: [],
  });
});

test('rollup groups and single orders fold to the same dashboard', () => {
  const facts = [
    fact(),
    fact({ grid_id: 'g2', rating: 3, reopen_count: 1, created_at: '2026-04-02T00:00:00.000Z' }),
    fact({ status: 'submitted', accepted_at: null, resolved_at: null, rating: null, assignee_id: null }),
  ];
  const asGroups = facts.map((o) => factAsGroup(o, 'Asia/Shanghai'));
  assert.deepEqual(
    summarize([], (id) => id, 'Asia/Shanghai', { main: asGroups, byAssignee: asGroups }),
    summarize(facts, (id) => id, 'Asia/Shanghai'),
  );
});

test('an order is answered by a step out of the queue only: a cancelled or merged one never was, whatever follows', () => {
  const at = '2026-03-01T09:00:00.000Z';
  const queued = { resumeStatus: null, assigneeId: null, closedAt: null };
  const answer = (status: Status, action: Action, input: ActionInput = {}) => {
    const t = transition({ ...queued, status }, action, input, at);
    assert.ok(t.ok, `${action} from ${status}`);
    return t.patch.first_response_at;
  };
  assert.equal(answer('submitted', 'accept'), at);
  assert.equal(answer('submitted', 'dispatch', { assigneeId: 'u1' }), at);
  assert.equal(answer('submitted', 'refer', { referredTo: '区市政管理处' }), at);
  assert.equal(answer('submitted', 'dismiss', { reason: '不属于社区' }), at);
  assert.equal(answer('submitted', 'merge', { mergeInto: 'o2' }), undefined);
  assert.equal(answer('submitted', 'cancel'), undefined);
  // Later steps keep the first answer, or its absence (a duplicate sent back to work is `accepted`).
  assert.equal(answer('accepted', 'dispatch', { assigneeId: 'u1' }), undefined);
  assert.equal(answer('accepted', 'refer', { referredTo: '区市政管理处' }), undefined);
  assert.equal(answer('accepted', 'dismiss', { reason: '不属于社区' }), undefined);
  const referred = factAsGroup(
    fact({
      status: 'referred',
      accepted_at: null,
      first_response_at: '2026-03-01T08:20:00.000Z',
      resolved_at: null,
      rating: null,
      closed_at: '2026-03-01T08:20:00.000Z',
    }),
    'Asia/Shanghai',
  );
  assert.equal(referred.responded, 1);
  assert.equal(referred.response_ms, 20 * 60_000);
  assert.equal(
    firstAnsweredAt(fact({ status: 'not_actionable', accepted_at: null, first_response_at: null })),
    null,
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addBusinessMinutes, businessMinutesBetween } from './business-time.ts';
import { computeSlaState } from './sla.state.ts';
import type { SlaEvent, SlaState } from './sla.state.ts';
import { buildChinaCalendar, buildPolicy } from './sla.fixtures.ts';

const cal = buildChinaCalendar();
const policy = buildPolicy({ firstResponseMinutes: 120, resolutionMinutes: 960, updateIntervalMinutes: 240 });
/** Shanghai wall-clock time. */
const sh = (local: string) => Date.parse(`${local}:00+08:00`);
const shIso = (ms: number | null) =>
  ms === null ? null : new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);

// Thursday before Qingming (Apr 4-6 off), paused over the holiday waiting on the resident.
const history: SlaEvent[] = [
  { type: 'submitted', at: sh('2026-04-02T16:00') },
  { type: 'accepted', at: sh('2026-04-02T17:20') },
  { type: 'paused', at: sh('2026-04-03T10:00'), reason: 'waiting_on_resident' },
  { type: 'resumed', at: new Date(sh('2026-04-07T10:00')) },
  { type: 'updated', at: sh('2026-04-07T11:00') },
  { type: 'resolved', at: sh('2026-04-08T15:00') },
];

function stateOf(events: SlaEvent[], asOf?: number): SlaState {
  const r = computeSlaState(policy, cal, events, asOf);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

test('scripted history with a pause over a holiday: exact metrics', () => {
  const s = stateOf(history);
  assert.equal(s.status, 'resolved');
  assert.deepEqual(
    [
      s.firstResponse.elapsedMinutes,
      s.firstResponse.met,
      shIso(s.firstResponse.dueAt),
      s.firstResponse.warned,
    ],
    [80, true, '2026-04-02T18:00', false],
  );
  // Thu 16-18 (120) + Fri 9-10 (60) + Tue 10-18 less lunch (420) + Wed 9-12, 13-15 (300).
  assert.equal(s.resolution.elapsedMinutes, 900);
  // Fri 10-12, 13-18 and Tue 9-10 paused; Sat-Mon are weekend and Qingming.
  assert.equal(s.pausedMinutes, 480);
  assert.equal(s.resolution.pausedMinutes, 480);
  assert.equal(s.pausedWallMinutes, 4 * 24 * 60);
  assert.equal(shIso(s.resolution.dueAt), '2026-04-08T16:00');
  assert.equal(s.resolution.dueAt, addBusinessMinutes(cal, sh('2026-04-02T16:00'), 960 + 480));
  assert.equal(shIso(s.resolution.warnAt), '2026-04-08T11:00');
  assert.deepEqual([s.resolution.warned, s.resolution.breached, s.resolution.met], [true, false, true]);
  assert.equal(s.resolution.remainingMinutes, 60);
  // The update clock restarted at 11:00 Tuesday and nobody wrote again within 240 minutes.
  assert.deepEqual([s.update?.breached, shIso(s.update?.breachedAt ?? null)], [true, '2026-04-07T16:00']);
  assert.deepEqual(s.nextTimers, []);
});

test('while paused the deadline is open and no timers run', () => {
  const s = stateOf(history, sh('2026-04-03T12:00'));
  assert.equal(s.status, 'paused');
  assert.equal(s.resolution.status, 'paused');
  assert.equal(s.resolution.elapsedMinutes, 180);
  assert.equal(s.pausedMinutes, 120);
  assert.equal(s.pausedWallMinutes, 120);
  assert.equal(s.resolution.dueAt, null);
  assert.deepEqual(s.nextTimers, []);
});

test('after resuming, the timers to schedule are the future warn and breach instants', () => {
  const s = stateOf(history, sh('2026-04-07T10:30'));
  assert.equal(s.status, 'open');
  assert.deepEqual(
    s.nextTimers.map((t) => [t.clock, t.kind, shIso(t.at)]),
    [
      ['update', 'breach', '2026-04-07T13:20'],
      ['resolution', 'warn', '2026-04-08T11:00'],
      ['resolution', 'breach', '2026-04-08T16:00'],
    ],
  );
  assert.match(s.nextTimers[2]?.key ?? '', /^resolution:breach:2026-04-08T08:00:00/);
});

test('a reopen continues the resolution clock from where it stopped', () => {
  const reopened = [
    ...history,
    { type: 'reopened', at: sh('2026-04-09T09:30') },
    { type: 'resolved', at: sh('2026-04-09T11:30') },
  ] satisfies SlaEvent[];
  const open = stateOf(reopened, sh('2026-04-09T10:00'));
  assert.equal(open.resolution.elapsedMinutes, 930);
  assert.equal(open.resolution.met, null);
  assert.equal(shIso(open.resolution.dueAt), '2026-04-09T10:30');
  const s = stateOf(reopened);
  assert.equal(s.reopenCount, 1);
  assert.equal(s.resolution.elapsedMinutes, 1020);
  assert.deepEqual([s.resolution.breached, s.resolution.met], [true, false]);
  assert.equal(shIso(s.resolution.breachedAt), '2026-04-09T10:30');
  // First response is not re-run by a reopen.
  assert.equal(s.firstResponse.met, true);
});

test('boundaries: a stop at the due instant is on time; an open clock at its due instant has breached', () => {
  const submitted = sh('2026-04-02T16:00');
  const due = sh('2026-04-02T18:00');
  const onTime = stateOf([
    { type: 'submitted', at: submitted },
    { type: 'accepted', at: due },
  ]);
  assert.deepEqual([onTime.firstResponse.met, onTime.firstResponse.breached], [true, false]);
  const atDue = stateOf([{ type: 'submitted', at: submitted }], due);
  assert.deepEqual([atDue.firstResponse.breached, atDue.firstResponse.breachedAt], [true, due]);
  // Accepting next morning before opening time is still after the deadline.
  const late = stateOf([
    { type: 'submitted', at: submitted },
    { type: 'accepted', at: sh('2026-04-03T08:30') },
  ]);
  assert.deepEqual([late.firstResponse.elapsedMinutes, late.firstResponse.met], [120, false]);
});

test('catching up after downtime reports breaches in the past and schedules only the future', () => {
  const s = stateOf([{ type: 'submitted', at: sh('2026-04-02T16:00') }], sh('2026-04-03T12:00'));
  assert.equal(s.firstResponse.breached, true);
  assert.equal(shIso(s.firstResponse.breachedAt), '2026-04-02T18:00');
  assert.ok(s.nextTimers.every((t) => t.at > s.asOf));
  assert.deepEqual(
    s.nextTimers.map((t) => [t.clock, t.kind]),
    [
      ['resolution', 'warn'],
      ['resolution', 'breach'],
    ],
  );
});

test('bad histories are refused', () => {
  const codes = (events: SlaEvent[]) => {
    const r = computeSlaState(policy, cal, events);
    return r.ok ? null : [r.errors[0]?.code, r.errors[0]?.field];
  };
  assert.deepEqual(codes([]), ['history_invalid', 'history']);
  assert.deepEqual(
    codes([
      { type: 'accepted', at: 1 },
      { type: 'submitted', at: 2 },
    ]),
    ['history_invalid', 'history'],
  );
  assert.deepEqual(codes([{ type: 'submitted', at: Number.NaN }]), ['history_invalid', 'history[0].at']);
  assert.deepEqual(computeSlaState({ ...policy, calendarId: 'other' }, cal, history).ok, false);
});

test('property: elapsed + paused covers the whole span; deadlines shift by exactly the paused time', () => {
  const start = sh('2026-01-05T08:00');
  const eventArb = fc
    .array(fc.integer({ min: 1, max: 40 * 24 * 60 }), { minLength: 1, maxLength: 9 })
    .map((ms) => {
      const times = [...new Set(ms)].sort((a, b) => a - b).map((m) => start + m * 60_000);
      const events: SlaEvent[] = [{ type: 'submitted', at: start }];
      times.slice(0, -1).forEach((t, i) => events.push({ type: i % 2 === 0 ? 'paused' : 'resumed', at: t }));
      events.push({ type: 'resolved', at: times[times.length - 1] ?? start });
      return events;
    });
  fc.assert(
    fc.property(eventArb, fc.integer({ min: 1, max: 6000 }), (events, target) => {
      const p = buildPolicy({ firstResponseMinutes: Math.min(60, target), resolutionMinutes: target });
      const r = computeSlaState(p, cal, events);
      assert.ok(r.ok);
      const { resolution: res } = r.value;
      const end = events[events.length - 1]?.at ?? start;
      assert.equal(res.elapsedMinutes + res.pausedMinutes, businessMinutesBetween(cal, start, end));
      if (res.breached) assert.ok(res.elapsedMinutes >= target);
      else {
        assert.ok(res.elapsedMinutes <= target);
        assert.equal(res.dueAt, addBusinessMinutes(cal, start, target + res.pausedMinutes));
        assert.equal(res.met, true);
      }
    }),
    { numRuns: 200 },
  );
});

test('an order that leaves unresolved: deadlines still running are withdrawn, breaches stand', () => {
  const submitted: SlaEvent = { type: 'submitted', at: sh('2026-04-08T09:00') };
  const clocks = (s: SlaState) => [s.status, s.firstResponse.met, s.resolution.met, s.nextTimers.length];
  // Cancelled (or merged) within both targets: neither is owed, so neither is met.
  const early = stateOf([submitted, { type: 'cancelled', at: sh('2026-04-08T10:00') }]);
  assert.deepEqual(clocks(early), ['cancelled', null, null, 0]);
  assert.deepEqual([early.firstResponse.status, early.resolution.status], ['withdrawn', 'withdrawn']);
  // Answered on time, then cancelled: the response was given; the resolution was never owed.
  const answered = stateOf([
    submitted,
    { type: 'accepted', at: sh('2026-04-08T10:00') },
    { type: 'cancelled', at: sh('2026-04-08T11:00') },
  ]);
  assert.deepEqual(clocks(answered), ['cancelled', true, null, 0]);
  // Cancelled after the first-response deadline (11:00) passed: that breach stands.
  const late = stateOf([submitted, { type: 'cancelled', at: sh('2026-04-08T12:00') }]);
  assert.deepEqual(clocks(late), ['cancelled', false, null, 0]);
  assert.equal(shIso(late.firstResponse.breachedAt), '2026-04-08T11:00');
  // Referred or not actionable: answered (on time), but not resolved.
  const referred = stateOf([submitted, { type: 'closed_unresolved', at: sh('2026-04-08T10:00') }]);
  assert.deepEqual(clocks(referred), ['closed_unresolved', true, null, 0]);
  assert.deepEqual(
    [referred.firstResponse.stoppedAt, referred.resolution.status],
    [sh('2026-04-08T10:00'), 'withdrawn'],
  );
  // Referred after both deadlines passed (16 business hours: Thursday 18:00): both breaches stand.
  const referredLate = stateOf([submitted, { type: 'closed_unresolved', at: sh('2026-04-10T10:00') }]);
  assert.deepEqual(clocks(referredLate), ['closed_unresolved', false, false, 0]);
  assert.equal(shIso(referredLate.resolution.breachedAt), '2026-04-09T18:00');
  // Neither comes back with a reopen.
  const reopened = stateOf([
    submitted,
    { type: 'closed_unresolved', at: sh('2026-04-08T10:00') },
    { type: 'reopened', at: sh('2026-04-08T11:00') },
  ]);
  assert.deepEqual(clocks(reopened), ['closed_unresolved', true, null, 0]);
});

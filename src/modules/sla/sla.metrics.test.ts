import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workingIntervalsOn } from './business-time.ts';
import { CN_HOLIDAY_FILES } from './holidays.ts';
import { computeSlaState } from './sla.state.ts';
import { buildChinaCalendar, buildPolicy } from './sla.fixtures.ts';
import {
  bandOf,
  effectiveCalendar,
  metricsOf,
  monthOf,
  policyFromRow,
  policyToRow,
  slaEventOf,
  toSlaEvents,
} from './sla.metrics.ts';
import type { HistoryEntry, StoredPolicy } from './sla.metrics.ts';

test('lifecycle actions map onto SLA events; waiting pauses the clocks', () => {
  assert.equal(slaEventOf('created'), 'submitted');
  assert.equal(slaEventOf('dispatch'), 'accepted');
  assert.equal(slaEventOf('wait'), 'paused');
  assert.equal(slaEventOf('resume'), 'resumed');
  assert.equal(slaEventOf('auto_close'), 'closed');
  assert.equal(slaEventOf('reopen'), 'reopened');
  assert.equal(slaEventOf('merge'), 'cancelled');
  assert.equal(slaEventOf('cancel'), 'cancelled');
  assert.equal(slaEventOf('refer'), 'closed_unresolved');
  assert.equal(slaEventOf('dismiss'), 'closed_unresolved');
  assert.equal(slaEventOf('note'), null);
  assert.equal(slaEventOf('sla_breached'), null);
  assert.equal(bandOf('P1'), 'P1');
  assert.equal(bandOf('urgent'), 'P3');
});

test('stored metrics of a replayed history: deadlines, times taken, met flags, pauses', () => {
  const sh = (local: string) => new Date(`${local}:00+08:00`).toISOString();
  const history: HistoryEntry[] = [
    { type: 'submitted', at: sh('2026-04-02T16:00') },
    { type: 'accepted', at: sh('2026-04-02T17:20') },
    { type: 'paused', at: sh('2026-04-03T10:00') },
    { type: 'resumed', at: sh('2026-04-07T10:00') },
    { type: 'resolved', at: sh('2026-04-08T15:00') },
  ];
  const r = computeSlaState(buildPolicy(), buildChinaCalendar(), toSlaEvents(history));
  assert.ok(r.ok);
  const m = metricsOf(r.value);
  assert.equal(m.sla_status, 'resolved');
  assert.deepEqual(
    [m.first_response_minutes, m.first_response_met, m.first_response_at],
    [80, 1, sh('2026-04-02T17:20')],
  );
  assert.deepEqual(
    [m.resolution_minutes, m.resolution_met, m.resolution_at],
    [900, 1, sh('2026-04-08T15:00')],
  );
  assert.equal(m.paused_minutes, 480, 'Fri and Tue office hours; the Qingming weekend is not working time');
  assert.equal(m.paused_wall_minutes, 4 * 1440);
  assert.equal(m.resolution_breached_at, null);
  assert.equal(monthOf('Asia/Shanghai', '2026-04-30T17:00:00.000Z'), '2026-05', 'local month');
});

test('stored metrics of an order referred elsewhere: answered, neither resolved nor resolution met', () => {
  const sh = (local: string) => new Date(`${local}:00+08:00`).toISOString();
  const history: HistoryEntry[] = [
    { type: 'submitted', at: sh('2026-04-08T09:00') },
    { type: slaEventOf('refer') ?? 'closed', at: sh('2026-04-08T10:00') },
  ];
  const r = computeSlaState(buildPolicy(), buildChinaCalendar(), toSlaEvents(history));
  assert.ok(r.ok);
  const m = metricsOf(r.value);
  assert.deepEqual(
    [m.sla_status, m.first_response_met, m.first_response_at, m.first_response_minutes],
    ['closed_unresolved', 1, sh('2026-04-08T10:00'), 60],
  );
  assert.deepEqual([m.resolution_met, m.resolution_at, m.resolution_breached_at], [null, null, null]);
});

test('a policy survives the round trip through its row', () => {
  const p: StoredPolicy = {
    ...buildPolicy({ channel: 'hotline', updateIntervalMinutes: 60, warnAtRatio: 0.5 }),
    escalationStepMinutes: 30,
  };
  assert.deepEqual(policyFromRow(policyToRow(p, '2026-01-01T00:00:00.000Z')), p);
});

test("a calendar's own dates stand over its region's holiday files, in the files' years too", () => {
  const weekday = [{ start: '09:00', end: '17:00' }];
  const row = {
    id: 'office',
    name: '社区服务中心',
    time_zone: 'Asia/Shanghai',
    mode: 'business',
    weekly_json: JSON.stringify({ 1: weekday, 2: weekday, 3: weekday, 4: weekday, 5: weekday }),
    // A local closure on a Thursday, the centre open on the last day of National Day, closed on a
    // make-up Sunday, and a closure in a year no file covers.
    holidays_json: JSON.stringify(['2026-09-20', '2026-12-24', '2028-03-01']),
    workdays_json: JSON.stringify(['2026-10-07']),
    workday_hours_from: 1,
    holiday_region: 'cn',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
  };
  const cal = effectiveCalendar(row, Object.values(CN_HOLIDAY_FILES));
  const works = (date: string) => workingIntervalsOn(cal, date).length > 0;
  assert.equal(works('2026-12-24'), false, 'the local closure');
  assert.equal(works('2026-10-07'), true, 'opened on a national holiday');
  assert.equal(works('2026-09-20'), false, 'closed on a make-up Sunday');
  assert.equal(works('2028-03-01'), false);
  // The region's notice still applies everywhere else.
  assert.equal(works('2026-10-06'), false);
  assert.equal(works('2026-10-10'), true, 'the make-up Saturday');
  assert.equal(works('2026-12-23'), true);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeSlaState } from './sla.state.ts';
import { buildChinaCalendar, buildPolicy } from './sla.fixtures.ts';
import {
  bandOf,
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

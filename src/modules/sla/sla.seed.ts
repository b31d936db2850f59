/**
 * Default SLA settings for a new deployment (the demo seeds them): an office-hours calendar with
 * the mainland-China holiday files, a round-the-clock calendar for emergencies, a policy per
 * priority band plus stricter ones for safety and elderly care; then the stored metrics of the
 * orders already in the database, so reports cover the history. Idempotent.
 */
import type { Database } from '../../platform/db/database.ts';
import { newId } from '../../platform/ids.ts';
import { CN_HOLIDAY_FILES } from './holidays.ts';
import { selectPolicy } from './sla.policy.ts';
import { computeSlaState } from './sla.state.ts';
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
import * as repo from './sla.repository.ts';
import { clockTimer, entriesOf } from './sla.clock-timer.ts';

const OFFICE = [
  { start: '08:30', end: '12:00' },
  { start: '13:30', end: '17:30' },
];
const CHAIN = ['dispatcher', 'community_head', 'street'];

export const DEFAULT_POLICIES: StoredPolicy[] = [
  {
    id: 'safety-p1',
    category: 'safety_emergency',
    priorityBand: 'P1',
    calendarId: '24x7',
    firstResponseMinutes: 5,
    resolutionMinutes: 120,
    warnAtRatio: 0.5,
    escalationChain: CHAIN,
    escalationStepMinutes: 15,
  },
  {
    id: 'elderly-p2',
    category: 'elderly_care',
    priorityBand: 'P2',
    calendarId: '24x7',
    firstResponseMinutes: 30,
    resolutionMinutes: 480,
    updateIntervalMinutes: 240,
    escalationChain: CHAIN,
    escalationStepMinutes: 60,
  },
  {
    id: 'default-p1',
    category: '*',
    priorityBand: 'P1',
    calendarId: '24x7',
    firstResponseMinutes: 15,
    resolutionMinutes: 240,
    escalationChain: CHAIN,
    escalationStepMinutes: 30,
  },
  {
    id: 'default-p2',
    category: '*',
    priorityBand: 'P2',
    calendarId: 'office',
    firstResponseMinutes: 60,
    resolutionMinutes: 450,
    escalationChain: CHAIN,
    escalationStepMinutes: 120,
  },
  {
    id: 'default-p3',
    category: '*',
    priorityBand: 'P3',
    calendarId: 'office',
    firstResponseMinutes: 240,
    resolutionMinutes: 1350,
    escalationChain: CHAIN,
    escalationStepMinutes: 240,
  },
  {
    id: 'default-p4',
    category: '*',
    priorityBand: 'P4',
    calendarId: 'office',
    firstResponseMinutes: 450,
    resolutionMinutes: 4500,
    escalationChain: CHAIN,
    escalationStepMinutes: 450,
  },
];

export async function seedSla(database: Database, now: Date = new Date()): Promise<{ backfilled: number }> {
  const db = database.db;
  const at = now.toISOString();
  if ((await repo.countRows(db, 'sla_calendars')) === 0) {
    const base = {
      holidays_json: '[]',
      workdays_json: '[]',
      workday_hours_from: 1,
      created_at: at,
      updated_at: at,
    };
    await repo.upsertCalendar(db, {
      ...base,
      id: 'office',
      name: '社区服务中心工作时间',
      time_zone: 'Asia/Shanghai',
      mode: 'business',
      weekly_json: JSON.stringify({ 1: OFFICE, 2: OFFICE, 3: OFFICE, 4: OFFICE, 5: OFFICE }),
      holiday_region: 'cn',
    });
    await repo.upsertCalendar(db, {
      ...base,
      id: '24x7',
      name: '全天候（应急）',
      time_zone: 'Asia/Shanghai',
      mode: '24x7',
      weekly_json: '{}',
      holiday_region: null,
    });
    for (const f of Object.values(CN_HOLIDAY_FILES))
      await repo.upsertHolidayFile(db, {
        region: 'cn',
        year: f.year,
        file_json: JSON.stringify(f),
        provisional: f.provisional ? 1 : 0,
        imported_at: at,
        imported_by: 'system',
      });
  }
  if ((await repo.countRows(db, 'sla_policies')) === 0)
    for (const p of DEFAULT_POLICIES) await repo.insertPolicy(db, policyToRow(p, at));
  return { backfilled: await backfillMetrics(database, now) };
}

/** Stores the SLA metrics of orders that have none, replaying their timelines as of `now`. */
export async function backfillMetrics(database: Database, now: Date): Promise<number> {
  const db = database.db;
  const nowMs = now.getTime();
  const nowIso = now.toISOString();
  const stored = (await repo.listPolicyRows(db)).map(policyFromRow);
  const files = Object.values(CN_HOLIDAY_FILES);
  const calendars = new Map(
    (await repo.listCalendarRows(db)).map((c) => [
      c.id,
      effectiveCalendar(c, c.holiday_region === 'cn' ? files : []),
    ]),
  );
  let done = 0;
  for (;;) {
    const orders = await repo.ordersWithoutMetrics(db, 500);
    if (orders.length === 0) break;
    const events = await repo.eventsOfOrders(
      db,
      orders.map((o) => o.id),
    );
    const byOrder = new Map<string, HistoryEntry[]>();
    for (const e of events) {
      const type = slaEventOf(e.type);
      if (!type) continue;
      const list = byOrder.get(e.work_order_id) ?? [];
      list.push({ type, at: e.created_at });
      byOrder.set(e.work_order_id, list);
    }
    let progressed = 0;
    await db.transaction().execute(async (trx) => {
      for (const o of orders) {
        const policy = selectPolicy(stored, {
          category: o.subcategory ?? o.category,
          priorityBand: bandOf(o.priority),
          channel: o.channel,
          communityId: o.community_id,
        });
        const calendar = policy ? calendars.get(policy.calendarId) : undefined;
        const history = byOrder.get(o.id) ?? [{ type: 'submitted' as const, at: o.created_at }];
        if (history[0]?.type !== 'submitted') history.unshift({ type: 'submitted', at: o.created_at });
        if (!policy || !calendar) continue;
        const r = computeSlaState(
          policy,
          calendar,
          toSlaEvents(history),
          Math.max(nowMs, Date.parse(o.updated_at)),
        );
        if (!r.ok) continue;
        await repo.insertMetrics(trx, {
          work_order_id: o.id,
          community_id: o.community_id,
          policy_id: policy.id,
          policy_json: JSON.stringify(policy),
          calendar_id: calendar.id,
          category: o.category,
          priority: o.priority,
          channel: o.channel,
          grid_id: o.grid_id,
          assignee_id: o.assignee_id,
          submitted_at: o.created_at,
          month: monthOf('Asia/Shanghai', o.created_at),
          first_response_warned_at: null,
          resolution_warned_at: null,
          escalation_level: null,
          escalated_at: null,
          history_json: JSON.stringify(history),
          updated_at: nowIso,
          ...metricsOf(r.value),
        });
        progressed += 1;
        const timer = clockTimer(o.id, o.community_id, entriesOf(o.id, r.value));
        if (timer) await repo.armTimer(trx, newId(), timer, nowIso);
      }
    });
    done += progressed;
    if (progressed === 0 || orders.length < 500) break;
  }
  return done;
}

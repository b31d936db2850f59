import { sql } from 'kysely';
import { migrationMeter } from '../migration-progress.ts';
import type { Kysely } from 'kysely';
import type { BusinessCalendar } from '../../../modules/sla/calendar.ts';
import {
  effectiveCalendar,
  historyOf,
  holidayFilesByRegion,
  metricsOf,
  toSlaEvents,
} from '../../../modules/sla/sla.metrics.ts';
import type { MetricsValues, StoredPolicy } from '../../../modules/sla/sla.metrics.ts';
import { computeSlaState } from '../../../modules/sla/sla.state.ts';
import type {
  SlaCalendarTable,
  SlaHolidayFileTable,
  SlaOrderMetricsTable,
} from '../../../modules/sla/sla.tables.ts';

/**
 * SLA metrics of orders that left without a resolution, recomputed under the rules that now
 * apply. Before, cancelling or merging an order stopped its clocks as met and the compliance
 * report left the order out whole, so a breach vanished with it; referring an order elsewhere or
 * dismissing it as not actionable closed it as resolved on time. Now a deadline still running
 * when the order leaves is withdrawn (neither met nor breached), one breached before stays
 * breached, and a referred or not-actionable order counts as answered but not as resolved.
 *
 * The timelines are replayed with the SLA module's own functions, so old rows read as new ones
 * are written; a row whose calendar is gone or whose replay fails is left as it was.
 */
const PAGE = 500;

/** The order statuses an order reaches by leaving unresolved (cancel, merge, refer, dismiss). */
const UNRESOLVED = ['cancelled', 'duplicate', 'referred', 'not_actionable'];

export async function up(db: Kysely<unknown>): Promise<void> {
  await recomputeUnresolvedClosures(db);
}

/** Data only: the rows stay valid for the code before this migration, which rewrites them when it next touches one. */
export async function down(): Promise<void> {}

type MetricsColumns = MetricsValues & Pick<SlaOrderMetricsTable, 'history_json'>;
type Row = MetricsColumns &
  Pick<SlaOrderMetricsTable, 'work_order_id' | 'policy_json' | 'calendar_id'> & {
    created_at: string;
  };

/** Recomputes the metrics of every order closed unresolved, `page` orders at a time; returns how many changed (exported for its test). */
export async function recomputeUnresolvedClosures(db: Kysely<unknown>, page = PAGE): Promise<number> {
  const calendars = await loadCalendars(db);
  const statuses = sql.join(UNRESOLVED.map((s) => sql`${s}`));
  const meter = migrationMeter('recomputing the deadlines of orders closed unresolved', 'orders');
  let after = '';
  let changed = 0;
  let read = 0;
  for (;;) {
    const rows = (
      await sql<Row>`select m.*, o.created_at from sla_order_metrics m
        join work_orders o on o.id = m.work_order_id
        where m.work_order_id > ${after} and o.status in (${statuses})
        order by m.work_order_id limit ${page}`.execute(db)
    ).rows;
    const last = rows[rows.length - 1];
    if (!last) break;
    after = last.work_order_id;
    read += rows.length;
    meter.update(read);
    const ids = sql.join(rows.map((r) => sql`${r.work_order_id}`));
    const events = (
      await sql<{ work_order_id: string; type: string; created_at: string }>`
        select work_order_id, type, created_at from work_order_events where work_order_id in (${ids})
        order by work_order_id, created_at, id`.execute(db)
    ).rows;
    const byOrder = new Map<string, typeof events>();
    for (const e of events) byOrder.set(e.work_order_id, [...(byOrder.get(e.work_order_id) ?? []), e]);
    for (const row of rows) {
      const next = recomputed(row, calendars, byOrder.get(row.work_order_id) ?? []);
      if (!next || same(row, next)) continue;
      await sql`update sla_order_metrics set
          sla_status = ${next.sla_status},
          first_response_due_at = ${next.first_response_due_at},
          first_response_at = ${next.first_response_at},
          first_response_minutes = ${next.first_response_minutes},
          first_response_met = ${next.first_response_met},
          first_response_breached_at = ${next.first_response_breached_at},
          resolution_due_at = ${next.resolution_due_at},
          resolution_at = ${next.resolution_at},
          resolution_minutes = ${next.resolution_minutes},
          resolution_met = ${next.resolution_met},
          resolution_breached_at = ${next.resolution_breached_at},
          update_due_at = ${next.update_due_at},
          paused_minutes = ${next.paused_minutes},
          paused_wall_minutes = ${next.paused_wall_minutes},
          reopen_count = ${next.reopen_count},
          history_json = ${next.history_json}
        where work_order_id = ${row.work_order_id}`.execute(db);
      changed += 1;
    }
  }
  meter.finish();
  return changed;
}

/** Effective calendars by id, as the SLA catalogue builds them; a calendar that fails validation is left out. */
async function loadCalendars(db: Kysely<unknown>): Promise<Map<string, BusinessCalendar>> {
  const rows = (await sql<SlaCalendarTable>`select * from sla_calendars`.execute(db)).rows;
  const files = holidayFilesByRegion(
    (await sql<SlaHolidayFileTable>`select * from sla_holiday_files`.execute(db)).rows,
  );
  const out = new Map<string, BusinessCalendar>();
  for (const row of rows) {
    try {
      out.set(
        row.id,
        effectiveCalendar(row, row.holiday_region ? (files.get(row.holiday_region) ?? []) : []),
      );
    } catch {
      // An invalid stored calendar: its orders keep their rows.
    }
  }
  return out;
}

function recomputed(
  row: Row,
  calendars: Map<string, BusinessCalendar>,
  events: readonly { type: string; created_at: string }[],
): MetricsColumns | null {
  const calendar = calendars.get(row.calendar_id);
  if (!calendar) return null;
  const history = historyOf(row.created_at, events);
  const r = computeSlaState(JSON.parse(row.policy_json) as StoredPolicy, calendar, toSlaEvents(history));
  if (!r.ok) return null;
  return { ...metricsOf(r.value), history_json: JSON.stringify(history) };
}

/** Compared as text: PostgreSQL and SQLite return numbers and flags in their own types. */
function same(row: Row, next: MetricsColumns): boolean {
  return (Object.keys(next) as (keyof MetricsColumns)[]).every((k) => {
    const a = row[k];
    const b = next[k];
    if (a === null || b === null) return a === b;
    return typeof b === 'number' ? Number(a) === b : String(a) === String(b);
  });
}

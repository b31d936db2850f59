import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { freshDatabase } from '../../../test/helpers.ts';
import * as migration from '../../platform/db/migrations/2026112160_sla_clock_timers.ts';
import type { SlaTables } from './sla.tables.ts';
import type { TimerRow } from './sla.repository.ts';
import {
  CLOCK_TIMER_KIND,
  clockTimer,
  clockTimerKey,
  entriesOf,
  entriesOfRow,
  expandClockTimers,
  owedEntries,
  splitDue,
} from './sla.clock-timer.ts';
import { computeSlaState } from './sla.state.ts';
import type { SlaEvent } from './sla.state.ts';
import { buildCalendar, buildPolicy } from './sla.fixtures.ts';
import type { ClockTimerEntry } from './sla.clock-timer.ts';

const at = (min: number) => new Date(Date.UTC(2026, 10, 21, 0, min)).toISOString();
const entry = (clock: ClockTimerEntry['clock'], kind: ClockTimerEntry['kind'], min: number) => ({
  clock,
  kind,
  at: at(min),
  key: `sla:o1:${clock}:${kind}:${at(min)}`,
});

function row(timer: NonNullable<ReturnType<typeof clockTimer>>, status = 'pending'): TimerRow {
  return {
    id: 't1',
    key: timer.key,
    kind: timer.kind,
    work_order_id: timer.workOrderId,
    community_id: timer.communityId,
    due_at: timer.dueAt,
    status,
    attempts: 0,
    lease_until: null,
    last_error: null,
    payload_json: JSON.stringify(timer.payload),
    created_at: at(0),
    fired_at: null,
  };
}

describe('an order’s SLA clock timer', () => {
  it('is one row per order, due at its earliest entry; none when nothing is pending', () => {
    const entries = [entry('resolution', 'breach', 30), entry('first_response', 'warn', 8)];
    const t = clockTimer('o1', 'c1', entries);
    assert.ok(t);
    assert.equal(t.key, clockTimerKey('o1'));
    assert.equal(t.kind, CLOCK_TIMER_KIND);
    assert.equal(t.dueAt, at(8));
    assert.deepEqual(entriesOfRow(row(t)), entries);
    assert.equal(clockTimer('o1', 'c1', []), null);
  });

  it('reads as the warnings and breaches it holds', () => {
    const t = clockTimer('o1', 'c1', [entry('resolution', 'breach', 30), entry('first_response', 'warn', 8)]);
    assert.ok(t);
    const other = { ...row(t), id: 't2', key: 'reminder:o1', kind: 'reminder', due_at: at(20) };
    const shown = expandClockTimers([row(t), other]);
    assert.deepEqual(
      shown.map((r) => [r.kind, r.due_at]),
      [
        ['warn', at(8)],
        ['reminder', at(20)],
        ['breach', at(30)],
      ],
    );
    assert.deepEqual(JSON.parse(shown[0]?.payload_json ?? '{}'), { clock: 'first_response' });
  });

  it('fires every entry exactly once and in time order, whenever the worker runs', () => {
    // The worker wakes at arbitrary instants (late, after downtime); each wake handles what is
    // due and re-arms the rest: the same firings, in the same order, as one row per entry.
    const entryArb = fc.record({
      clock: fc.constantFrom('first_response' as const, 'resolution' as const, 'update' as const),
      kind: fc.constantFrom('warn' as const, 'breach' as const),
      min: fc.integer({ min: 0, max: 600 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(entryArb, { selector: (e) => `${e.clock}:${e.kind}`, maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 700 }), { maxLength: 10 }),
        (specs, wakes) => {
          const entries = specs.map((e) => entry(e.clock, e.kind, e.min));
          let pending = clockTimer('o1', 'c1', entries);
          const fired: string[] = [];
          for (const w of [...wakes, 700].sort((a, b) => a - b)) {
            if (!pending || pending.dueAt > at(w)) continue;
            const { due, later } = splitDue(entriesOfRow(row(pending)), at(w));
            pending = clockTimer('o1', 'c1', later);
            for (const e of due) fired.push(e.key);
          }
          assert.equal(pending, null);
          const expected = [...entries]
            .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
            .map((e) => e.key);
          assert.deepEqual(
            fired.map((k) => k.split(':').slice(-3).join(':')),
            expected.map((k) => k.split(':').slice(-3).join(':')),
          );
          assert.equal(new Set(fired).size, entries.length);
        },
      ),
    );
  });
});

describe('breaches owed an announcement after a change', () => {
  const calendar = buildCalendar({ id: '24x7', mode: '24x7', weekly: {} });
  const policy = buildPolicy({ calendarId: '24x7', firstResponseMinutes: 10, resolutionMinutes: 30 });
  const ms = (min: number) => Date.parse(at(min));
  const stateAt = (history: SlaEvent[], min: number) => {
    const r = computeSlaState(policy, calendar, history, ms(min));
    assert.ok(r.ok);
    return r.value;
  };
  const accepted: SlaEvent[] = [
    { type: 'submitted', at: ms(0) },
    { type: 'accepted', at: ms(1) },
  ];
  const none = { first_response_breached_at: null, resolution_breached_at: null };
  const shown = (entries: ClockTimerEntry[]) => entries.map((e) => `${e.clock} ${e.kind} ${e.at}`);

  it('keeps entries that fell due and have not fired, while the order is open or on hold', () => {
    const due = entry('resolution', 'breach', 30);
    const open = stateAt(accepted, 31);
    assert.deepEqual(
      shown(owedEntries('o1', open, [due], { ...none, resolution_breached_at: at(30) }, at(31))),
      [`resolution breach ${at(30)}`],
    );
    const held = stateAt([...accepted, { type: 'paused', at: ms(31) }], 31);
    assert.deepEqual(shown(owedEntries('o1', held, [due], none, at(31))), [`resolution breach ${at(30)}`]);
    // Entries not due yet are the state's to decide.
    assert.deepEqual(
      owedEntries('o1', stateAt(accepted, 20), [due], none, at(20)),
      entriesOf('o1', stateAt(accepted, 20)),
    );
  });

  it('announces at once a breach the change reveals on a running clock, once', () => {
    const late = stateAt(accepted, 40);
    assert.deepEqual(shown(owedEntries('o1', late, [], none, at(40))), [`resolution breach ${at(40)}`]);
    assert.deepEqual(owedEntries('o1', late, [], { ...none, resolution_breached_at: at(30) }, at(40)), []);
    // First response was answered: its breach is in the figures, with nothing left to chase.
    const slow = stateAt(
      [
        { type: 'submitted', at: ms(0) },
        { type: 'accepted', at: ms(15) },
      ],
      20,
    );
    assert.deepEqual(shown(owedEntries('o1', slow, [], none, at(20))), shown(entriesOf('o1', slow)));
  });

  it('owes nothing once the order has left', () => {
    const gone = stateAt([...accepted, { type: 'cancelled', at: ms(31) }], 31);
    assert.deepEqual(owedEntries('o1', gone, [entry('resolution', 'breach', 30)], none, at(31)), []);
  });
});

describe('migration 2026112160: per-clock timer rows become one row per order', () => {
  it('moves pending warn and breach rows into the order’s clock timer, and back', async () => {
    const fresh = await freshDatabase();
    try {
      const db = fresh.database.db.withTables<SlaTables>();
      const legacy = (
        id: string,
        order: string,
        kind: string,
        clock: string,
        min: number,
        status = 'pending',
      ) => ({
        id,
        key: `sla:${order}:${clock}:${kind}:${at(min)}`,
        kind,
        work_order_id: order,
        community_id: 'c1',
        due_at: at(min),
        status,
        attempts: 0,
        lease_until: null,
        last_error: null,
        payload_json: JSON.stringify({ clock }),
        created_at: at(0),
        fired_at: null,
      });
      await db
        .insertInto('sla_timers')
        .values([
          legacy('a', 'o1', 'warn', 'resolution', 22),
          legacy('b', 'o1', 'breach', 'first_response', 10),
          legacy('c', 'o1', 'warn', 'first_response', 7, 'fired'),
          legacy('d', 'o2', 'breach', 'resolution', 30),
          legacy('e', 'o2', 'reminder', 'resolution', 40),
        ])
        .execute();
      await migration.up(db as unknown as Kysely<unknown>);
      const rows = await db.selectFrom('sla_timers').selectAll().orderBy('key').execute();
      const o1 = rows.find((r) => r.key === clockTimerKey('o1'));
      assert.ok(o1);
      assert.equal(o1.status, 'pending');
      assert.equal(o1.due_at, at(10));
      assert.deepEqual(
        entriesOfRow(o1).map((e) => [e.clock, e.kind, e.at]),
        [
          ['first_response', 'breach', at(10)],
          ['resolution', 'warn', at(22)],
        ],
      );
      assert.equal(rows.find((r) => r.key === clockTimerKey('o2'))?.due_at, at(30));
      assert.deepEqual(
        rows.filter((r) => r.kind !== CLOCK_TIMER_KIND).map((r) => [r.id, r.status]),
        [
          ['c', 'fired'],
          ['e', 'pending'],
        ].sort((x, y) => ((x[0] as string) < (y[0] as string) ? -1 : 1)),
        'fired history and other kinds stay as they were',
      );

      await migration.down(db as unknown as Kysely<unknown>);
      const back = await db
        .selectFrom('sla_timers')
        .select(['key', 'kind', 'due_at', 'status'])
        .where('status', '=', 'pending')
        .orderBy('due_at')
        .execute();
      assert.deepEqual(
        back.map((r) => [r.kind, r.due_at]),
        [
          ['breach', at(10)],
          ['warn', at(22)],
          ['breach', at(30)],
          ['reminder', at(40)],
        ],
      );
    } finally {
      await fresh.dispose();
    }
  });
});

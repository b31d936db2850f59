import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';

/**
 * An order's SLA warnings and breaches move from one timer row each (kinds `warn` and `breach`)
 * to one row per order (kind `sla_clocks`, key `sla:<order id>`), due at the earliest of them,
 * with the entries in its payload (see modules/sla/sla.clock-timer.ts). Pending rows of the old
 * kinds become that row; fired, cancelled and failed ones stay as history.
 */
// The row as this migration knows it: migrations keep their own types, so that later changes
// to the application's table types cannot change what an old migration does.
interface TimerRow {
  id: string;
  key: string;
  kind: string;
  work_order_id: string | null;
  community_id: string | null;
  due_at: string;
  payload_json: string;
  created_at: string;
}

type Timers = Kysely<{ sla_timers: TimerRow & Record<string, unknown> }>;

/** Pending timers of these kinds, earliest first. */
async function pending(d: Timers, kinds: string[]): Promise<TimerRow[]> {
  return (await d
    .selectFrom('sla_timers')
    .select(['id', 'key', 'kind', 'work_order_id', 'community_id', 'due_at', 'payload_json', 'created_at'])
    .where('status', '=', 'pending')
    .where('kind', 'in', kinds)
    .orderBy('due_at')
    .execute()) as TimerRow[];
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const d = db as unknown as Timers;
  const rows = await pending(d, ['warn', 'breach']);
  const byOrder = new Map<string, TimerRow[]>();
  for (const r of rows) {
    if (!r.work_order_id) continue;
    const list = byOrder.get(r.work_order_id) ?? [];
    list.push(r);
    byOrder.set(r.work_order_id, list);
  }
  for (const [orderId, list] of byOrder) {
    const first = list[0] as TimerRow;
    // Entry keys are not stored: they follow from order, clock, kind and instant, as the old keys did.
    const timers = list.map((r) => ({
      clock: (JSON.parse(r.payload_json) as { clock?: string }).clock ?? 'resolution',
      kind: r.kind,
      at: r.due_at,
    }));
    await d
      .insertInto('sla_timers')
      .values({
        id: randomUUID(),
        key: `sla:${orderId}`,
        kind: 'sla_clocks',
        work_order_id: orderId,
        community_id: first.community_id,
        due_at: first.due_at,
        status: 'pending',
        attempts: 0,
        lease_until: null,
        last_error: null,
        payload_json: JSON.stringify({ timers }),
        created_at: first.created_at,
        fired_at: null,
      })
      .execute();
  }
  await d
    .deleteFrom('sla_timers')
    .where('status', '=', 'pending')
    .where('kind', 'in', ['warn', 'breach'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const d = db as unknown as Timers;
  const rows = await pending(d, ['sla_clocks']);
  for (const r of rows) {
    const { timers } = JSON.parse(r.payload_json) as {
      timers: { clock: string; kind: string; at: string }[];
    };
    for (const e of timers)
      await d
        .insertInto('sla_timers')
        .values({
          id: randomUUID(),
          key: `sla:${r.work_order_id}:${e.clock}:${e.kind}:${e.at}`,
          kind: e.kind,
          work_order_id: r.work_order_id,
          community_id: r.community_id,
          due_at: e.at,
          status: 'pending',
          attempts: 0,
          lease_until: null,
          last_error: null,
          payload_json: JSON.stringify({ clock: e.clock }),
          created_at: r.created_at,
          fired_at: null,
        })
        .execute();
  }
  await d.deleteFrom('sla_timers').where('kind', '=', 'sla_clocks').execute();
}

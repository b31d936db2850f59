import { PostgresAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';
import { dayToIsoDate, zoneFor } from '../../../modules/sla/zone.ts';

/**
 * Dashboard rollups. The dashboard used to read every order of its window into the server and
 * fold them there: over 1,000,000 orders that took 8–9 s and held the event loop. Now each order
 * counts in one row of `order_rollups`, keyed by its community, its local creation day
 * (`work_orders.created_day`, in the community's time zone), category, grid and assignee, and the
 * dashboard sums rollup rows for the whole days of its window.
 *
 * The database keeps the rollups itself, with triggers, so that no write path (intake, every
 * transition, dispatch, grid re-placement, the demo seed, a bulk load) can forget them: an insert
 * adds the order's contribution, an update takes the old one away and adds the new one. On
 * PostgreSQL the trigger is a deferred constraint trigger: the rollup rows are locked only at
 * commit, after the audit head every order change holds, so two transactions of one community
 * cannot lock them in opposite orders.
 */

const OPEN = `'submitted', 'accepted', 'dispatched', 'in_progress', 'waiting_on_resident'`;
const KEY = ['community_id', 'day', 'category', 'grid_id', 'assignee_id'] as const;
const SUMS = [
  'orders',
  'open',
  'resolved',
  'response_ms',
  'responded',
  'resolution_ms',
  'rated',
  'rating_sum',
  'ever_resolved',
  'reopened',
] as const;
/** Columns whose change moves an order's contribution. */
const WATCHED = [
  'community_id',
  'created_day',
  'created_at',
  'category',
  'grid_id',
  'assignee_id',
  'status',
  'accepted_at',
  'resolved_at',
  'rating',
  'reopen_count',
];

/** Milliseconds from `created_at` to another step, in each dialect (times are ISO-8601 text). */
const msSince = (pg: boolean, o: string, column: string) =>
  pg
    ? `round(extract(epoch from (${o}.${column}::timestamptz - ${o}.created_at::timestamptz)) * 1000)`
    : `round((julianday(${o}.${column}) - julianday(${o}.created_at)) * 86400000)`;

/** The contribution of row `o` (NEW or OLD), times `s` (1 or -1), as the VALUES of an upsert. */
function contribution(pg: boolean, o: string, s: string): string {
  const when = (cond: string, then = '1') => `(${s}) * (case when ${cond} then ${then} else 0 end)`;
  return [
    `${o}.community_id`,
    `coalesce(${o}.created_day, substr(${o}.created_at, 1, 10))`,
    `${o}.category`,
    `coalesce(${o}.grid_id, '')`,
    `coalesce(${o}.assignee_id, '')`,
    `(${s})`,
    when(`${o}.status in (${OPEN})`),
    when(`${o}.resolved_at is not null`),
    when(`${o}.accepted_at is not null`, msSince(pg, o, 'accepted_at')),
    when(`${o}.accepted_at is not null`),
    when(`${o}.resolved_at is not null`, msSince(pg, o, 'resolved_at')),
    when(`${o}.rating is not null`),
    when(`${o}.rating is not null`, `${o}.rating`),
    when(`${o}.resolved_at is not null or ${o}.reopen_count > 0`),
    when(`${o}.reopen_count > 0`),
  ].join(', ');
}

const upsert = (pg: boolean, o: string, s: string) =>
  `insert into order_rollups (${[...KEY, ...SUMS].join(', ')}) values (${contribution(pg, o, s)})
   on conflict (${KEY.join(', ')}) do update set ${SUMS.map((c) => `${c} = order_rollups.${c} + excluded.${c}`).join(', ')};`;

/** The rollups of the orders already stored, in one statement. */
function fillSql(pg: boolean): string {
  const sum = (cond: string, then = '1') => `sum(case when ${cond} then ${then} else 0 end)`;
  return `insert into order_rollups (${[...KEY, ...SUMS].join(', ')})
    select o.community_id, coalesce(o.created_day, substr(o.created_at, 1, 10)), o.category,
      coalesce(o.grid_id, ''), coalesce(o.assignee_id, ''), count(*),
      ${sum(`o.status in (${OPEN})`)}, ${sum('o.resolved_at is not null')},
      ${sum('o.accepted_at is not null', msSince(pg, 'o', 'accepted_at'))}, ${sum('o.accepted_at is not null')},
      ${sum('o.resolved_at is not null', msSince(pg, 'o', 'resolved_at'))},
      ${sum('o.rating is not null')}, ${sum('o.rating is not null', 'o.rating')},
      ${sum('o.resolved_at is not null or o.reopen_count > 0')}, ${sum('o.reopen_count > 0')}
    from work_orders o
    group by o.community_id, coalesce(o.created_day, substr(o.created_at, 1, 10)), o.category,
      coalesce(o.grid_id, ''), coalesce(o.assignee_id, '')`;
}

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Sets `created_day` of every stored order: one update per community and local day. */
async function backfillDays(db: Kysely<unknown>): Promise<void> {
  const communities = await sql<{
    id: string;
    time_zone: string;
  }>`select id, time_zone from communities`.execute(db);
  for (const c of communities.rows) {
    const span = await sql<{ first: string | null; last: string | null }>`
      select min(created_at) as first, max(created_at) as last from work_orders where community_id = ${c.id}`.execute(
      db,
    );
    const first = span.rows[0]?.first;
    const last = span.rows[0]?.last;
    if (!first || !last) continue;
    const zone = zoneFor(c.time_zone);
    for (let day = zone.dayOf(Date.parse(first)); day <= zone.dayOf(Date.parse(last)); day++) {
      const from = new Date(zone.midnight(day)).toISOString();
      const to = new Date(zone.midnight(day + 1)).toISOString();
      await sql`update work_orders set created_day = ${dayToIsoDate(day)}
        where community_id = ${c.id} and created_at >= ${from} and created_at < ${to}`.execute(db);
    }
  }
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema.alterTable('work_orders').addColumn('created_day', 'text').execute();
  await backfillDays(db);
  let t = db.schema
    .createTable('order_rollups')
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('grid_id', 'text', (c) => c.notNull())
    .addColumn('assignee_id', 'text', (c) => c.notNull());
  for (const s of SUMS) t = t.addColumn(s, pg ? 'double precision' : 'real', (c) => c.notNull().defaultTo(0));
  t = t.addPrimaryKeyConstraint('order_rollups_pk', [...KEY]);
  // On SQLite the primary key is the table (one B-tree per upsert, not a table and an index).
  await (pg ? t : t.modifyEnd(sql`without rowid`)).execute();
  await sql.raw(fillSql(pg)).execute(db);

  if (pg) {
    await sql
      .raw(
        `create function order_rollup_apply() returns trigger language plpgsql set search_path from current as $$
        begin
          if tg_op in ('UPDATE', 'DELETE') then ${upsert(true, 'OLD', '-1')} end if;
          if tg_op in ('INSERT', 'UPDATE') then ${upsert(true, 'NEW', '1')} end if;
          return null;
        end $$`,
      )
      .execute(db);
    const changed = WATCHED.map((c) => `old.${c} is distinct from new.${c}`).join(' or ');
    await sql
      .raw(
        `create constraint trigger work_orders_rollup_insert after insert or delete on work_orders
         deferrable initially deferred for each row execute function order_rollup_apply()`,
      )
      .execute(db);
    await sql
      .raw(
        `create constraint trigger work_orders_rollup_update after update on work_orders
         deferrable initially deferred for each row when (${changed}) execute function order_rollup_apply()`,
      )
      .execute(db);
  } else {
    const changed = WATCHED.map((c) => `old.${c} is not new.${c}`).join(' or ');
    await sql
      .raw(
        `create trigger work_orders_rollup_insert after insert on work_orders begin ${upsert(false, 'NEW', '1')} end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger work_orders_rollup_update after update on work_orders when ${changed}
         begin ${upsert(false, 'OLD', '-1')} ${upsert(false, 'NEW', '1')} end`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger work_orders_rollup_delete after delete on work_orders begin ${upsert(false, 'OLD', '-1')} end`,
      )
      .execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  if (pg) {
    await sql.raw('drop trigger if exists work_orders_rollup_insert on work_orders').execute(db);
    await sql.raw('drop trigger if exists work_orders_rollup_update on work_orders').execute(db);
    await sql.raw('drop function if exists order_rollup_apply()').execute(db);
  } else {
    for (const t of ['insert', 'update', 'delete'])
      await sql.raw(`drop trigger if exists work_orders_rollup_${t}`).execute(db);
  }
  await db.schema.dropTable('order_rollups').execute();
  await db.schema.alterTable('work_orders').dropColumn('created_day').execute();
}

import { PostgresAdapter, sql } from 'kysely';
import type { Kysely } from 'kysely';
import { dayToIsoDate, zoneFor } from '../../../modules/sla/zone.ts';

/**
 * Dashboard rollups. The dashboard used to read every order of its window into the server and
 * fold them there: over 1,000,000 orders that took 8–9 s and held the event loop. Now each order
 * counts in one row of `order_rollups`, keyed by its community, its local creation day
 * (`work_orders.created_day`, in the community's time zone), category and grid, and, once it
 * has an assignee, in one row of `order_rollups_assignee` keyed by community, day and assignee.
 * The dashboard's groupings are one dimension each (category, grid, month; assignee), so two
 * narrow tables hold a few dozen rows per day where one keyed by all four would hold nearly a row
 * per order.
 *
 * The database keeps the rollups itself, with triggers, so that no write path (intake, every
 * transition, dispatch, grid re-placement, the demo seed, a bulk load) can forget them: an insert
 * adds the order's contribution, an update of a watched column takes the old one away and adds
 * the new one. On PostgreSQL the trigger is a deferred constraint trigger: the rollup rows are
 * locked only at commit, after the audit head every order change holds, so two transactions of
 * one community cannot lock them in opposite orders. On SQLite the tables are WITHOUT ROWID: an
 * upsert updates one B-tree, not a table and its key index.
 */

const OPEN = `'submitted', 'accepted', 'dispatched', 'in_progress', 'waiting_on_resident'`;
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

interface Rollup {
  table: string;
  /** Key columns and the expression of each over an order row `o`. */
  key: Array<[column: string, expr: (o: string) => string]>;
  /** Rows that count in it (null: every order). */
  when: ((o: string) => string) | null;
}

const day = (o: string) => `coalesce(${o}.created_day, substr(${o}.created_at, 1, 10))`;
const ROLLUPS: Rollup[] = [
  {
    table: 'order_rollups',
    key: [
      ['community_id', (o) => `${o}.community_id`],
      ['day', day],
      ['category', (o) => `${o}.category`],
      ['grid_id', (o) => `coalesce(${o}.grid_id, '')`],
    ],
    when: null,
  },
  {
    table: 'order_rollups_assignee',
    key: [
      ['community_id', (o) => `${o}.community_id`],
      ['day', day],
      ['assignee_id', (o) => `${o}.assignee_id`],
    ],
    when: (o) => `${o}.assignee_id is not null`,
  },
];

/**
 * When an order was first answered, as an expression over an order row `o`, and the columns
 * (beyond the watched ones below) whose change moves it. This release counted acceptance only;
 * migration 2026120620 also counts a referral or a dismissal that answered an order unaccepted.
 */
export interface ResponseRule {
  at: (o: string) => string;
  watched: string[];
}
export const ACCEPTED: ResponseRule = { at: (o) => `${o}.accepted_at`, watched: ['accepted_at'] };

/** Columns whose change moves an order's contribution. */
const watchedColumns = (response: ResponseRule) => [
  'community_id',
  'created_day',
  'created_at',
  'category',
  'grid_id',
  'assignee_id',
  'status',
  ...response.watched,
  'resolved_at',
  'rating',
  'reopen_count',
];

/** Milliseconds from `created_at` to another step (an expression over `o`), in each dialect (times are ISO-8601 text). */
const msSince = (pg: boolean, o: string, at: string) =>
  pg
    ? `round(extract(epoch from ((${at})::timestamptz - ${o}.created_at::timestamptz)) * 1000)`
    : `round((julianday(${at}) - julianday(${o}.created_at)) * 86400000)`;

/** Each sum's value for one order row `o`, as [condition, value] (the value counts when the condition holds). */
const sumParts = (pg: boolean, o: string, response: ResponseRule): Array<[string, string]> => [
  ['true', '1'],
  [`${o}.status in (${OPEN})`, '1'],
  [`${o}.resolved_at is not null`, '1'],
  [`${response.at(o)} is not null`, msSince(pg, o, response.at(o))],
  [`${response.at(o)} is not null`, '1'],
  [`${o}.resolved_at is not null`, msSince(pg, o, `${o}.resolved_at`)],
  [`${o}.rating is not null`, '1'],
  [`${o}.rating is not null`, `${o}.rating`],
  [`${o}.resolved_at is not null or ${o}.reopen_count > 0`, '1'],
  [`${o}.reopen_count > 0`, '1'],
];

/** An upsert adding `s` (1 or -1) times the contribution of row `o` (NEW or OLD) to a rollup. */
function upsertOf(pg: boolean, r: Rollup, o: string, s: string, response: ResponseRule): string {
  const keys = r.key.map(([c]) => c);
  const values = [
    ...r.key.map(([, e]) => e(o)),
    ...sumParts(pg, o, response).map(([cond, v]) => `(${s}) * (case when ${cond} then ${v} else 0 end)`),
  ];
  const set = SUMS.map((c) => `${c} = ${r.table}.${c} + excluded.${c}`).join(', ');
  return `insert into ${r.table} (${[...keys, ...SUMS].join(', ')}) values (${values.join(', ')})
    on conflict (${keys.join(', ')}) do update set ${set};`;
}

/** The rollup of the orders already stored, in one statement. */
function fillSql(pg: boolean, r: Rollup, response: ResponseRule): string {
  const keys = r.key.map(([, e]) => e('o'));
  const sums = sumParts(pg, 'o', response).map(([cond, v]) => `sum(case when ${cond} then ${v} else 0 end)`);
  return `insert into ${r.table} (${[...r.key.map(([c]) => c), ...SUMS].join(', ')})
    select ${[...keys, ...sums].join(', ')} from work_orders o
    ${r.when ? `where ${r.when('o')}` : ''} group by ${keys.join(', ')}`;
}

export function isPostgres(db: Kysely<unknown>): boolean {
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
    for (let d = zone.dayOf(Date.parse(first)); d <= zone.dayOf(Date.parse(last)); d++) {
      const from = new Date(zone.midnight(d)).toISOString();
      const to = new Date(zone.midnight(d + 1)).toISOString();
      await sql`update work_orders set created_day = ${dayToIsoDate(d)}
        where community_id = ${c.id} and created_at >= ${from} and created_at < ${to}`.execute(db);
    }
  }
}

const TRIGGERS = ['insert', 'update', 'delete', 'a_insert', 'a_update_old', 'a_update_new', 'a_delete'];

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema.alterTable('work_orders').addColumn('created_day', 'text').execute();
  await backfillDays(db);
  for (const r of ROLLUPS) {
    let t = db.schema.createTable(r.table);
    for (const [c] of r.key) t = t.addColumn(c, 'text', (col) => col.notNull());
    for (const s of SUMS)
      t = t.addColumn(s, pg ? 'double precision' : 'real', (c) => c.notNull().defaultTo(0));
    t = t.addPrimaryKeyConstraint(`${r.table}_pk`, r.key.map(([c]) => c) as never);
    await (pg ? t : t.modifyEnd(sql`without rowid`)).execute();
    // PostgreSQL keeps a dead row version for every update, and every order change updates a
    // rollup row: vacuum these small, hot tables after a few thousand changes rather than after a
    // fifth of the table has died, and leave room on each page for updates in place. Measured on
    // 55,000 rollup rows updated 1,000,000 times: the dashboard's query took 126–157 ms unvacuumed,
    // 28–39 ms on fresh tables.
    if (pg)
      await sql
        .raw(
          `alter table ${r.table} set (fillfactor = 80, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000, autovacuum_analyze_scale_factor = 0.05)`,
        )
        .execute(db);
    await sql.raw(fillSql(pg, r, ACCEPTED)).execute(db);
  }
  await installRollupTriggers(db, ACCEPTED);
}

/** Empties the rollup tables and fills them again from the orders, counting responses by `response`. */
export async function refillRollups(db: Kysely<unknown>, response: ResponseRule): Promise<void> {
  const pg = isPostgres(db);
  for (const r of ROLLUPS) {
    await sql.raw(`delete from ${r.table}`).execute(db);
    await sql.raw(fillSql(pg, r, response)).execute(db);
  }
}

/** The triggers that keep the rollups, counting responses by `response`. */
export async function installRollupTriggers(db: Kysely<unknown>, response: ResponseRule): Promise<void> {
  const pg = isPostgres(db);
  const [main, byAssignee] = ROLLUPS as [Rollup, Rollup];
  const WATCHED = watchedColumns(response);
  const upsert = (postgres: boolean, r: Rollup, o: string, s: string) =>
    upsertOf(postgres, r, o, s, response);

  if (pg) {
    const apply = (o: string, s: string) =>
      `${upsert(true, main, o, s)} if ${o}.assignee_id is not null then ${upsert(true, byAssignee, o, s)} end if;`;
    await sql
      .raw(
        `create function order_rollup_apply() returns trigger language plpgsql set search_path from current as $$
        begin
          if tg_op in ('UPDATE', 'DELETE') then ${apply('OLD', '-1')} end if;
          if tg_op in ('INSERT', 'UPDATE') then ${apply('NEW', '1')} end if;
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
    const changed = `(${WATCHED.map((c) => `old.${c} is not new.${c}`).join(' or ')})`;
    const trigger = (name: string, event: string, when: string | null, body: string) =>
      sql
        .raw(
          `create trigger work_orders_rollup_${name} after ${event} on work_orders ${when ? `when ${when}` : ''} begin ${body} end`,
        )
        .execute(db);
    await trigger('insert', 'insert', null, upsert(false, main, 'NEW', '1'));
    await trigger(
      'update',
      'update',
      changed,
      upsert(false, main, 'OLD', '-1') + upsert(false, main, 'NEW', '1'),
    );
    await trigger('delete', 'delete', null, upsert(false, main, 'OLD', '-1'));
    await trigger('a_insert', 'insert', 'new.assignee_id is not null', upsert(false, byAssignee, 'NEW', '1'));
    await trigger(
      'a_update_old',
      'update',
      `${changed} and old.assignee_id is not null`,
      upsert(false, byAssignee, 'OLD', '-1'),
    );
    await trigger(
      'a_update_new',
      'update',
      `${changed} and new.assignee_id is not null`,
      upsert(false, byAssignee, 'NEW', '1'),
    );
    await trigger(
      'a_delete',
      'delete',
      'old.assignee_id is not null',
      upsert(false, byAssignee, 'OLD', '-1'),
    );
  }
}

/** Drops the triggers that keep the rollups. */
export async function dropRollupTriggers(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    await sql.raw('drop trigger if exists work_orders_rollup_insert on work_orders').execute(db);
    await sql.raw('drop trigger if exists work_orders_rollup_update on work_orders').execute(db);
    await sql.raw('drop function if exists order_rollup_apply()').execute(db);
  } else {
    for (const t of TRIGGERS) await sql.raw(`drop trigger if exists work_orders_rollup_${t}`).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropRollupTriggers(db);
  for (const r of ROLLUPS) await db.schema.dropTable(r.table).execute();
  await db.schema.alterTable('work_orders').dropColumn('created_day').execute();
}

/**
 * Fills a database with N synthetic orders for the first demo community in one SQL statement
 * (a recursive CTE on SQLite, generate_series on PostgreSQL), spread over the past year with
 * realistic mixes of status, category, urgency, channel and grid.
 */
import Sqlite from 'better-sqlite3';
import pg from 'pg';

const COLUMNS = `id, number, community_id, grid_id, channel, status, resume_status, category, subcategory, urgency, priority,
  priority_score, description, address, lat, lng, reporter_type, reporter_id, reporter_name, reporter_phone, beneficiary_id,
  is_proxy, assignee_id, resolution_note, rating, rating_comment, closure_reason, referred_to, merged_into, reopen_count,
  classification_json, attributes_json, version, created_at, updated_at, accepted_at, dispatched_at, resolved_at, closed_at`;

function selectList(i: string, ts: string, gridExpr: string): string {
  const cat = `(case (${i}) % 7 when 0 then 'basic_living' when 1 then 'health' when 2 then 'education_employment' when 3 then 'social_culture' when 4 then 'safety_emergency' when 5 then 'elderly_care' else 'government_affairs' end)`;
  const status = `(case when (${i}) % 50 < 40 then 'closed' when (${i}) % 50 < 43 then 'resolved' when (${i}) % 50 < 45 then 'in_progress' when (${i}) % 50 < 47 then 'dispatched' when (${i}) % 50 < 48 then 'accepted' else 'submitted' end)`;
  const urgency = `(case (${i}) % 10 when 0 then 'critical' when 1 then 'high' when 2 then 'high' when 9 then 'low' else 'normal' end)`;
  const channel = `(case (${i}) % 6 when 0 then 'hotline' when 1 then 'miniapp' when 2 then 'window' when 3 then 'web' when 4 then 'kiosk' else 'open311' end)`;
  return `'bench-' || lpad_id, 'BENCH-' || lpad_id, :community, ${gridExpr}, ${channel}, ${status}, null, ${cat}, null, ${urgency}, 'P3',
    40, '楼道灯坏了，晚上看不见路 #' || (${i}), '桃源村' || ((${i}) % 12 + 1) || '栋', 22.56, 113.945, 'user', null, '坐席', null, null,
    0, null, null, null, null, null, null, null, 0, null, null, 1, ${ts}, ${ts}, null, null, null, null`;
}

export async function fillSqlite(
  file: string,
  communityId: string,
  gridIds: string[],
  n: number,
): Promise<void> {
  const db = new Sqlite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const grid = `(case (i % ${gridIds.length}) ${gridIds.map((g, k) => `when ${k} then '${g}'`).join(' ')} end)`;
  const ts = `strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-20T00:00:00Z', '-' || (i * 31) || ' seconds')`;
  const sql = `with recursive s(i) as (select 1 union all select i + 1 from s where i < ${n}),
    t as (select i, substr('0000000000' || i, -10) as lpad_id from s)
    insert into work_orders (${COLUMNS}) select ${selectList('i', ts, grid)} from t`;
  db.prepare(sql.replace(':community', `'${communityId}'`)).run();
  db.exec('analyze');
  db.close();
}

export async function fillPostgres(
  url: string,
  schema: string,
  communityId: string,
  gridIds: string[],
  n: number,
): Promise<void> {
  const c = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await c.connect();
  const grid = `(array[${gridIds.map((g) => `'${g}'`).join(',')}])[(i % ${gridIds.length}) + 1]`;
  const ts = `to_char((timestamp '2026-11-20 00:00:00' - (i * 31) * interval '1 second'), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const sql = `insert into work_orders (${COLUMNS})
    select ${selectList('i', ts, grid)} from (select i, lpad(i::text, 10, '0') as lpad_id from generate_series(1, ${n}) as i) t`;
  await c.query('set synchronous_commit = off');
  await c.query(sql.replace(':community', `'${communityId}'`));
  await c.query('analyze work_orders');
  await c.end();
}

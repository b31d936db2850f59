/**
 * Fills a database with N synthetic orders for the first demo community in one SQL statement
 * (a recursive CTE on SQLite, generate_series on PostgreSQL), spread over the past year with
 * realistic mixes of status, category, urgency, channel and grid; orders past `submitted` have an
 * assignee among the community's staff and an acceptance time, resolved ones a resolution time,
 * and closed ones a rating.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { login, startServerProcess, stopProcess } from './lib.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { indexUnindexedOrders } from '../src/modules/work-orders/work-order.search-index.ts';

const COLUMNS = `id, number, community_id, grid_id, channel, status, resume_status, category, subcategory, urgency, priority,
  priority_score, description, address, lat, lng, reporter_type, reporter_id, reporter_name, reporter_phone, beneficiary_id,
  is_proxy, assignee_id, resolution_note, rating, rating_comment, closure_reason, referred_to, merged_into, reopen_count,
  classification_json, attributes_json, version, created_at, created_day, updated_at, accepted_at, first_response_at, dispatched_at, resolved_at, closed_at`;

/** How a dialect writes the instant `seconds` after order `i` was created, as ISO text. */
type At = (seconds: number) => string;

function selectList(
  i: string,
  at: At,
  day: string,
  gridExpr: string,
  assignee: (i: string) => string,
): string {
  const cat = `(case (${i}) % 7 when 0 then 'basic_living' when 1 then 'health' when 2 then 'education_employment' when 3 then 'social_culture' when 4 then 'safety_emergency' when 5 then 'elderly_care' else 'government_affairs' end)`;
  const status = `(case when (${i}) % 50 < 40 then 'closed' when (${i}) % 50 < 43 then 'resolved' when (${i}) % 50 < 45 then 'in_progress' when (${i}) % 50 < 47 then 'dispatched' when (${i}) % 50 < 48 then 'accepted' else 'submitted' end)`;
  const urgency = `(case (${i}) % 10 when 0 then 'critical' when 1 then 'high' when 2 then 'high' when 9 then 'low' else 'normal' end)`;
  const channel = `(case (${i}) % 6 when 0 then 'hotline' when 1 then 'miniapp' when 2 then 'window' when 3 then 'web' when 4 then 'kiosk' else 'open311' end)`;
  const past = (from: number) => `(${i}) % 50 < ${from}`; // closed < 40 ≤ resolved < 43 ≤ in progress … < 48 ≤ submitted
  const ts = at(0);
  return `'bench-' || lpad_id, 'BENCH-' || lpad_id, :community, ${gridExpr}, ${channel}, ${status}, null, ${cat}, null, ${urgency}, 'P3',
    40, ${description(i)}, '桃源村' || ((${i}) % 12 + 1) || '栋', 22.56, 113.945, 'user', null, '坐席', null, null,
    0, (case when ${past(48)} then ${assignee(i)} end), null, (case when ${past(40)} then (${i}) % 5 + 1 end), null, null, null, null,
    0, null, null, 1, ${ts}, ${day}, ${ts}, (case when ${past(48)} then ${at(1200)} end), (case when ${past(48)} then ${at(1200)} end),
    (case when ${past(47)} then ${at(1800)} end), (case when ${past(43)} then ${at(86_400)} end),
    (case when ${past(40)} then ${at(172_800)} end)`;
}

/**
 * What residents report, one text per order in turn (written for the bench), each with the
 * order's own number after it; one in 9,973 orders is a rare report (a gas smell), so a search
 * for it finds about a hundred orders spread over the year.
 */
const REPORTS = [
  '楼道灯坏了，晚上看不见路',
  '厨房水管漏水，地上都是水',
  '电梯停在三楼不动了，有老人被困',
  '小区门口垃圾桶满了好几天没人清运',
  '楼上装修噪音太大，中午也不停',
  '独居老人家里没有动静，电话也打不通',
  '下水道堵塞，污水漫到路面',
  '路边井盖松动，电动车经过很危险',
  '单元门禁坏了，外人随便进出',
  '停车位被僵尸车长期占用',
  '家里停电了，整栋楼都没电',
  '暖气不热，室内只有十五度',
  '绿化带的树枝压到电线上了',
  '社区健身器材损坏，螺丝松脱',
  '流浪狗在小区里咬人',
  '孩子入学需要开居住证明',
  '申请高龄津贴需要哪些材料',
  '外墙瓷砖脱落，砸坏了楼下的车',
  '消防通道被电动车堵住',
  '自来水发黄有异味',
  '楼顶防水层破损，下雨天漏水',
  '广场舞音响声音太大影响休息',
  '想报名社区老年大学书法班',
];
const RARE_REPORT = '燃气管道接口有嘶嘶声，闻到煤气味';

function description(i: string): string {
  const cases = REPORTS.map((r, k) => `when ${k} then '${r}'`).join(' ');
  return `(case when (${i}) % 9973 = 0 then '${RARE_REPORT}' else (case (${i}) % ${REPORTS.length} ${cases} end) end) || ' #' || (${i})`;
}

const pick = (ids: string[], i: string, pg: boolean) =>
  pg
    ? `(array[${ids.map((g) => `'${g}'`).join(',')}])[((${i}) % ${ids.length}) + 1]`
    : `(case ((${i}) % ${ids.length}) ${ids.map((g, k) => `when ${k} then '${g}'`).join(' ')} end)`;

export async function fillSqlite(
  file: string,
  communityId: string,
  gridIds: string[],
  staffIds: string[],
  n: number,
): Promise<void> {
  const db = new Sqlite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const at: At = (seconds) =>
    `strftime('%Y-%m-%dT%H:%M:%fZ', '2026-11-20T00:00:00Z', '-' || (i * 31 - ${seconds}) || ' seconds')`;
  // The demo communities keep Beijing time: the local day is UTC + 8 h.
  const day = `date('2026-11-20T00:00:00Z', '-' || (i * 31) || ' seconds', '+8 hours')`;
  const sql = `with recursive s(i) as (select 1 union all select i + 1 from s where i < ${n}),
    t as (select i, substr('0000000000' || i, -10) as lpad_id from s)
    insert into work_orders (${COLUMNS}) select ${selectList('i', at, day, pick(gridIds, 'i', false), (i) => pick(staffIds, `${i} / 7`, false))} from t`;
  db.prepare(sql.replace(':community', `'${communityId}'`)).run();
  db.exec('analyze');
  db.close();
}

export async function fillPostgres(
  url: string,
  schema: string,
  communityId: string,
  gridIds: string[],
  staffIds: string[],
  n: number,
): Promise<void> {
  const c = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await c.connect();
  const at: At = (seconds) =>
    `to_char((timestamp '2026-11-20 00:00:00' - (i * 31 - ${seconds}) * interval '1 second'), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const day = `to_char((timestamp '2026-11-20 08:00:00' - (i * 31) * interval '1 second'), 'YYYY-MM-DD')`;
  const sql = `insert into work_orders (${COLUMNS})
    select ${selectList('i', at, day, pick(gridIds, 'i', true), (i) => pick(staffIds, `${i} / 7`, true))} from (select i, lpad(i::text, 10, '0') as lpad_id from generate_series(1, ${n}) as i) t`;
  await c.query('set synchronous_commit = off');
  await c.query(sql.replace(':community', `'${communityId}'`));
  // Leave the tables as autovacuum keeps them in a live system, not as one statement left them.
  // The orders: vacuumed, so the first queries do not each write the pages they read (hint bits).
  await c.query('vacuum analyze work_orders');
  // The rollups: one statement updated each row thousands of times in one transaction, so their
  // files grew to about 200 MB for 10,000 and 30,000 live rows, and a plain vacuum frees that
  // space inside the files without shrinking them: the dashboard's assignee sums read all 24,000
  // pages (180 ms of the query's 200). In a live system each change commits on its own, the
  // rollups leave room on each page for updates in place and autovacuum runs every 5,000 changes
  // (migration 2026120510), so they stay at their live size: a few MB. Rewrite them at that size.
  await c.query('vacuum full analyze order_rollups, order_rollups_assignee');
  // Write the fill's dirty pages now rather than during the measurement (superuser or pg_checkpoint).
  await c.query('checkpoint').catch(() => undefined);
  await c.end();
}

/** A demo database holding `n` more orders of the first community, for a server started on it. */
export interface BigDatabase {
  env: Record<string, string>;
  communityId: string;
  gridIds: string[];
  fillSeconds: number;
  /** Time taken to build the generated orders' search index. */
  indexSeconds: number;
  /** Drops the PostgreSQL schema or deletes the SQLite folder. */
  dispose(): Promise<void>;
}

export async function bigDatabase(n: number, extraEnv: Record<string, string> = {}): Promise<BigDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'linli-big-'));
  const url = process.env.DATABASE_URL;
  const schema = url ? `bench_${randomBytes(4).toString('hex')}` : undefined;
  const env: Record<string, string> = {
    LINLI_DATA_DIR: dataDir,
    LINLI_DEMO_ORDERS: '20',
    LINLI_WORKERS: '0',
    ...extraEnv,
  };
  if (schema) env.LINLI_DB_SCHEMA = schema;

  const server = await startServerProcess(env);
  const token = await login(server.base, 'dispatcher');
  const get = async <T>(path: string) =>
    (await (
      await fetch(`${server.base}${path}`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as T;
  const me = await get<{ communities: { id: string }[] }>('/api/v1/me');
  const communityId = me.communities[0]?.id ?? '';
  const grids = await get<{ features: { id: string }[] }>(`/api/v1/communities/${communityId}/grids`);
  const gridIds = grids.features.map((f) => f.id);
  const staff = await get<{ items: { id: string }[] }>(`/api/v1/staff?community=${communityId}`);
  const staffIds = staff.items.map((u) => u.id);
  await stopProcess(server.child);

  const t0 = Date.now();
  if (url && schema) await fillPostgres(url, schema, communityId, gridIds, staffIds, n);
  else await fillSqlite(join(dataDir, 'linli.sqlite'), communityId, gridIds, staffIds, n);
  const fillSeconds = (Date.now() - t0) / 1000;
  // The search index of the generated orders, as the migration builds it for orders it finds.
  const t1 = Date.now();
  const database = await openDatabase(
    url && schema ? { url, schema } : { sqliteFile: join(dataDir, 'linli.sqlite') },
  );
  let told = 0;
  await indexUnindexedOrders(database.db, (read) => {
    if (read - told >= 250_000)
      process.stderr.write(`search index: ${(told = read).toLocaleString('en')} orders\n`);
  });
  await database.destroy();
  if (url && schema) {
    const c = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await c.connect();
    await c.query('vacuum analyze work_order_search_tokens');
    await c.end();
  }
  const indexSeconds = (Date.now() - t1) / 1000;
  return {
    indexSeconds,
    env,
    communityId,
    gridIds,
    fillSeconds,
    async dispose() {
      if (url && schema) {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`drop schema ${schema} cascade`);
        await c.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

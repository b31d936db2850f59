import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { freshDatabase } from '../../../test/helpers.ts';

// The queries that look orders up by assignee, beneficiary, grid or triage still find the
// partial indexes (migration 2026112150), on SQLite and on PostgreSQL.
const QUERIES: Array<{ index: string; where: string }> = [
  { index: 'work_orders_assignee', where: `assignee_id = 'u1' and status = 'dispatched'` },
  { index: 'work_orders_beneficiary', where: `beneficiary_id = 'r1'` },
  { index: 'work_orders_grid', where: `grid_id in ('g1', 'g2')` },
  { index: 'work_orders_triage', where: `community_id = 'c1' and needs_triage = 1` },
  // Migration 2026120640: a resident's household orders since they moved in.
  { index: 'work_orders_household', where: `household_id = 'h1' and created_at >= '2026-01-01'` },
];

test('lookups by assignee, beneficiary, grid and triage use the partial indexes', async () => {
  const fresh = await freshDatabase();
  try {
    const db = fresh.database.db;
    const postgres = fresh.database.dialect === 'postgres';
    for (const q of QUERIES) {
      const text = `select id from work_orders where ${q.where}`;
      let plan: string;
      if (postgres) {
        // A small table is cheaper to scan; tell the planner not to, to see what it can use.
        plan = await db.connection().execute(async (conn) => {
          await sql`set enable_seqscan = off`.execute(conn);
          const rows = await sql.raw<{ 'QUERY PLAN': string }>(`explain ${text}`).execute(conn);
          await sql`set enable_seqscan = on`.execute(conn);
          return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
        });
      } else {
        const rows = await sql.raw<{ detail: string }>(`explain query plan ${text}`).execute(db);
        plan = rows.rows.map((r) => r.detail).join('\n');
      }
      assert.ok(plan.includes(q.index), `${q.where}: ${plan}`);
    }
  } finally {
    await fresh.dispose();
  }
});

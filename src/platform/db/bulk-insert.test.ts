import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshDatabase } from '../../../test/helpers.ts';
import { insertRows } from './bulk-insert.ts';
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';

// Runs on SQLite, and on PostgreSQL when DATABASE_URL is set (as in CI).
async function withDatabase(fn: (db: Kysely<DB>) => Promise<void>): Promise<void> {
  const fresh = await freshDatabase();
  try {
    await fn(fresh.database.db);
  } finally {
    await fresh.dispose();
  }
}

test('insertRows: every row arrives, whatever the row count (power-of-two chunks)', () =>
  withDatabase(async (db) => {
    for (const n of [1, 2, 3, 77, 128, 200]) {
      const rows = Array.from({ length: n }, (_, i) => ({ name: `n${n}-${i}`, value: i * 3 }));
      await insertRows(db, 'sequences', rows);
      const stored = await db
        .selectFrom('sequences')
        .select(['name', 'value'])
        .where('name', 'like', `n${n}-%`)
        .execute();
      assert.equal(stored.length, n, `${n} rows`);
      const byName = new Map(stored.map((r) => [r.name, Number(r.value)]));
      rows.forEach((r) => assert.equal(byName.get(r.name), r.value));
    }
    await insertRows(db, 'sequences', []);
  }));

test('insertRows: more parameters than one statement may bind are split across statements', () =>
  withDatabase(async (db) => {
    // 20,000 rows × 2 columns = 40,000 parameters: above the 30,000 per statement.
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ name: `big-${i}`, value: i }));
    await insertRows(db, 'sequences', rows);
    const row = await db
      .selectFrom('sequences')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('value').as('sum')])
      .where('name', 'like', 'big-%')
      .executeTakeFirstOrThrow();
    assert.equal(Number(row.n), 20_000);
    assert.equal(Number(row.sum), (19_999 * 20_000) / 2);
  }));

test('insertRows: on conflict do nothing skips duplicates; undefined is stored as NULL', () =>
  withDatabase(async (db) => {
    const msg = (key: string, address: string | undefined) => ({
      id: `id-${key}-${address ?? 'none'}`,
      idempotency_key: key,
      channel: 'sms',
      recipient_type: 'address',
      recipient_id: null,
      address,
      template: 't',
      locale: 'zh-CN',
      payload_json: '{}',
      status: 'pending',
      attempts: 0,
      next_attempt_at: '2026-01-01T00:00:00.000Z',
      last_error: null,
      created_at: '2026-01-01T00:00:00.000Z',
      delivered_at: null,
    });
    await insertRows(db, 'outbox', [msg('a', undefined), msg('b', '138')], {
      onConflictDoNothing: 'idempotency_key',
    });
    await insertRows(db, 'outbox', [msg('a', '139'), msg('c', '140')], {
      onConflictDoNothing: 'idempotency_key',
    });
    const rows = await db
      .selectFrom('outbox')
      .select(['idempotency_key', 'address'])
      .orderBy('idempotency_key')
      .execute();
    assert.deepEqual(rows, [
      { idempotency_key: 'a', address: null },
      { idempotency_key: 'b', address: '138' },
      { idempotency_key: 'c', address: '140' },
    ]);
  }));

test('insertRows: inside a transaction a failing chunk rolls every chunk back', () =>
  withDatabase(async (db) => {
    const rows = Array.from({ length: 70 }, (_, i) => ({ name: `tx-${i}`, value: i }));
    rows.push({ name: 'tx-3', value: 0 }); // a duplicate primary key in the last chunk
    await assert.rejects(
      db.transaction().execute((trx) => insertRows<DB, 'sequences'>(trx, 'sequences', rows)),
    );
    const left = await db.selectFrom('sequences').select('name').where('name', 'like', 'tx-%').execute();
    assert.equal(left.length, 0);
  }));

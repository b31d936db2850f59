/**
 * Migration 2026120830: a service record whose earn transaction was reversed before the record
 * could show it is marked `reversed`, naming the reversal; other records (verified, pending,
 * rejected) and the reversal of a redemption change nothing. Down and up again, on both databases.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { migrateTo, migrateToLatest } from '../../src/platform/db/database.ts';
import type { TimeBankTables } from '../../src/modules/time-bank/time-bank.tables.ts';
import { createTestContext, residentIdByPhone, spareResidentPhones } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

describe('migration 2026120830: service records of reversed earns', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 1 });
  });
  after(() => ctx.close());

  it('marks the records of earns reversed before it, and only those', async () => {
    const c1 = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
    const [gridWorker, manager] = [await ctx.login('grid_worker'), await ctx.login('manager')];
    const [phone] = await spareResidentPhones(ctx, c1, 1);
    const volunteerId = await residentIdByPhone(ctx, phone ?? '');
    const verify = async () => {
      const r = await ctx.call('POST', '/api/v1/time-bank/records', gridWorker, {
        volunteerId,
        minutes: 20,
        serviceDate: '2026-11-19',
        description: '整理社区图书角',
      });
      assert.equal(r.statusCode, 201, r.body);
      const v = await ctx.call(
        'POST',
        `/api/v1/time-bank/records/${r.json<{ id: string }>().id}/verify`,
        gridWorker,
        {},
      );
      assert.equal(v.statusCode, 200, v.body);
      return v.json<{ id: string; transactionId: string }>();
    };
    const undone = await verify();
    await verify();
    const reversed = await ctx.call(
      'POST',
      `/api/v1/time-bank/transactions/${undone.transactionId}/reversal`,
      manager,
      { reason: '重复登记' },
    );
    assert.equal(reversed.statusCode, 201, reversed.body);
    const reversalId = reversed.json<{ id: string }>().id;

    const db = ctx.database.db.withTables<TimeBankTables>();
    const snapshot = () =>
      db.selectFrom('time_service_records').select(['id', 'status', 'version']).orderBy('id').execute();
    const after = await snapshot();
    assert.ok(after.some((r) => r.status === 'pending') && after.some((r) => r.status === 'rejected'));

    // As an earlier version left it: the record still verified, without the column.
    await migrateTo(ctx.database, '2026120820_reversals_and_proposal_indexes');
    const old = await db.selectFrom('time_service_records').selectAll().where('id', '=', undone.id).execute();
    assert.equal(old[0]?.status, 'verified');
    assert.ok(!('reversal_id' in (old[0] ?? {})), 'the column went with the migration down');

    await migrateToLatest(ctx.database);
    const marked = await db
      .selectFrom('time_service_records')
      .select(['status', 'reversal_id', 'transaction_id'])
      .where('id', '=', undone.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(marked, {
      status: 'reversed',
      reversal_id: reversalId,
      transaction_id: undone.transactionId,
    });
    const now = await snapshot();
    assert.deepEqual(
      now.map((r) => [r.id, r.status]),
      after.map((r) => [r.id, r.status]),
      'every other record as it was (the demo reversed a redemption: no record)',
    );
    const nulls = await db
      .selectFrom('time_service_records')
      .select('id')
      .where('status', '<>', 'reversed')
      .where('reversal_id', 'is not', null)
      .execute();
    assert.deepEqual(nulls, []);
  });
});

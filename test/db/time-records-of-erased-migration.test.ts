/**
 * Migration 2026120860: service records an earlier version left pending for a volunteer it had
 * erased (its erasure did not settle them) are rejected with the reason an erasure gives now
 * (志愿者的个人信息已删除). Records of living volunteers, records an erased resident was to confirm,
 * and records already decided stay as they were; nothing is appended to the audit chain (no
 * migration writes there), which still verifies. Down and up again, on both databases.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { migrateTo, migrateToLatest } from '../../src/platform/db/database.ts';
import { verifyChain } from '../../src/modules/audit/audit.repository.ts';
import { ERASED_VOLUNTEER_REASON } from '../../src/modules/time-bank/time-bank.erasure.ts';
import { insertRecord } from '../../src/modules/time-bank/time-bank.repository.ts';
import type { TimeBankTables } from '../../src/modules/time-bank/time-bank.tables.ts';
import { createTestContext, residentIdByPhone, spareResidentPhones } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

const BEFORE = '2026120840_webhook_outbox_addresses';

describe('migration 2026120860: pending service records of erased volunteers', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 1 });
  });
  after(() => ctx.close());

  it('rejects what an earlier erasure left pending, and only that', async () => {
    const c1 = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
    const [admin, gridWorker] = [await ctx.login('admin'), await ctx.login('grid_worker')];
    const [erasedPhone, beneficiaryPhone, livingPhone] = await spareResidentPhones(ctx, c1, 3);
    const erased = await residentIdByPhone(ctx, erasedPhone ?? '');
    const beneficiary = await residentIdByPhone(ctx, beneficiaryPhone ?? '');
    const living = await residentIdByPhone(ctx, livingPhone ?? '');
    const recordFor = async (volunteerId: string, beneficiaryId?: string) => {
      const r = await ctx.call('POST', '/api/v1/time-bank/records', gridWorker, {
        volunteerId,
        ...(beneficiaryId ? { beneficiaryId } : {}),
        minutes: 25,
        serviceDate: '2026-11-19',
        description: '帮忙整理楼道杂物',
      });
      assert.equal(r.statusCode, 201, r.body);
      return r.json<{ id: string }>().id;
    };
    // Decided before the erasure: they stay as decided.
    const verified = await recordFor(erased);
    assert.equal(
      (await ctx.call('POST', `/api/v1/time-bank/records/${verified}/verify`, gridWorker, {})).statusCode,
      200,
    );
    // Service a living volunteer gave to someone erased later: staff still decide it.
    const received = await recordFor(living, beneficiary);
    const stillPending = await recordFor(living);
    for (const id of [erased, beneficiary]) {
      const r = await ctx.call('POST', `/api/v1/residents/${id}/erase`, admin, {
        reason: 'resident_request',
      });
      assert.equal(r.statusCode, 200, r.body);
    }

    // As an earlier version left it: the erasure done, the volunteer's records still pending.
    await migrateTo(ctx.database, BEFORE);
    const legacy = ['a', 'b'].map((x) => `legacy-${x}-${erased}`);
    for (const [i, id] of legacy.entries())
      await insertRecord(ctx.database.db, {
        id,
        community_id: c1,
        volunteer_id: erased,
        beneficiary_id: i === 0 ? living : null,
        minutes: 20 + i,
        service_date: '2026-11-19',
        description: '旧版本删除后留下的待核实记录',
        work_order_id: null,
        status: 'pending',
        version: 1 + i,
        recorded_by: 'user:grid_worker',
        created_at: ctx.clock.now().toISOString(),
        decided_by: null,
        decided_at: null,
        reject_reason: null,
        transaction_id: null,
        reversal_id: null,
      });

    const db = ctx.database.db.withTables<TimeBankTables>();
    const snapshot = () =>
      db
        .selectFrom('time_service_records')
        .select(['id', 'status', 'version', 'decided_by', 'decided_at', 'reject_reason'])
        .orderBy('id')
        .execute();
    const auditSize = async () =>
      Number(
        (
          await ctx.database.db
            .selectFrom('audit_entries')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const was = await snapshot();
    const entries = await auditSize();

    await migrateToLatest(ctx.database);
    const now = await snapshot();
    const settled = now.filter((r) => legacy.includes(r.id));
    assert.equal(settled.length, 2);
    for (const r of settled) {
      const old = was.find((w) => w.id === r.id);
      assert.deepEqual(
        [r.status, r.reject_reason, r.decided_by, r.version],
        ['rejected', ERASED_VOLUNTEER_REASON, 'system:migration', Number(old?.version) + 1],
      );
      assert.ok(r.decided_at && !Number.isNaN(Date.parse(r.decided_at)), String(r.decided_at));
    }
    assert.deepEqual(
      now.filter((r) => !legacy.includes(r.id)),
      was.filter((r) => !legacy.includes(r.id)),
      'every other record as it was',
    );
    const byId = new Map(now.map((r) => [r.id, r.status]));
    assert.deepEqual(
      [byId.get(verified), byId.get(received), byId.get(stillPending)],
      ['verified', 'pending', 'pending'],
    );

    // Shown as any rejected record: with its reason, and nothing left to decide.
    const listed = await ctx.call('GET', '/api/v1/time-bank/records?limit=100', gridWorker);
    const item = listed
      .json<{ items: { id: string; status: string; rejectReason: string | null; allowed: string[] }[] }>()
      .items.find((r) => r.id === legacy[0]);
    assert.deepEqual(
      [item?.status, item?.rejectReason, item?.allowed],
      ['rejected', ERASED_VOLUNTEER_REASON, []],
    );
    assert.equal(await auditSize(), entries, 'no audit entry: migrations write none');
    const chain = await verifyChain(ctx.database.db, c1);
    assert.ok(chain.ok, JSON.stringify(chain));

    // Down puts back what it settled, and only that; up settles it again.
    await migrateTo(ctx.database, BEFORE);
    const down = await snapshot();
    assert.deepEqual(
      down.map((r) => [r.id, r.status, r.decided_by, r.decided_at, r.reject_reason]),
      was.map((r) => [r.id, r.status, r.decided_by, r.decided_at, r.reject_reason]),
    );
    await migrateToLatest(ctx.database);
    const again = await snapshot();
    assert.deepEqual(
      again.filter((r) => legacy.includes(r.id)).map((r) => [r.status, r.reject_reason]),
      legacy.map(() => ['rejected', ERASED_VOLUNTEER_REASON]),
    );
  });
});

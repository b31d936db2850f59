/**
 * Erasing a resident settles the time bank's records they are part of, in the erasure's
 * transaction: the service they gave that is still pending is rejected (志愿者的个人信息已删除),
 * each with its audit entry; what was decided before stays as decided; service they received and
 * were to confirm stays pending for staff, who may still verify it. A record filed while the
 * volunteer is being erased is refused, never left waiting; a transfer or redemption whose
 * recipient, sender or resident is erased between its checks and its transaction is refused and
 * writes nothing. Both databases.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifyChain } from '../../src/modules/audit/audit.repository.ts';
import { insertRecord } from '../../src/modules/time-bank/time-bank.repository.ts';
import { ERASED_VOLUNTEER_REASON } from '../../src/modules/time-bank/time-bank.erasure.ts';
import type { TimeBankTables } from '../../src/modules/time-bank/time-bank.tables.ts';
import { TimeBankService } from '../../src/modules/time-bank/time-bank.service.ts';
import {
  createTestContext,
  pausedAtNextTransaction,
  residentIdByPhone,
  spareResidentPhones,
  userId,
} from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface RecordView {
  id: string;
  status: string;
  version: number;
  rejectReason: string | null;
  decidedAt: string | null;
  allowed: string[];
}
type ErrorBody = { error: { code: string } };

describe('time bank records of an erased resident', () => {
  let ctx: TestContext;
  let c1: string;
  let admin: string;
  let gridWorker: string;
  let manager: string;
  let spare: string[];

  before(async () => {
    ctx = await createTestContext({ orders: 2 });
    c1 = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
    [admin, gridWorker, manager] = (await Promise.all(
      ['admin', 'grid_worker', 'manager'].map((u) => ctx.login(u)),
    )) as [string, string, string];
    spare = await spareResidentPhones(ctx, c1, 20);
  });
  after(() => ctx.close());

  const take = async () => {
    const phone = spare.shift();
    assert.ok(phone, 'out of residents');
    return { phone, id: await residentIdByPhone(ctx, phone) };
  };
  const record = async (volunteerId: string, beneficiaryId?: string, description = '帮忙搬运家具') => {
    const r = await ctx.call('POST', '/api/v1/time-bank/records', gridWorker, {
      volunteerId,
      ...(beneficiaryId ? { beneficiaryId } : {}),
      minutes: 30,
      serviceDate: '2026-11-19',
      description,
    });
    assert.equal(r.statusCode, 201, r.body);
    return r.json<RecordView>();
  };
  const decide = (id: string, how: 'verify' | 'reject', token = manager) =>
    ctx.call(
      'POST',
      `/api/v1/time-bank/records/${id}/${how}`,
      token,
      how === 'reject' ? { reason: '时间对不上' } : {},
    );
  const erase = (id: string) =>
    ctx.call('POST', `/api/v1/residents/${id}/erase`, admin, { reason: 'resident_request' });
  const records = async () =>
    (await ctx.call('GET', `/api/v1/time-bank/records?limit=100`, manager)).json<{ items: RecordView[] }>()
      .items;
  const rows = (ids: string[]) =>
    ctx.database.db
      .withTables<TimeBankTables>()
      .selectFrom('time_service_records')
      .select(['id', 'status', 'reject_reason', 'decided_by', 'decided_at', 'version'])
      .where('id', 'in', ids)
      .orderBy('id')
      .execute();

  it('rejects the pending service the erased resident gave, audited in the erasure; decided records stay', async () => {
    const volunteer = await take();
    const neighbour = await take();
    const alone = await record(volunteer.id);
    const forNeighbour = await record(volunteer.id, neighbour.id, '陪邻居去超市');
    const verified = await record(volunteer.id);
    assert.equal((await decide(verified.id, 'verify')).statusCode, 200);
    const rejected = await record(volunteer.id);
    assert.equal((await decide(rejected.id, 'reject')).statusCode, 200);

    const erased = await erase(volunteer.id);
    assert.equal(erased.statusCode, 200, erased.body);
    const report = erased.json<{ erasedAt: string; serviceRecordsRejected: number }>();
    assert.equal(report.serviceRecordsRejected, 2);

    const byId = new Map((await records()).map((r) => [r.id, r]));
    for (const pending of [alone, forNeighbour]) {
      const r = byId.get(pending.id);
      assert.ok(r, pending.id);
      assert.deepEqual(
        [r.status, r.rejectReason, r.decidedAt, r.version, r.allowed],
        ['rejected', ERASED_VOLUNTEER_REASON, report.erasedAt, pending.version + 1, []],
      );
      // Settled: neither the staff nor the neighbour it was for can decide it again.
      const again = await decide(pending.id, 'verify');
      assert.deepEqual([again.statusCode, again.json<ErrorBody>().error.code], [409, 'invalid_transition']);
    }
    assert.equal(byId.get(verified.id)?.status, 'verified');
    assert.deepEqual(
      [byId.get(rejected.id)?.status, byId.get(rejected.id)?.rejectReason],
      ['rejected', '时间对不上'],
    );
    const stored = await rows([alone.id, forNeighbour.id]);
    assert.ok(
      stored.every((r) => r.decided_by === 'user:admin'),
      JSON.stringify(stored),
    );

    // Audited like a rejection, in the erasure's transaction (its moment), with the cause.
    const entries = await ctx.database.db
      .selectFrom('audit_entries')
      .select(['entity_id', 'actor', 'created_at', 'payload_json'])
      .where('action', '=', 'time_bank.service_rejected')
      .where('entity_id', 'in', [alone.id, forNeighbour.id])
      .orderBy('entity_id')
      .execute();
    assert.equal(entries.length, 2);
    for (const e of entries) {
      assert.deepEqual([e.actor, e.created_at], ['user:admin', report.erasedAt]);
      assert.deepEqual(JSON.parse(e.payload_json), {
        reason: ERASED_VOLUNTEER_REASON,
        cause: 'volunteer_erased',
      });
    }
    const summary = await ctx.database.db
      .selectFrom('audit_entries')
      .select('payload_json')
      .where('action', '=', 'resident.erased')
      .where('entity_id', '=', volunteer.id)
      .executeTakeFirstOrThrow();
    assert.equal(
      (JSON.parse(summary.payload_json) as { serviceRecordsRejected: number }).serviceRecordsRejected,
      2,
    );
  });

  it('leaves pending the service an erased resident received, for staff to verify', async () => {
    const volunteer = await take();
    const beneficiary = await take();
    const r = await record(volunteer.id, beneficiary.id, '上门修理水龙头');
    const erased = await erase(beneficiary.id);
    assert.equal(erased.statusCode, 200, erased.body);
    assert.equal(erased.json<{ serviceRecordsRejected: number }>().serviceRecordsRejected, 0);
    const listed = (await records()).find((x) => x.id === r.id);
    assert.deepEqual([listed?.status, listed?.allowed], ['pending', ['verify', 'reject']]);
    const verified = await decide(r.id, 'verify', gridWorker);
    assert.equal(verified.statusCode, 200, verified.body);
    const token = await ctx.residentLogin(volunteer.phone);
    const me = (await ctx.call('GET', '/api/v1/time-bank/me', token)).json<{ balance: number }>();
    assert.equal(me.balance, 30, 'the volunteer is credited');
  });

  it('still refuses to verify a record left pending for an erased volunteer by an earlier version', async () => {
    const volunteer = await take();
    assert.equal((await erase(volunteer.id)).statusCode, 200);
    const id = `legacy-${volunteer.id}`;
    await insertRecord(ctx.database.db, {
      id,
      community_id: c1,
      volunteer_id: volunteer.id,
      beneficiary_id: null,
      minutes: 20,
      service_date: '2026-11-19',
      description: '旧版本留下的待核实记录',
      work_order_id: null,
      status: 'pending',
      version: 1,
      recorded_by: 'user:grid_worker',
      created_at: ctx.clock.now().toISOString(),
      decided_by: null,
      decided_at: null,
      reject_reason: null,
      transaction_id: null,
      reversal_id: null,
    });
    const v = await decide(id, 'verify');
    assert.deepEqual([v.statusCode, v.json<ErrorBody>().error.code], [409, 'conflict'], v.body);
    assert.equal((await decide(id, 'reject')).statusCode, 200, 'it can be rejected by hand');
  });

  it('refuses a record for a volunteer erased between its checks and its transaction', async () => {
    const volunteer = await take();
    const principal = await ctx.services.auth.userPrincipal(await userId(ctx, 'grid_worker'));
    assert.ok(principal);
    let erased = false;
    const svc = new TimeBankService({
      ...ctx.deps,
      database: {
        ...ctx.database,
        db: pausedAtNextTransaction(ctx.database.db, async () => {
          assert.equal((await erase(volunteer.id)).statusCode, 200);
          erased = true;
        }),
      },
    });
    await assert.rejects(
      svc.record(principal, {
        volunteerId: volunteer.id,
        minutes: 15,
        serviceDate: '2026-11-19',
        description: '清扫楼道',
      }),
      { code: 'resident_not_found' },
    );
    assert.ok(erased, 'the erasure committed inside the window');
    const left = await ctx.database.db
      .withTables<TimeBankTables>()
      .selectFrom('time_service_records')
      .select('status')
      .where('volunteer_id', '=', volunteer.id)
      .execute();
    assert.deepEqual(left, [], 'nothing waits for a verification nobody may give');
  });

  /** A service whose database lets `erasure` commit between the checks and the transaction. */
  const pausedService = (erasure: () => Promise<void>) =>
    new TimeBankService({
      ...ctx.deps,
      database: { ...ctx.database, db: pausedAtNextTransaction(ctx.database.db, erasure) },
    });
  const eraseNow = (id: string) => async () => {
    const r = await erase(id);
    assert.equal(r.statusCode, 200, r.body);
  };
  /** Credits the resident 30 minutes (a verified record). */
  const credit = async (id: string) => {
    assert.equal((await decide((await record(id)).id, 'verify')).statusCode, 200);
  };
  const residentPrincipal = async (id: string) => {
    const principal = await ctx.services.auth.residentPrincipal(id);
    assert.ok(principal);
    return principal;
  };
  /** What a transfer or redemption writes: transactions, keys, accounts and balances, audit entries. */
  const footprint = async () => {
    const db = ctx.database.db.withTables<TimeBankTables>();
    return {
      transactions: await db.selectFrom('time_transactions').select('id').orderBy('id').execute(),
      keys: await db.selectFrom('time_request_keys').select(['scope', 'key']).orderBy('key').execute(),
      accounts: await db.selectFrom('time_accounts').select(['id', 'balance']).orderBy('id').execute(),
      moves: await db
        .selectFrom('audit_entries')
        .select(['community_id', 'seq'])
        .where('action', 'in', ['time_bank.transferred', 'time_bank.redeemed'])
        .execute(),
    };
  };

  it('refuses a transfer to a resident erased between its checks and its transaction, writing nothing', async () => {
    const sender = await take();
    const recipient = await take();
    await credit(sender.id);
    const principal = await residentPrincipal(sender.id);
    const before = await footprint();
    await assert.rejects(
      pausedService(eraseNow(recipient.id)).transfer(
        principal,
        { toPhone: recipient.phone, minutes: 10, memo: '谢谢帮忙' },
        'gift-to-erased',
      ),
      { code: 'resident_not_found', details: { field: 'toPhone' } },
    );
    assert.deepEqual(await footprint(), before, 'no minutes went to the tombstone');
  });

  it('refuses a transfer by a resident erased between its checks and its transaction, writing nothing', async () => {
    const sender = await take();
    const recipient = await take();
    await credit(sender.id);
    const principal = await residentPrincipal(sender.id);
    const before = await footprint();
    await assert.rejects(
      pausedService(eraseNow(sender.id)).transfer(principal, { toPhone: recipient.phone, minutes: 10 }),
      { code: 'resident_not_found', details: { id: sender.id } },
    );
    assert.deepEqual(await footprint(), before, "the tombstone's minutes stay where they were");
  });

  it('refuses a redemption for a resident erased between its checks and its transaction, by staff or by them', async () => {
    const resident = await take();
    await credit(resident.id);
    const staff = await ctx.services.auth.userPrincipal(await userId(ctx, 'grid_worker'));
    assert.ok(staff);
    const before = await footprint();
    await assert.rejects(
      pausedService(eraseNow(resident.id)).redeem(staff, {
        residentId: resident.id,
        minutes: 10,
        memo: '助餐',
      }),
      { code: 'resident_not_found', details: { field: 'residentId' } },
    );
    assert.deepEqual(await footprint(), before, 'staff spent nothing of a tombstone');

    const own = await take();
    await credit(own.id);
    const principal = await residentPrincipal(own.id);
    const then = await footprint();
    await assert.rejects(
      pausedService(eraseNow(own.id)).redeem(principal, { minutes: 10, memo: '上门理发' }, 'haircut-erased'),
      { code: 'resident_not_found', details: { field: 'residentId' } },
    );
    assert.deepEqual(await footprint(), then, 'nor did the resident, signed in as the erasure committed');
  });

  it('leaves the audit chain whole', async () => {
    const chain = await verifyChain(ctx.database.db, c1);
    assert.ok(chain.ok, JSON.stringify(chain));
  });
});

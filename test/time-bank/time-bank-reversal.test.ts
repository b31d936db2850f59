/**
 * Staff corrections in the time bank: reversal (冲正) of a posted transaction as a new balancing
 * transaction (never an edit), refused twice, for a reversal, when it would take a resident below
 * zero, and to anyone but a manager or admin of the community; racing reversals post one; the
 * service record of a reversed earn shows it (`reversed`, with the reversal), and only then; and a
 * record whose volunteer was erased is no longer verified into the tombstone's account.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifyChain } from '../../src/modules/audit/audit.repository.ts';
import { balanceCheck, unbalancedTransactions } from '../../src/modules/time-bank/time-bank.repository.ts';
import type { TimeBankTables } from '../../src/modules/time-bank/time-bank.tables.ts';
import { createTestContext, residentIdByPhone, spareResidentPhones } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface Tx {
  id: string;
  kind: string;
  memo: string;
  reversesId: string | null;
  reversedBy: string | null;
  postings: { accountKind: string; resident: { id: string; name: string } | null; minutes: number }[];
  allowed: string[];
}
type ErrorBody = { error: { code: string; details?: { field?: string; balance?: number } } };
interface RecordView {
  id: string;
  status: string;
  version: number;
  transactionId: string | null;
  reversalId: string | null;
  allowed: string[];
}

describe('time bank reversal (冲正) and an erased volunteer', () => {
  let ctx: TestContext;
  let c1: string;
  const tokens: Record<string, string> = {};
  const tok = (u: string) => tokens[u] ?? '';
  let aPhone: string;
  let bPhone: string;
  let a: string;
  let b: string;
  let aId: string;

  before(async () => {
    ctx = await createTestContext({ orders: 2 });
    c1 = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
    for (const u of ['admin', 'admin2', 'manager', 'grid_worker', 'agent', 'auditor'])
      tokens[u] = await ctx.login(u);
    const rows = await spareResidentPhones(ctx, c1, 3);
    [aPhone, bPhone] = rows as [string, string];
    a = await ctx.residentLogin(aPhone);
    b = await ctx.residentLogin(bPhone);
    aId = await residentIdByPhone(ctx, aPhone);
  });
  after(() => ctx.close());

  const balance = async (token: string) =>
    (await ctx.call('GET', '/api/v1/time-bank/me', token)).json<{ balance: number }>().balance;
  /** Verified service: the record and the earn transaction its verification posted. */
  const verified = async (volunteerId: string, minutes: number) => {
    const r = await ctx.call('POST', '/api/v1/time-bank/records', tok('grid_worker'), {
      volunteerId,
      minutes,
      serviceDate: '2026-11-19',
      description: '社区站岗',
    });
    assert.equal(r.statusCode, 201, r.body);
    const v = await ctx.call(
      'POST',
      `/api/v1/time-bank/records/${r.json<{ id: string }>().id}/verify`,
      tok('grid_worker'),
      {},
    );
    assert.equal(v.statusCode, 200, v.body);
    return v.json<RecordView & { transactionId: string }>();
  };
  const earn = async (volunteerId: string, minutes: number) =>
    (await verified(volunteerId, minutes)).transactionId;
  /** The record as a reader of its list sees it (the caller's own records, or staff's). */
  const recordAs = async (token: string, id: string, status?: string) => {
    const q = status ? `&status=${status}` : '';
    const list = await ctx.call('GET', `/api/v1/time-bank/records?limit=100${q}`, token);
    assert.equal(list.statusCode, 200, list.body);
    return list.json<{ items: RecordView[] }>().items.find((r) => r.id === id);
  };
  const reverse = (token: string, id: string, reason = '录入错误，冲正') =>
    ctx.call('POST', `/api/v1/time-bank/transactions/${id}/reversal`, token, { reason });
  const count = async () =>
    Number(
      (
        await ctx.database.db
          .withTables<TimeBankTables>()
          .selectFrom('time_transactions')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('reverses a transfer as a new transaction, once, by a manager or admin of the community only', async () => {
    await earn(aId, 120);
    const sent = await ctx.call('POST', '/api/v1/time-bank/transfers', a, { toPhone: bPhone, minutes: 50 });
    assert.equal(sent.statusCode, 201, sent.body);
    const transferId = sent.json<{ transaction: { transactionId: string } }>().transaction.transactionId;
    const [aBefore, bBefore] = [await balance(a), await balance(b)];
    const n = await count();

    for (const [who, status, code] of [
      ['grid_worker', 403, 'forbidden'],
      ['agent', 403, 'forbidden'],
      ['auditor', 403, 'forbidden'],
      ['admin2', 404, 'not_found'],
    ] as const) {
      const r = await reverse(tok(who), transferId);
      assert.deepEqual([r.statusCode, r.json<ErrorBody>().error.code], [status, code], who);
    }
    const byResident = await reverse(a, transferId);
    assert.equal(byResident.statusCode, 404, 'a resident does not learn transactions by id');
    const blank = await reverse(tok('manager'), transferId, ' \u3000 ');
    assert.deepEqual([blank.statusCode, blank.json<ErrorBody>().error.details?.field], [400, 'reason']);
    const missing = await reverse(tok('manager'), 'no-such-transaction');
    assert.equal(missing.statusCode, 404);
    assert.equal(await count(), n, 'refusals write nothing');

    const ok = await reverse(tok('manager'), transferId);
    assert.equal(ok.statusCode, 201, ok.body);
    const rev = ok.json<Tx>();
    assert.deepEqual(
      [rev.kind, rev.reversesId, rev.memo, rev.allowed],
      ['reversal', transferId, '录入错误，冲正', []],
    );
    assert.equal(
      rev.postings.reduce((s, p) => s + p.minutes, 0),
      0,
    );
    assert.deepEqual([await balance(a), await balance(b)], [aBefore + 50, bBefore - 50]);
    const history = (await ctx.call('GET', '/api/v1/time-bank/me/history', a)).json<{
      items: { kind: string; minutes: number; memo: string }[];
    }>();
    assert.deepEqual(
      history.items.slice(0, 2).map((h) => [h.kind, h.minutes]),
      [
        ['reversal', 50],
        ['transfer', -50],
      ],
      'the original stays in the history, the reversal beside it',
    );

    const twice = await reverse(tok('admin'), transferId);
    assert.deepEqual([twice.statusCode, twice.json<ErrorBody>().error.code], [409, 'invalid_transition']);
    const ofReversal = await reverse(tok('admin'), rev.id);
    assert.deepEqual(
      [ofReversal.statusCode, ofReversal.json<ErrorBody>().error.code],
      [409, 'invalid_transition'],
    );

    const list = (await ctx.call('GET', '/api/v1/time-bank/transactions?limit=100', tok('manager'))).json<{
      items: Tx[];
    }>();
    const original = list.items.find((x) => x.id === transferId);
    assert.deepEqual([original?.reversedBy, original?.allowed], [rev.id, []]);
    assert.ok(
      list.items.some((x) => x.kind === 'earn' && x.reversedBy === null && x.allowed.includes('reverse')),
    );
    const auditorList = await ctx.call('GET', '/api/v1/time-bank/transactions', tok('auditor'));
    assert.equal(auditorList.statusCode, 200);
    assert.ok(auditorList.json<{ items: Tx[] }>().items.every((x) => x.allowed.length === 0));
    const asResident = await ctx.call('GET', '/api/v1/time-bank/transactions', a);
    assert.equal(asResident.statusCode, 403);
    const entry = await ctx.database.db
      .selectFrom('audit_entries')
      .select(['payload_json', 'actor'])
      .where('action', '=', 'time_bank.reversed')
      .where('entity_id', '=', rev.id)
      .executeTakeFirst();
    assert.ok(entry, 'audited');
    assert.ok(!entry.payload_json.includes('冲正'), 'the chain holds no typed words');
  });

  it('refuses a reversal that would take a resident below zero, writing nothing', async () => {
    const earnId = await earn(aId, 30);
    const all = await balance(a);
    const spent = await ctx.call('POST', '/api/v1/time-bank/redemptions', a, {
      minutes: all,
      memo: '上门理发',
    });
    assert.equal(spent.statusCode, 201, spent.body);
    const n = await count();
    const r = await reverse(tok('admin'), earnId);
    assert.deepEqual([r.statusCode, r.json<ErrorBody>().error.code], [409, 'insufficient_balance']);
    assert.equal(r.json<ErrorBody>().error.details?.balance, 0);
    assert.equal(await count(), n);
    const earned = await ctx.database.db
      .withTables<TimeBankTables>()
      .selectFrom('time_service_records')
      .select(['status', 'reversal_id'])
      .where('transaction_id', '=', earnId)
      .executeTakeFirstOrThrow();
    assert.deepEqual([earned.status, earned.reversal_id], ['verified', null], 'the record is as it was');
    assert.equal(await balance(a), 0);
    // The redemption itself may be reversed: the minutes come back.
    const back = await reverse(
      tok('admin'),
      spent.json<{ transaction: { transactionId: string } }>().transaction.transactionId,
    );
    assert.equal(back.statusCode, 201, back.body);
    assert.equal(await balance(a), all);
  });

  it('of racing reversals of one transaction, posts exactly one', async () => {
    const record = await verified(aId, 40);
    const earnId = record.transactionId;
    const before = await balance(a);
    const answers = await Promise.all([
      reverse(tok('manager'), earnId, '一'),
      reverse(tok('admin'), earnId, '二'),
      reverse(tok('manager'), earnId, '三'),
    ]);
    const codes = answers.map((r) => r.statusCode).sort();
    assert.deepEqual(codes, [201, 409, 409], answers.map((r) => r.body).join('\n'));
    assert.equal(await balance(a), before - 40);
    const posted = answers.find((r) => r.statusCode === 201)?.json<Tx>();
    const shown = await recordAs(tok('manager'), record.id);
    assert.deepEqual([shown?.status, shown?.reversalId], ['reversed', posted?.id]);
    const entries = await ctx.database.db
      .selectFrom('audit_entries')
      .select('seq')
      .where('action', '=', 'time_bank.service_reversed')
      .where('entity_id', '=', record.id)
      .execute();
    assert.equal(entries.length, 1, 'the record is reversed once');
  });

  it('shows on the service record that its earned minutes were reversed, and only for an earn', async () => {
    const record = await verified(aId, 25);
    assert.deepEqual([record.status, record.reversalId], ['verified', null]);
    const sent = await ctx.call('POST', '/api/v1/time-bank/transfers', a, { toPhone: bPhone, minutes: 5 });
    assert.equal(sent.statusCode, 201, sent.body);
    const reversedBefore = await ctx.call(
      'GET',
      '/api/v1/time-bank/records?status=reversed&limit=100',
      tok('manager'),
    );
    const already = reversedBefore.json<{ items: RecordView[] }>().items.length;
    const transferBack = await reverse(
      tok('manager'),
      sent.json<{ transaction: { transactionId: string } }>().transaction.transactionId,
    );
    assert.equal(transferBack.statusCode, 201, transferBack.body);
    const afterTransfer = await ctx.call(
      'GET',
      '/api/v1/time-bank/records?status=reversed&limit=100',
      tok('manager'),
    );
    assert.equal(
      afterTransfer.json<{ items: RecordView[] }>().items.length,
      already,
      'reversing a transfer changes no record',
    );

    const ok = await reverse(tok('manager'), record.transactionId, '重复登记');
    assert.equal(ok.statusCode, 201, ok.body);
    const rev = ok.json<Tx>();
    const shown = await recordAs(tok('manager'), record.id, 'reversed');
    assert.ok(shown, 'listed under status=reversed');
    assert.deepEqual(
      [shown.status, shown.transactionId, shown.reversalId, shown.version, shown.allowed],
      ['reversed', record.transactionId, rev.id, record.version + 1, []],
    );
    assert.equal(await recordAs(tok('manager'), record.id, 'verified'), undefined);
    const mine = await recordAs(a, record.id);
    assert.deepEqual([mine?.status, mine?.reversalId], ['reversed', rev.id], 'the volunteer reads it too');
    const entry = await ctx.database.db
      .selectFrom('audit_entries')
      .select(['actor', 'payload_json'])
      .where('action', '=', 'time_bank.service_reversed')
      .where('entity_id', '=', record.id)
      .executeTakeFirstOrThrow();
    assert.equal(entry.actor, 'user:manager');
    assert.deepEqual(JSON.parse(entry.payload_json), {
      minutes: 25,
      transactionId: record.transactionId,
      reversalId: rev.id,
    });
    const pending = await ctx.call(
      'POST',
      `/api/v1/time-bank/records/${record.id}/verify`,
      tok('manager'),
      {},
    );
    assert.deepEqual(
      [pending.statusCode, pending.json<ErrorBody>().error.code],
      [409, 'invalid_transition'],
      'a reversed record is not verified again',
    );
  });

  it('does not verify service into the account of a volunteer whose personal data was erased', async () => {
    const volunteerId = await residentIdByPhone(ctx, bPhone);
    const r = await ctx.call('POST', '/api/v1/time-bank/records', tok('grid_worker'), {
      volunteerId,
      minutes: 60,
      serviceDate: '2026-11-19',
      description: '垃圾分类值守',
    });
    assert.equal(r.statusCode, 201, r.body);
    const erased = await ctx.call('POST', `/api/v1/residents/${volunteerId}/erase`, tok('admin'), {
      reason: 'resident_request',
    });
    assert.equal(erased.statusCode, 200, erased.body);
    const n = await count();
    const id = r.json<{ id: string }>().id;
    const v = await ctx.call('POST', `/api/v1/time-bank/records/${id}/verify`, tok('manager'), {});
    // The erasure rejected it (see time-bank-erasure.test.ts): it is no longer in anyone's queue.
    assert.deepEqual([v.statusCode, v.json<ErrorBody>().error.code], [409, 'invalid_transition'], v.body);
    assert.equal(await count(), n, 'nothing minted');
    assert.equal((await recordAs(tok('manager'), id))?.status, 'rejected');
  });

  it('leaves balances equal to their postings, transactions balanced and the audit chain whole', async () => {
    for (const x of await balanceCheck(ctx.database.db, c1)) assert.equal(x.balance, x.sum, x.id);
    assert.deepEqual(await unbalancedTransactions(ctx.database.db, c1), []);
    const chain = await verifyChain(ctx.database.db, c1);
    assert.ok(chain.ok, JSON.stringify(chain));
  });
});

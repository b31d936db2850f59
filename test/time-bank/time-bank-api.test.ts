/**
 * The time bank over HTTP: recording, verifying and rejecting service, transfers and
 * redemptions with their idempotency keys, who may do what (another resident, another
 * community's staff, a role that may not verify), what each viewer sees, and the ledger's
 * invariants and the audit chain afterwards.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifyChain } from '../../src/modules/audit/audit.repository.ts';
import { balanceCheck, unbalancedTransactions } from '../../src/modules/time-bank/time-bank.repository.ts';
import { createTestContext, residentIdByPhone, spareResidentPhones } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { TimeBankTables } from '../../src/modules/time-bank/time-bank.tables.ts';

interface RecordView {
  id: string;
  status: string;
  version: number;
  minutes: number;
  volunteer: { id: string; name: string };
  beneficiary: { id: string; name: string } | null;
  description: string;
  allowed: string[];
  transactionId: string | null;
}
interface Move {
  transaction: { transactionId: string; kind: string; minutes: number; counterparty: string | null };
  balance: number;
}
type ErrorBody = { error: { code: string; details?: { field?: string; balance?: number } } };

describe('the time bank API', () => {
  let ctx: TestContext;
  let c1: string;
  let c2: string;
  const tokens: Record<string, string> = {};
  const tok = (username: string) => tokens[username] ?? '';
  // Two residents of the first community the demo's time bank does not use, and 王秀英, 李建国.
  let volunteerPhone: string;
  let elderPhone: string;
  let volunteer: string;
  let elder: string;
  let xiuying: string;
  let jianguo: string;
  let zhao: string;
  before(async () => {
    ctx = await createTestContext({ orders: 5 });
    c1 = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
    c2 = ctx.seed.communities.find((c) => c.code !== 'taoyuan')?.id ?? '';
    for (const u of ['admin', 'admin2', 'grid_worker', 'manager', 'agent', 'dispatcher', 'auditor'])
      tokens[u] = await ctx.login(u);
    const others = await spareResidentPhones(ctx, c1, 2);
    [volunteerPhone, elderPhone] = others as [string, string];
    volunteer = await ctx.residentLogin(volunteerPhone);
    elder = await ctx.residentLogin(elderPhone);
    xiuying = await ctx.residentLogin('13800000001');
    jianguo = await ctx.residentLogin('13800000003');
    zhao = await ctx.residentLogin('13800000002');
  });
  after(() => ctx.close());

  const me = async (token: string) =>
    (await ctx.call('GET', '/api/v1/time-bank/me', token)).json<{
      balance: number;
      pendingMinutes: number;
    }>();
  const auditSize = async () =>
    Number(
      (
        await ctx.database.db
          .selectFrom('audit_entries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const record = async (token: string, body: Record<string, unknown>) =>
    ctx.call('POST', '/api/v1/time-bank/records', token, {
      minutes: 90,
      serviceDate: '2026-11-19',
      description: '陪同去医院复诊',
      ...body,
    });

  it('shows the demo: verified service, a transfer, a redemption, one reversed, and a record awaiting 王秀英', async () => {
    assert.deepEqual(await me(xiuying), { balance: 30, pendingMinutes: 0 });
    assert.deepEqual(await me(jianguo), { balance: 105, pendingMinutes: 0 });
    const hers = (await ctx.call('GET', '/api/v1/time-bank/records', xiuying)).json<{
      items: RecordView[];
    }>();
    const waiting = hers.items.filter((r) => r.status === 'pending');
    assert.equal(waiting.length, 1);
    assert.deepEqual(waiting[0]?.allowed, ['verify', 'reject']);
    const history = (await ctx.call('GET', '/api/v1/time-bank/me/history', xiuying)).json<{
      items: { kind: string; minutes: number; counterparty: string | null }[];
    }>();
    assert.deepEqual(
      history.items.map((h) => [h.kind, h.minutes, h.counterparty]),
      [
        ['reversal', 30, null],
        ['redeem', -30, null],
        ['redeem', -30, null],
        ['transfer', 60, '李**'],
      ],
    );
    const pending = (
      await ctx.call('GET', '/api/v1/time-bank/records?status=pending', tok('grid_worker'))
    ).json<{ items: RecordView[] }>();
    assert.equal(pending.items.length, 1);
    const accounts = (await ctx.call('GET', '/api/v1/time-bank/accounts', tok('manager'))).json<
      { kind: string; balance: number }[]
    >();
    assert.deepEqual(
      accounts.filter((a) => a.kind !== 'resident').map((a) => [a.kind, a.balance]),
      [
        ['issuance', -315],
        ['redemption', 30],
      ],
    );
  });

  it('credits minutes only once the beneficiary verifies, and only once', async () => {
    const before = await me(volunteer);
    const made = await record(volunteer, { beneficiaryPhone: elderPhone });
    assert.equal(made.statusCode, 201, made.body);
    const r = made.json<RecordView>();
    assert.equal(r.status, 'pending');
    assert.deepEqual(r.allowed, [], 'the volunteer may not verify their own service');
    assert.match(r.beneficiary?.name ?? '', /^\S\*+$/, 'another resident’s name is masked to a resident');
    assert.deepEqual(await me(volunteer), {
      balance: before.balance,
      pendingMinutes: before.pendingMinutes + 90,
    });

    const own = await ctx.call('POST', `/api/v1/time-bank/records/${r.id}/verify`, volunteer, {});
    assert.equal(own.statusCode, 403, own.body);
    const stranger = await ctx.call('POST', `/api/v1/time-bank/records/${r.id}/verify`, jianguo, {});
    assert.equal(stranger.statusCode, 404, 'a resident not part of it does not learn it exists');
    const otherStaff = await ctx.call('POST', `/api/v1/time-bank/records/${r.id}/verify`, tok('admin2'), {});
    assert.equal(otherStaff.statusCode, 404, "another community's admin does not see it");
    const agent = await ctx.call('POST', `/api/v1/time-bank/records/${r.id}/verify`, tok('agent'), {});
    assert.equal(agent.statusCode, 403, 'an agent reads records but may not verify');
    assert.equal(agent.json<ErrorBody>().error.code, 'forbidden');
    assert.equal((await me(volunteer)).balance, before.balance, 'refusals credit nothing');

    const byElder = (await ctx.call('GET', '/api/v1/time-bank/records', elder)).json<{
      items: RecordView[];
    }>();
    assert.deepEqual(byElder.items.find((x) => x.id === r.id)?.allowed, ['verify', 'reject']);
    const ok = await ctx.call('POST', `/api/v1/time-bank/records/${r.id}/verify`, elder, {
      version: r.version,
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json<RecordView>().status, 'verified');
    assert.ok(ok.json<RecordView>().transactionId);
    assert.deepEqual(await me(volunteer), {
      balance: before.balance + 90,
      pendingMinutes: before.pendingMinutes,
    });

    const again = await ctx.call('POST', `/api/v1/time-bank/records/${r.id}/verify`, tok('manager'), {});
    assert.equal(again.statusCode, 409);
    assert.equal(again.json<ErrorBody>().error.code, 'invalid_transition');
    const rejectLate = await ctx.call('POST', `/api/v1/time-bank/records/${r.id}/reject`, elder, {
      reason: '没有',
    });
    assert.equal(rejectLate.json<ErrorBody>().error.code, 'invalid_transition');
    assert.equal((await me(volunteer)).balance, before.balance + 90, 'credited once');
  });

  it('staff record service for a volunteer; grid workers, managers and admins verify or reject it, with a version check', async () => {
    const volunteerId = await residentIdByPhone(ctx, volunteerPhone);
    const before = (await me(volunteer)).balance;
    const auditor = await record(tok('auditor'), { volunteerId });
    assert.equal(auditor.statusCode, 403, 'an auditor does not record');
    const made = await record(tok('agent'), { volunteerId, minutes: 45, description: '帮忙搬运物资' });
    assert.equal(made.statusCode, 201, made.body);
    const r = made.json<RecordView>();
    assert.equal(r.beneficiary, null);
    assert.equal(r.volunteer.name.includes('*'), false, 'staff read the name');

    const stale = await ctx.call('POST', `/api/v1/time-bank/records/${r.id}/verify`, tok('grid_worker'), {
      version: r.version + 1,
    });
    assert.equal(stale.statusCode, 409);
    assert.equal(stale.json<ErrorBody>().error.code, 'version_conflict');
    const verified = await ctx.call('POST', `/api/v1/time-bank/records/${r.id}/verify`, tok('grid_worker'), {
      version: r.version,
    });
    assert.equal(verified.statusCode, 200, verified.body);
    assert.equal((await me(volunteer)).balance, before + 45);

    const second = (await record(tok('manager'), { volunteerId, minutes: 600 })).json<RecordView>();
    const noReason = await ctx.call('POST', `/api/v1/time-bank/records/${second.id}/reject`, tok('manager'), {
      reason: '   ',
    });
    assert.equal(noReason.statusCode, 400);
    assert.equal(noReason.json<ErrorBody>().error.details?.field, 'reason');
    const rejected = await ctx.call('POST', `/api/v1/time-bank/records/${second.id}/reject`, tok('manager'), {
      reason: '当天未到岗',
    });
    assert.equal(rejected.statusCode, 200, rejected.body);
    assert.equal(rejected.json<{ rejectReason: string }>().rejectReason, '当天未到岗');
    assert.equal((await me(volunteer)).balance, before + 45, 'a rejection credits nothing');
    const pending = (
      await ctx.call('GET', '/api/v1/time-bank/records?status=pending&community=taoyuan', tok('manager'))
    ).json<{ items: RecordView[] }>();
    assert.ok(!pending.items.some((x) => x.id === second.id));
  });

  it('refuses bad records naming the field, and writes nothing', async () => {
    const size = await auditSize();
    const cases: [Record<string, unknown>, string, number][] = [
      [{ minutes: 0 }, 'minutes', 400],
      [{ minutes: 601 }, 'minutes', 400],
      [{ minutes: 1.5 }, 'minutes', 400],
      [{ serviceDate: '2026-11-30' }, 'serviceDate', 400],
      [{ serviceDate: '2026-02-30' }, 'serviceDate', 400],
      [{ description: '  ' }, 'description', 400],
      [{ beneficiaryPhone: volunteerPhone }, 'beneficiaryId', 400],
      [{ beneficiaryPhone: '13800000002' }, 'beneficiaryPhone', 404],
      [{ workOrderId: 'nope' }, 'workOrderId', 404],
    ];
    for (const [body, field, status] of cases) {
      const r = await record(volunteer, body);
      assert.equal(r.statusCode, status, `${JSON.stringify(body)}: ${r.body}`);
      const details = r.json<ErrorBody>().error.details;
      if (status === 400 && details?.field !== undefined)
        assert.equal(details.field, field, JSON.stringify(body));
    }
    const forOther = await record(volunteer, { volunteerId: await residentIdByPhone(ctx, elderPhone) });
    assert.equal(forOther.statusCode, 403, 'a resident records their own service only');
    const staffForeign = await record(tok('admin2'), {
      volunteerId: await residentIdByPhone(ctx, volunteerPhone),
    });
    assert.equal(
      staffForeign.statusCode,
      404,
      "a volunteer of another community is no one to another community's staff",
    );
    assert.equal(await auditSize(), size);
  });

  it('transfers between residents of one community, refuses an overdraft, and answers a retry with the first result', async () => {
    const from = (await me(volunteer)).balance;
    const to = (await me(jianguo)).balance;
    assert.ok(from >= 100, `the volunteer has ${from}`);
    const size = await auditSize();
    const over = await ctx.call('POST', '/api/v1/time-bank/transfers', volunteer, {
      toPhone: '13800000003',
      minutes: from + 1,
    });
    assert.equal(over.statusCode, 409, over.body);
    assert.equal(over.json<ErrorBody>().error.code, 'insufficient_balance');
    assert.equal(over.json<ErrorBody>().error.details?.balance, from);
    assert.equal(await auditSize(), size, 'a refusal writes nothing');

    const key = { 'idempotency-key': 'gift-to-jianguo-1' };
    const body = { toPhone: '13800000003', minutes: 30, memo: '给李叔' };
    const first = await ctx.call('POST', '/api/v1/time-bank/transfers', volunteer, body, key);
    assert.equal(first.statusCode, 201, first.body);
    const moved = first.json<Move>();
    assert.equal(moved.balance, from - 30);
    assert.equal(moved.transaction.minutes, -30);
    assert.equal(moved.transaction.counterparty, '李**');
    const retry = await ctx.call('POST', '/api/v1/time-bank/transfers', volunteer, body, key);
    assert.equal(retry.statusCode, 201);
    assert.equal(retry.headers['idempotent-replayed'], 'true');
    assert.deepEqual(retry.json(), first.json());
    const other = await ctx.call(
      'POST',
      '/api/v1/time-bank/transfers',
      volunteer,
      { ...body, minutes: 31 },
      key,
    );
    assert.equal(other.json<ErrorBody>().error.code, 'idempotency_conflict');
    assert.equal((await me(volunteer)).balance, from - 30, 'moved once');
    assert.equal((await me(jianguo)).balance, to + 30);

    const self = await ctx.call('POST', '/api/v1/time-bank/transfers', volunteer, {
      toPhone: volunteerPhone,
      minutes: 1,
    });
    assert.equal(self.statusCode, 400);
    const foreign = await ctx.call('POST', '/api/v1/time-bank/transfers', volunteer, {
      toPhone: '13800000002',
      minutes: 1,
    });
    assert.equal(foreign.statusCode, 404, 'a resident of another community is not found');
    assert.equal(foreign.json<ErrorBody>().error.details?.field, 'toPhone');
    const byStaff = await ctx.call('POST', '/api/v1/time-bank/transfers', tok('admin'), body);
    assert.equal(byStaff.statusCode, 403);
    const empty = await ctx.call('POST', '/api/v1/time-bank/transfers', zhao, {
      toPhone: '13800000001',
      minutes: 1,
    });
    assert.equal(empty.statusCode, 404, 'another community');
  });

  it('redeems minutes, by the resident or by staff who may verify, and pages the history', async () => {
    const before = (await me(volunteer)).balance;
    const spent = await ctx.call(
      'POST',
      '/api/v1/time-bank/redemptions',
      volunteer,
      { minutes: 20, memo: '上门理发' },
      { 'idempotency-key': 'haircut-1' },
    );
    assert.equal(spent.statusCode, 201, spent.body);
    assert.equal(spent.json<Move>().balance, before - 20);
    const volunteerId = await residentIdByPhone(ctx, volunteerPhone);
    const agent = await ctx.call('POST', '/api/v1/time-bank/redemptions', tok('agent'), {
      minutes: 5,
      memo: '助餐',
      residentId: volunteerId,
    });
    assert.equal(agent.statusCode, 403, 'an agent may not spend a resident’s minutes');
    const otherStaff = await ctx.call('POST', '/api/v1/time-bank/redemptions', tok('admin2'), {
      minutes: 5,
      memo: '助餐',
      residentId: volunteerId,
    });
    assert.equal(otherStaff.statusCode, 404);
    const byGrid = await ctx.call('POST', '/api/v1/time-bank/redemptions', tok('grid_worker'), {
      minutes: 5,
      memo: '助餐',
      residentId: volunteerId,
    });
    assert.equal(byGrid.statusCode, 201, byGrid.body);
    const forOther = await ctx.call('POST', '/api/v1/time-bank/redemptions', volunteer, {
      minutes: 5,
      memo: '助餐',
      residentId: await residentIdByPhone(ctx, elderPhone),
    });
    assert.equal(forOther.statusCode, 403);
    assert.equal((await me(volunteer)).balance, before - 25);

    const seen: { transactionId: string; kind: string; minutes: number }[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = await ctx.call('GET', `/api/v1/time-bank/me/history${q}`, volunteer);
      assert.equal(page.statusCode, 200, page.body);
      const body = page.json<{ items: typeof seen; nextCursor: string | null }>();
      seen.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor);
    assert.deepEqual(
      seen.map((h) => h.kind),
      ['redeem', 'redeem', 'transfer', 'earn', 'earn'],
    );
    assert.equal(
      seen.reduce((s, h) => s + h.minutes, 0),
      (await me(volunteer)).balance,
      'the history sums to the balance',
    );
    const forged = await ctx.call('GET', '/api/v1/time-bank/me/history?cursor=abc', volunteer);
    assert.equal(forged.statusCode, 400);
    const staffMe = await ctx.call('GET', '/api/v1/time-bank/me', tok('manager'));
    assert.equal(staffMe.statusCode, 403);
  });

  it('shows staff their own communities’ accounts, phones as the role may see them', async () => {
    type Account = { kind: string; balance: number; resident: { name: string; phone: string | null } | null };
    const byManager = await ctx.call('GET', '/api/v1/time-bank/accounts?community=taoyuan', tok('manager'));
    assert.equal(byManager.statusCode, 200, byManager.body);
    const accounts = byManager.json<Account[]>();
    assert.deepEqual(
      accounts
        .slice(0, 2)
        .map((a) => a.kind)
        .sort(),
      ['issuance', 'redemption'],
    );
    assert.equal(
      accounts.reduce((s, a) => s + a.balance, 0),
      0,
      'the accounts of a community sum to zero',
    );
    const mine = accounts.find((a) => a.resident?.phone?.endsWith(volunteerPhone.slice(-4)));
    assert.match(mine?.resident?.phone ?? '', /\*{4}/, 'a manager reads phones masked');
    const byGrid = (
      await ctx.call('GET', '/api/v1/time-bank/accounts?community=taoyuan', tok('grid_worker'))
    ).json<Account[]>();
    assert.ok(
      byGrid.some((a) => a.resident?.phone === volunteerPhone),
      'a grid worker reads the phone',
    );
    const foreign = await ctx.call('GET', `/api/v1/time-bank/accounts?community=${c1}`, tok('admin2'));
    assert.equal(foreign.statusCode, 404);
    const dispatcher = await ctx.call('GET', '/api/v1/time-bank/accounts', tok('dispatcher'));
    assert.equal(dispatcher.statusCode, 403);
    const resident = await ctx.call('GET', '/api/v1/time-bank/accounts', xiuying);
    assert.equal(resident.statusCode, 403);
    const records = (await ctx.call('GET', '/api/v1/time-bank/records', tok('admin2'))).json<{
      items: RecordView[];
    }>();
    const theirs = await ctx.database.db
      .withTables<TimeBankTables>()
      .selectFrom('time_service_records')
      .select('id')
      .where('community_id', '=', c1)
      .execute();
    assert.ok(theirs.length > 0);
    assert.ok(
      records.items.every((r) => !theirs.some((t) => t.id === r.id)),
      "another community's staff list none of this community's records",
    );
  });

  it('blanks an erased resident from the time bank’s words: service descriptions and memos', async () => {
    const elderId = await residentIdByPhone(ctx, elderPhone);
    const [row] = await ctx.database.db
      .selectFrom('residents')
      .select('name')
      .where('id', '=', elderId)
      .execute();
    const name = row?.name ?? '';
    const r = (
      await record(volunteer, {
        beneficiaryPhone: elderPhone,
        description: `陪${name}去买菜，电话${elderPhone}`,
      })
    ).json<RecordView>();
    await ctx.call('POST', `/api/v1/time-bank/records/${r.id}/verify`, elder, {});
    const gift = await ctx.call(
      'POST',
      '/api/v1/time-bank/transfers',
      volunteer,
      { toPhone: elderPhone, minutes: 5, memo: `给${name}` },
      { 'idempotency-key': 'gift-before-erasure' },
    );
    assert.equal(gift.statusCode, 201, gift.body);
    const erased = await ctx.call('POST', `/api/v1/residents/${elderId}/erase`, tok('admin'), {
      reason: 'resident_request',
    });
    assert.equal(erased.statusCode, 200, erased.body);
    const db = ctx.database.db.withTables<TimeBankTables>();
    const texts = [
      ...(await db.selectFrom('time_service_records').select('description as t').execute()),
      ...(await db.selectFrom('time_transactions').select('memo as t').execute()),
      ...(await db.selectFrom('time_request_keys').select('response_json as t').execute()),
    ].map((x) => x.t);
    assert.ok(texts.length > 0);
    assert.deepEqual(
      texts.filter((t) => t.includes(name) || t.includes(elderPhone)),
      [],
    );
    const left = (await ctx.call('GET', '/api/v1/time-bank/records', volunteer)).json<{
      items: RecordView[];
    }>();
    assert.ok(
      left.items.some((x) => x.id === r.id),
      'the record stays, its words blanked',
    );
  });

  it('keeps every balance equal to the sum of its postings, every transaction balanced, and the audit chains whole', async () => {
    for (const c of [c1, c2]) {
      for (const a of await balanceCheck(ctx.database.db, c))
        assert.equal(a.balance, a.sum, `${a.kind} ${a.id}`);
      assert.deepEqual(await unbalancedTransactions(ctx.database.db, c), []);
      const chain = await verifyChain(ctx.database.db, c);
      assert.ok(chain.ok, JSON.stringify(chain));
    }
    const actions = await ctx.database.db
      .selectFrom('audit_entries')
      .select('action')
      .distinct()
      .where('action', 'like', 'time_bank.%')
      .execute();
    assert.deepEqual(actions.map((a) => a.action).sort(), [
      'time_bank.redeemed',
      'time_bank.reversed',
      'time_bank.service_recorded',
      'time_bank.service_rejected',
      'time_bank.service_verified',
      'time_bank.transferred',
    ]);
  });
});

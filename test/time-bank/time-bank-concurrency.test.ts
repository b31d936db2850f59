/**
 * The time bank under racing requests. On PostgreSQL they run in parallel transactions, through
 * two app nodes (two connection pools over one database); on SQLite they take turns at the
 * single writer. Either way no balance goes below zero, a record is credited once, a key is
 * used once, and the ledger and the audit chain hold afterwards.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifyChain } from '../../src/modules/audit/audit.repository.ts';
import { openDatabase } from '../../src/platform/db/database.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { residentPrincipalOf } from '../../src/platform/auth/principal.ts';
import type { Principal } from '../../src/platform/auth/principal.ts';
import { AppError } from '../../src/platform/errors.ts';
import { TimeBankService } from '../../src/modules/time-bank/time-bank.service.ts';
import { balanceCheck, unbalancedTransactions } from '../../src/modules/time-bank/time-bank.repository.ts';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { TimeBankTables } from '../../src/modules/time-bank/time-bank.tables.ts';

describe('the time bank under racing requests', () => {
  let ctx: TestContext;
  let c1: string;
  let second: Database | undefined;
  /** The services of two nodes: on PostgreSQL each with its own pool. */
  let nodes: [TimeBankService, TimeBankService];
  let manager: Principal;
  const residents: Principal[] = [];
  before(async () => {
    ctx = await createTestContext({ orders: 0 });
    c1 = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
    const rows = await ctx.database.db
      .selectFrom('residents')
      .selectAll()
      .where('community_id', '=', c1)
      .where('erased_at', 'is', null)
      .where('phone', 'like', '139%')
      // The demo's time bank uses the first of them.
      .orderBy('phone', 'desc')
      .limit(6)
      .execute();
    residents.push(...rows.map(residentPrincipalOf));
    const url = process.env.DATABASE_URL;
    if (url) second = await openDatabase({ url, schema: ctx.database.schema, poolSize: 5 });
    nodes = [
      new TimeBankService(ctx.deps),
      new TimeBankService({ ...ctx.deps, database: second ?? ctx.database }),
    ];
    const user = await ctx.database.db
      .selectFrom('users')
      .select(['id', 'username', 'display_name'])
      .where('username', '=', 'manager')
      .executeTakeFirstOrThrow();
    manager = {
      kind: 'user',
      id: user.id,
      username: user.username,
      name: user.display_name,
      role: 'manager',
      communityIds: [c1],
      gridIds: [],
    };
  });
  after(async () => {
    await second?.destroy();
    await ctx.close();
  });

  const at = (i: number) => nodes[i % 2] as TimeBankService;
  const resident = (i: number) => residents[i] as Principal;
  const balanceOf = async (p: Principal) => (await nodes[0].myAccount(p)).balance;
  const earn = async (p: Principal, minutes: number) => {
    const r = await nodes[0].record(manager, {
      volunteerId: p.kind === 'resident' ? p.id : '',
      minutes,
      serviceDate: '2026-11-19',
      description: '社区巡逻',
    });
    await nodes[0].decide(manager, r.id, 'verify', {});
  };
  const outcome = (r: PromiseSettledResult<unknown>) =>
    r.status === 'fulfilled' ? 'ok' : r.reason instanceof AppError ? r.reason.code : String(r.reason);

  it('spends racing on one balance never overdraw it', async () => {
    const p = resident(0);
    await earn(p, 100);
    const spends = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => at(i).redeem(p, { minutes: 30, memo: `助餐 ${i}` })),
    );
    const outcomes = spends.map(outcome).sort();
    assert.deepEqual(outcomes, [
      'insufficient_balance',
      'insufficient_balance',
      'insufficient_balance',
      'insufficient_balance',
      'insufficient_balance',
      'ok',
      'ok',
      'ok',
    ]);
    assert.equal(await balanceOf(p), 10);
  });

  it('transfers racing both ways between two residents all settle, none below zero', async () => {
    const [a, b] = [resident(1), resident(2)];
    await earn(a, 50);
    await earn(b, 50);
    const phoneOf = (p: Principal) => (p.kind === 'resident' ? p.phone : '');
    const moves = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        i % 2 === 0
          ? at(i).transfer(a, { toPhone: phoneOf(b), minutes: 20 })
          : at(i).transfer(b, { toPhone: phoneOf(a), minutes: 20 }),
      ),
    );
    for (const m of moves) assert.ok(['ok', 'insufficient_balance'].includes(outcome(m)), outcome(m));
    const [ba, bb] = [await balanceOf(a), await balanceOf(b)];
    assert.ok(ba >= 0 && bb >= 0);
    assert.equal(ba + bb, 100, 'transfers neither make nor lose minutes');
  });

  it('two transfers at once that together overdraw an account: exactly one commits', async () => {
    const [payer, r1, r2] = [resident(3), resident(4), resident(5)];
    const phoneOf = (p: Principal) => (p.kind === 'resident' ? p.phone : '');
    const transferred = () =>
      ctx.database.db
        .selectFrom('audit_entries')
        .select('entity_id')
        .where('action', '=', 'time_bank.transferred')
        .execute();
    // Rounds, each from a balance of 30: two transfers of 20 (to two residents, so the two lock
    // different account pairs that share the payer's), each on its own node.
    for (let round = 0; round < 4; round++) {
      await earn(payer, 30 - (await balanceOf(payer)));
      assert.equal(await balanceOf(payer), 30);
      const [b1, b2] = [await balanceOf(r1), await balanceOf(r2)];
      const audited = (await transferred()).length;
      const moves = await Promise.allSettled([
        at(0).transfer(payer, { toPhone: phoneOf(r1), minutes: 20 }),
        at(1).transfer(payer, { toPhone: phoneOf(r2), minutes: 20 }),
      ]);
      assert.deepEqual(moves.map(outcome).sort(), ['insufficient_balance', 'ok'], `round ${round}`);
      assert.equal(await balanceOf(payer), 10, 'one transfer left the payer 10, never below zero');
      assert.equal((await balanceOf(r1)) + (await balanceOf(r2)), b1 + b2 + 20, 'one recipient got 20');
      assert.equal((await transferred()).length, audited + 1, 'one transfer committed and audited');
    }
  });

  it('a record verified by several at once is credited once', async () => {
    const p = resident(0);
    const before = await balanceOf(p);
    const r = await nodes[0].record(manager, {
      volunteerId: p.kind === 'resident' ? p.id : '',
      minutes: 40,
      serviceDate: '2026-11-19',
      description: '助老送餐',
    });
    const tries = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        at(i).decide(manager, r.id, i === 5 ? 'reject' : 'verify', { reason: '重复' }),
      ),
    );
    const outcomes = tries.map(outcome);
    assert.equal(outcomes.filter((o) => o === 'ok').length, 1, outcomes.join());
    assert.ok(
      outcomes.every((o) => o === 'ok' || o === 'invalid_transition'),
      outcomes.join(),
    );
    const after = await balanceOf(p);
    assert.ok(after === before || after === before + 40);
    const posted = await ctx.database.db
      .withTables<TimeBankTables>()
      .selectFrom('time_transactions')
      .select('id')
      .where('record_id', '=', r.id)
      .execute();
    assert.equal(posted.length, after === before ? 0 : 1);
  });

  it('one idempotency key sent several times at once moves the minutes once', async () => {
    const p = resident(0);
    await earn(p, 30);
    const before = await balanceOf(p);
    const body = { minutes: 7, memo: '上门理发' };
    const tries = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => at(i).redeem(p, body, 'same-key')),
    );
    assert.deepEqual(tries.map(outcome), ['ok', 'ok', 'ok', 'ok', 'ok']);
    const ids = new Set(
      tries.map((t) => (t.status === 'fulfilled' ? t.value.result.transaction.transactionId : '')),
    );
    assert.equal(ids.size, 1, 'every answer is the first one');
    assert.equal(await balanceOf(p), before - 7);
  });

  it('leaves balances equal to their postings, transactions balanced and the audit chain whole', async () => {
    for (const a of await balanceCheck(ctx.database.db, c1)) {
      assert.equal(a.balance, a.sum, a.id);
      if (a.kind === 'resident') assert.ok(a.balance >= 0);
    }
    assert.deepEqual(await unbalancedTransactions(ctx.database.db, c1), []);
    const chain = await verifyChain(ctx.database.db, c1);
    assert.ok(chain.ok, JSON.stringify(chain));
  });
});

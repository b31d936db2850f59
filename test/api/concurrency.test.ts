/**
 * Requests that race: each must count, and none may silently undo another. On PostgreSQL they
 * run in parallel transactions (as on several app nodes); on SQLite they interleave at every await.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

describe('racing requests', () => {
  let ctx: TestContext;
  let admin: string;
  let c1: string;
  before(async () => {
    ctx = await createTestContext({ orders: 0 });
    admin = await ctx.login('admin');
    c1 = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
  });
  after(() => ctx.close());

  it('wrong passwords sent at once each count: the account locks', async () => {
    const wrong = await Promise.all(
      Array.from({ length: 6 }, () =>
        ctx.call('POST', '/api/v1/auth/login', undefined, {
          username: 'auditor',
          password: 'wrong-password',
        }),
      ),
    );
    assert.ok(
      wrong.every((r) => r.statusCode === 401 || r.statusCode === 423),
      wrong.map((r) => r.body).join(),
    );
    const right = await ctx.call('POST', '/api/v1/auth/login', undefined, {
      username: 'auditor',
      password: 'demo1234',
    });
    assert.equal(right.statusCode, 423, right.body);
    assert.equal((right.json() as { error: { code: string } }).error.code, 'account_locked');
  });

  it('codes asked for at once send one; guesses sent at once each use an attempt', async () => {
    ctx.clock.advance(120_000);
    const phone = '13800000003';
    const asked = await Promise.all(
      Array.from({ length: 4 }, () => ctx.call('POST', '/api/v1/auth/otp/request', undefined, { phone })),
    );
    assert.deepEqual(asked.map((r) => r.statusCode).sort(), [200, 429, 429, 429]);
    const codes = await ctx.database.db
      .selectFrom('outbox')
      .select('payload_json')
      .where('template', '=', 'otp')
      .where('address', '=', phone)
      .execute();
    assert.equal(codes.length, 1, 'one text message');
    const { code } = JSON.parse(codes[0]?.payload_json ?? '{}') as { code: string };
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const guesses = await Promise.all(
      Array.from({ length: 12 }, () =>
        ctx.call('POST', '/api/v1/auth/otp/verify', undefined, { phone, code: wrong }),
      ),
    );
    assert.ok(guesses.every((r) => r.statusCode === 401));
    // Five attempts were taken by the guesses: the right code is no longer accepted.
    const right = await ctx.call('POST', '/api/v1/auth/otp/verify', undefined, { phone, code });
    assert.equal(right.statusCode, 401, right.body);
  });

  it('two admins changing one account at once keep both changes', async () => {
    for (let round = 0; round < 6; round++) {
      const made = await ctx.call('POST', '/api/v1/staff', admin, {
        username: `race.${round}`,
        name: `竞态${round}`,
        role: 'agent',
        communityIds: [c1],
      });
      assert.equal(made.statusCode, 201, made.body);
      const id = (made.json() as { staff: { id: string } }).staff.id;
      const [a, b] = await Promise.all([
        ctx.call('PATCH', `/api/v1/staff/${id}`, admin, { role: 'dispatcher' }),
        ctx.call('PATCH', `/api/v1/staff/${id}`, admin, { name: `改名${round}`, active: false }),
      ]);
      assert.equal(a.statusCode, 200, a.body);
      assert.equal(b.statusCode, 200, b.body);
      const stored = await ctx.database.db
        .selectFrom('users')
        .select(['role', 'display_name', 'active'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        stored,
        { role: 'dispatcher', display_name: `改名${round}`, active: 0 },
        `round ${round}`,
      );
    }
  });

  it('a merge racing an action on its target, or a merge the other way round, never deadlocks nor makes a loop', async () => {
    const agent = await ctx.login('agent');
    const dispatcher = await ctx.login('dispatcher');
    const create = async (description: string) => {
      const r = await ctx.call('POST', '/api/v1/work-orders', agent, {
        channel: 'hotline',
        description,
        communityId: c1,
      });
      assert.equal(r.statusCode, 201, r.body);
      return (r.json() as { id: string }).id;
    };
    const act = (id: string, action: string, body: Record<string, unknown>) =>
      ctx.call('POST', `/api/v1/work-orders/${id}/actions/${action}`, dispatcher, body);
    const version = async (id: string) =>
      Number(
        (
          await ctx.database.db
            .selectFrom('work_orders')
            .select('version')
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).version,
      );
    for (let round = 0; round < 8; round++) {
      // A merge into C while C is accepted: no 500 (a deadlock on PostgreSQL was one); one may be told to reload.
      const c = await create(`竞态合并目标${round}：楼道灯不亮`);
      const a = await create(`竞态合并来源${round}：楼道灯不亮了`);
      const answers = await Promise.all([
        act(a, 'merge', { version: 1, mergeInto: c }),
        act(c, 'accept', { version: 1 }),
      ]);
      for (const r of answers) assert.ok([200, 409].includes(r.statusCode), r.body);
      assert.ok(answers.some((r) => r.statusCode === 200));
    }
    for (let round = 0; round < 3; round++) {
      // A→B and B→A at once, once repeats no longer move either one's priority (so neither's
      // version changes under the other): exactly one becomes the duplicate.
      const x = await create(`竞态互并甲${round}：垃圾桶满了`);
      const y = await create(`竞态互并乙${round}：垃圾桶满了没人收`);
      for (const target of [x, y])
        for (let i = 0; i < 6; i++) {
          const d = await create(`重复${round}-${i}：垃圾桶满了`);
          assert.equal((await act(d, 'merge', { version: 1, mergeInto: target })).statusCode, 200);
        }
      const [xy, yx] = await Promise.all([
        act(x, 'merge', { version: await version(x), mergeInto: y }),
        act(y, 'merge', { version: await version(y), mergeInto: x }),
      ]);
      for (const r of [xy, yx]) assert.ok([200, 400, 409].includes(r.statusCode), r.body);
      const rows = await ctx.database.db
        .selectFrom('work_orders')
        .select(['id', 'status', 'merged_into'])
        .where('id', 'in', [x, y])
        .execute();
      assert.equal(rows.filter((r) => r.status === 'duplicate').length, 1, JSON.stringify(rows));
      assert.equal([xy, yx].filter((r) => r.statusCode === 200).length, 1, `${xy.body}\n${yx.body}`);
    }
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

describe('authentication', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 5 });
  });
  after(() => ctx.close());

  it('staff sign in with a password, get a token and a cookie, and /me names their role and communities', async () => {
    const res = await ctx.call('POST', '/api/v1/auth/login', undefined, {
      username: 'dispatcher',
      password: 'demo1234',
    });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['set-cookie']), /linli_session=.*HttpOnly/i);
    const { token } = res.json() as { token: string };
    const me = (await ctx.call('GET', '/api/v1/me', token)).json() as {
      role: string;
      communities: { code: string }[];
    };
    assert.equal(me.role, 'dispatcher');
    assert.deepEqual(
      me.communities.map((c) => c.code),
      ['taoyuan'],
    );
    const cookie = String(res.headers['set-cookie']).split(';')[0] ?? '';
    const viaCookie = await ctx.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    assert.equal(viaCookie.statusCode, 200);
    await ctx.call('POST', '/api/v1/auth/logout', token);
    assert.equal((await ctx.call('GET', '/api/v1/me', token)).statusCode, 401);
  });

  it('locks an account after five wrong passwords, even against the right one', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await ctx.call('POST', '/api/v1/auth/login', undefined, {
        username: 'manager',
        password: 'wrong',
      });
      assert.equal(r.statusCode, 401);
      assert.equal((r.json() as { error: { code: string } }).error.code, 'invalid_credentials');
    }
    const locked = await ctx.call('POST', '/api/v1/auth/login', undefined, {
      username: 'manager',
      password: 'demo1234',
    });
    assert.equal(locked.statusCode, 423);
    ctx.clock.advance(16 * 60_000);
    const again = await ctx.call('POST', '/api/v1/auth/login', undefined, {
      username: 'manager',
      password: 'demo1234',
    });
    assert.equal(again.statusCode, 200);
  });

  it('an unknown user gets the same answer as a wrong password', async () => {
    const r = await ctx.call('POST', '/api/v1/auth/login', undefined, { username: 'nobody', password: 'x' });
    assert.equal(r.statusCode, 401);
    assert.equal((r.json() as { error: { code: string } }).error.code, 'invalid_credentials');
  });

  it('residents sign in with a one-time code delivered through the outbox', async () => {
    const token = await ctx.residentLogin('13800000002');
    const me = (await ctx.call('GET', '/api/v1/me', token)).json() as {
      role: string;
      communities: { code: string }[];
    };
    assert.equal(me.role, 'resident');
    assert.deepEqual(
      me.communities.map((c) => c.code),
      ['longzhu'],
    );
  });

  it('refuses a wrong, reused or expired code, and rate-limits requests', async () => {
    ctx.clock.advance(60_000);
    await ctx.call('POST', '/api/v1/auth/otp/request', undefined, { phone: '13800000003' });
    const tooSoon = await ctx.call('POST', '/api/v1/auth/otp/request', undefined, { phone: '13800000003' });
    assert.equal(tooSoon.statusCode, 429);
    assert.deepEqual((tooSoon.json() as { error: { details: unknown } }).error.details, {
      field: 'phone',
      retryAfterSeconds: 30,
    });
    ctx.clock.advance(12_500);
    const later = await ctx.call('POST', '/api/v1/auth/otp/request', undefined, { phone: '13800000003' });
    assert.equal(later.statusCode, 429);
    assert.equal(
      (later.json() as { error: { details: { retryAfterSeconds: number } } }).error.details.retryAfterSeconds,
      18,
    );
    assert.match((later.json() as { error: { message: string } }).error.message, /wait 18 seconds/);
    const wrong = await ctx.call('POST', '/api/v1/auth/otp/verify', undefined, {
      phone: '13800000003',
      code: '000000',
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal((wrong.json() as { error: { code: string } }).error.code, 'otp_invalid');
    ctx.clock.advance(6 * 60_000);
    const msg = await ctx.database.db
      .selectFrom('outbox')
      .select('payload_json')
      .where('address', '=', '13800000003')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    const { code } = JSON.parse(msg.payload_json) as { code: string };
    const expired = await ctx.call('POST', '/api/v1/auth/otp/verify', undefined, {
      phone: '13800000003',
      code,
    });
    assert.equal(expired.statusCode, 401);
    const badPhone = await ctx.call('POST', '/api/v1/auth/otp/request', undefined, { phone: '123' });
    assert.equal(badPhone.statusCode, 400);
  });

  it('integration API keys are stored hashed and scoped to one community', async () => {
    const admin = await ctx.login('admin');
    const communityId = ctx.seed.communities[0]?.id ?? '';
    const created = await ctx.call('POST', '/api/v1/api-keys', admin, {
      communityId,
      name: 'lobby kiosk',
      scopes: ['kiosk'],
    });
    assert.equal(created.statusCode, 201);
    const { key } = created.json() as { key: string };
    const stored = await ctx.database.db.selectFrom('api_keys').select('key_hash').execute();
    assert.ok(stored.every((s) => s.key_hash !== key));
    const order = await ctx.call(
      'POST',
      '/api/v1/work-orders',
      undefined,
      { channel: 'kiosk', description: '自助机报修：路灯不亮' },
      { 'x-api-key': key },
    );
    assert.equal(order.statusCode, 201, order.body);
    const wrong = await ctx.call(
      'POST',
      '/api/v1/work-orders',
      undefined,
      { channel: 'kiosk', description: 'x' },
      { 'x-api-key': 'nope' },
    );
    assert.equal(wrong.statusCode, 401);
    const otherCommunity = await ctx.call('POST', '/api/v1/api-keys', admin, {
      communityId: ctx.seed.communities[1]?.id,
      name: 'x',
    });
    assert.equal(otherCommunity.statusCode, 403);
  });
});

/**
 * Sign-in and sessions against an attacker: guesses sent at once, the lockout as a way to learn
 * which usernames exist, a session used to guess the password, other sessions after a password
 * change, a temporary password reaching the API by another spelling of its path, a key filing
 * orders outside its scopes, changes posted by another site on the session cookie, addresses a
 * client writes for itself behind a proxy, texts sent to one phone without end, and a sign-out
 * that must end the session it names.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import { clearLoginAttempts } from '../../src/modules/auth/auth.repository.ts';
import type { TestContext } from '../helpers.ts';

const codeOf = (r: { json(): unknown }) => (r.json() as { error?: { code: string } }).error?.code;

describe('sign-in and sessions under attack', () => {
  let ctx: TestContext;
  let admin: string;
  let c1: string;
  // Each sign-in from an address of its own, so the per-address limit (20 a minute) stays out of the way.
  let n = 0;
  const login = (username: string, password: string, from?: string) =>
    ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: from ?? `192.0.2.${(++n % 250) + 1}`,
      payload: { username, password },
    });
  const tokenOf = async (username: string, password = 'demo1234') => {
    const r = await login(username, password);
    assert.equal(r.statusCode, 200, r.body);
    return r.json<{ token: string }>().token;
  };
  before(async () => {
    ctx = await createTestContext({ orders: 0 });
    admin = await tokenOf('admin');
    c1 = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
  });
  after(() => ctx.close());

  it('a burst of wrong passwords sent at once has no more than five checked from one address, twenty from many', async () => {
    const tally = (answers: { statusCode: number; json(): unknown }[]) => [
      answers.filter((r) => codeOf(r) === 'invalid_credentials').length,
      answers.filter((r) => r.statusCode === 423).length,
    ];
    const one = await Promise.all(
      Array.from({ length: 15 }, (_, i) => login('dispatcher', `guess-${i}`, '198.51.100.7')),
    );
    assert.deepEqual(tally(one), [5, 10], 'checked, locked: from one address');
    const many = await Promise.all(
      Array.from({ length: 30 }, (_, i) => login('dispatcher2', `guess-${i}`, `198.51.100.${100 + i}`)),
    );
    assert.deepEqual(tally(many), [20, 10], 'checked, locked: from thirty addresses');
  });

  it('the right password after a burst of wrong ones does not get through', async () => {
    // The burst first, then the password: requests sent at once are taken in no set order (on
    // PostgreSQL the password could be checked before the twentieth failure, as it may be).
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) => login('agent', `guess-${i}`, '198.51.100.8')),
    );
    assert.equal(burst.filter((r) => r.statusCode === 423).length, 7);
    const right = await login('agent', 'demo1234', '198.51.100.8');
    assert.equal(right.statusCode, 423, 'the account is locked before its password is checked');
    const spread = await Promise.all(
      Array.from({ length: 25 }, (_, i) => login('provider2', `guess-${i}`, `198.51.101.${i + 1}`)),
    );
    assert.equal(spread.filter((r) => r.statusCode === 423).length, 5);
    const fromElsewhere = await login('provider2', 'demo1234', '198.51.101.200');
    assert.equal(fromElsewhere.statusCode, 423, 'locked for everyone after twenty from anywhere');
  });

  it('one client cannot keep a colleague locked out: its five failures lock only its own address', async () => {
    for (let i = 0; i < 5; i++) await login('manager2', `guess-${i}`, '203.0.113.66');
    assert.equal((await login('manager2', 'demo1234', '203.0.113.66')).statusCode, 423);
    assert.equal(
      (await login('manager2', 'demo1234', '203.0.113.10')).statusCode,
      200,
      'the colleague signs in',
    );
    // Nor do the locked address's further tries count against the name (its count was cleared by
    // the colleague's sign-in and stays clear), so one client adds at most five in a lockout period.
    for (let i = 0; i < 12; i++)
      assert.equal((await login('manager2', `again-${i}`, '203.0.113.66')).statusCode, 423);
    const nameRow = await ctx.database.db
      .selectFrom('login_attempts')
      .selectAll()
      .where('username', '=', '["manager2"]')
      .executeTakeFirst();
    assert.equal(nameRow, undefined);
    assert.equal((await login('manager2', 'demo1234', '203.0.113.11')).statusCode, 200);
    // An admin's unlock (linli staff unlock, a password reset) clears the name from every address, and no other name.
    // A name typed to look like another's key counts as itself, and a NUL in a name is just a name.
    for (let i = 0; i < 25; i++)
      await login('["manager2","203.0.113.12"]', `guess-${i}`, `203.0.113.${100 + (i % 5)}`);
    assert.equal((await login('manager2', 'demo1234', '203.0.113.12')).statusCode, 200);
    assert.equal(codeOf(await login('manager2\u0000', 'guess', '203.0.113.13')), 'invalid_input');
    await clearLoginAttempts(ctx.database.db, '["manager2","203.0.113.12"]');
    await login('manager2x', 'guess', '203.0.113.67');
    const keys = () =>
      ctx.database.db
        .selectFrom('login_attempts')
        .select('username')
        .where('username', 'like', '["manager2%')
        .execute()
        .then((rows) => rows.map((r) => (JSON.parse(r.username) as string[]).join('@')).sort());
    assert.deepEqual(await keys(), ['manager2@203.0.113.66', 'manager2x', 'manager2x@203.0.113.67']);
    await clearLoginAttempts(ctx.database.db, 'manager2');
    assert.deepEqual(await keys(), ['manager2x', 'manager2x@203.0.113.67']);
  });

  it('the lockout answers a real username and an unknown one alike', async () => {
    const answers = async (username: string) => {
      const out: string[] = [];
      for (let i = 0; i < 7; i++) {
        const r = await login(username, 'wrong-password');
        out.push(`${r.statusCode} ${codeOf(r)}`);
      }
      return out.join(',');
    };
    const real = await answers('manager');
    assert.equal(real, await answers('no.such.user'));
    assert.match(real, /^(401 invalid_credentials,){6}401 invalid_credentials$/);
    const fromOne = async (username: string) => {
      const out: string[] = [];
      for (let i = 0; i < 7; i++) {
        const r = await login(username, 'wrong-password', '198.51.100.9');
        out.push(`${r.statusCode} ${codeOf(r)}`);
      }
      return out.join(',');
    };
    const realOne = await fromOne('manager');
    assert.equal(realOne, await fromOne('no.such.user.2'));
    assert.match(realOne, /423 account_locked$/);
  });

  it('a right password clears the count: five more tries before a lock', async () => {
    for (let i = 0; i < 4; i++) assert.equal((await login('auditor2', `guess-${i}`)).statusCode, 401);
    await tokenOf('auditor2');
    for (let i = 0; i < 4; i++) assert.equal((await login('auditor2', `guess-${i}`)).statusCode, 401);
    assert.equal((await login('auditor2', 'demo1234')).statusCode, 200);
  });

  it('changing my password ends my other sessions and keeps this one', async () => {
    const a = await tokenOf('auditor');
    const b = await tokenOf('auditor');
    const changed = await ctx.call('POST', '/api/v1/me/password', a, {
      currentPassword: 'demo1234',
      newPassword: 'Another-pass-99',
    });
    assert.equal(changed.statusCode, 204, changed.body);
    assert.equal((await ctx.call('GET', '/api/v1/me', b)).statusCode, 401, 'the other session ended');
    assert.equal((await ctx.call('GET', '/api/v1/me', a)).statusCode, 200, 'this one goes on');
  });

  it('wrong current passwords given in a session count towards the lockout', async () => {
    const t = await tokenOf('grid_worker');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await ctx.call('POST', '/api/v1/me/password', t, {
        currentPassword: `guess-${i}`,
        newPassword: `Zz-new-pass-${i}`,
      });
      statuses.push(r.statusCode);
    }
    assert.deepEqual(statuses, [400, 400, 400, 400, 400, 423, 423]);
    const right = await ctx.call('POST', '/api/v1/me/password', t, {
      currentPassword: 'demo1234',
      newPassword: 'Zz-new-pass-ok',
    });
    assert.equal(right.statusCode, 423, 'locked: not even the right one is checked');
    assert.equal(
      (await login('grid_worker', 'demo1234', '127.0.0.1')).statusCode,
      423,
      'and no sign-in from that address either',
    );
  });

  it('a temporary password cannot reach the API by a percent-encoded path', async () => {
    const made = await ctx.call('POST', '/api/v1/staff', admin, {
      username: 'temp.agent',
      name: 'Temp',
      role: 'agent',
      communityIds: [c1],
    });
    assert.equal(made.statusCode, 201, made.body);
    const t = await tokenOf('temp.agent', made.json<{ temporaryPassword: string }>().temporaryPassword);
    assert.equal(codeOf(await ctx.call('GET', '/api/v1/work-orders', t)), 'password_change_required');
    const encoded = await ctx.call('GET', '/%61pi/v1/work-orders', t);
    assert.equal(codeOf(encoded), 'password_change_required');
  });

  it('an integration key files orders only through the channels of its scopes', async () => {
    const created = await ctx.call('POST', '/api/v1/api-keys', admin, {
      communityId: c1,
      name: 'lobby kiosk',
      scopes: ['kiosk'],
    });
    const { key } = created.json<{ key: string }>();
    const file = (channel: string) =>
      ctx.call(
        'POST',
        '/api/v1/work-orders',
        undefined,
        { channel, description: '路灯不亮了，请修理' },
        { 'x-api-key': key },
      );
    for (const channel of ['open311', 'device']) {
      const r = await file(channel);
      assert.equal(r.statusCode, 403, `a kiosk-only key filed a ${channel} order`);
      assert.match(r.body, /only through its scopes \(kiosk\)/);
    }
    assert.equal((await file('kiosk')).statusCode, 201);
  });

  describe('changes on the session cookie come from Linli’s own pages only', () => {
    const keys = () => ctx.database.db.selectFrom('api_keys').select('id').execute();
    const post = (headers: Record<string, string>, payload: unknown) =>
      ctx.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers, payload: payload as string });
    const json = { communityId: '', name: 'csrf' };

    it('refuses one posted from another site, by Origin or by Sec-Fetch-Site, and changes nothing', async () => {
      const before = (await keys()).length;
      const body = { ...json, communityId: c1 };
      const sites: Record<string, string>[] = [
        { origin: 'https://evil.example' },
        { 'sec-fetch-site': 'cross-site' },
      ];
      for (const site of sites) {
        const r = await post(
          { cookie: `linli_session=${admin}`, 'content-type': 'application/json', ...site },
          body,
        );
        assert.equal(r.statusCode, 403, r.body);
        assert.match(r.body, /another site/);
      }
      const form = await post(
        {
          cookie: `linli_session=${admin}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        `communityId=${c1}&name=csrf`,
      );
      assert.equal(form.statusCode, 415, 'the API takes no form bodies');
      assert.equal((await keys()).length, before);
    });

    it('takes one from its own pages, and a bearer token from anywhere', async () => {
      const body = { ...json, communityId: c1 };
      const own = await post(
        {
          cookie: `linli_session=${admin}`,
          'content-type': 'application/json',
          origin: 'http://localhost:80',
          host: 'localhost:80',
          'sec-fetch-site': 'same-origin',
        },
        body,
      );
      assert.equal(own.statusCode, 201, own.body);
      const bearer = await post(
        {
          authorization: `Bearer ${admin}`,
          'content-type': 'application/json',
          origin: 'https://tool.example',
        },
        body,
      );
      assert.equal(bearer.statusCode, 201, bearer.body);
      const reads = await ctx.app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { cookie: `linli_session=${admin}`, 'sec-fetch-site': 'cross-site' },
      });
      assert.equal(reads.statusCode, 200, 'a read changes nothing and is answered');
    });
  });

  it('a sign-out that answers 204 has ended the session it was sent with', async () => {
    const t = await tokenOf('manager2');
    const out = await ctx.call('POST', '/api/v1/auth/logout', undefined, undefined, {
      authorization: `Bearer  ${t}`,
    });
    assert.equal(out.statusCode, 204);
    assert.equal((await ctx.call('GET', '/api/v1/me', t)).statusCode, 401);
  });
});

describe('one-time codes per phone', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 0, config: { otpPerHour: 3, otpPerDay: 4 } });
  });
  after(() => ctx.close());

  const ask = () => ctx.call('POST', '/api/v1/auth/otp/request', undefined, { phone: '13800000003' });
  const texts = async () =>
    (
      await ctx.database.db
        .selectFrom('outbox')
        .select('id')
        .where('template', '=', 'otp')
        .where('address', '=', '13800000003')
        .execute()
    ).length;

  it('are sent at most so many an hour and a day, and the refusal says when to ask again', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await ask()).statusCode);
      ctx.clock.advance(31_000);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const refused = await ask();
    const details = (refused.json() as { error: { details: { retryAfterSeconds: number } } }).error.details;
    assert.ok(
      details.retryAfterSeconds > 3000 && details.retryAfterSeconds <= 3600,
      String(details.retryAfterSeconds),
    );
    assert.equal(await texts(), 3);
    ctx.clock.advance(3_600_000);
    assert.equal((await ask()).statusCode, 200, 'the hour is over');
    ctx.clock.advance(3_600_000);
    const daily = await ask();
    assert.equal(daily.statusCode, 429, 'four a day');
    assert.match(daily.body, /4 a day/);
    assert.equal(await texts(), 4);
  });
});

describe('client addresses behind a trusted proxy', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 0, config: { trustProxy: 1 } });
  });
  after(() => ctx.close());

  it('are what the proxy saw, not what the client wrote in X-Forwarded-For', async () => {
    // The counters' windows are whole minutes of the wall clock (shared by the nodes on
    // PostgreSQL): start well inside one, or the count starts again halfway.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 100));
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      const r = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: '10.0.0.1', // the proxy
        // what nginx's $proxy_add_x_forwarded_for sends: the client's own header, then its address
        headers: { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7` },
        payload: { username: `nobody.${i}`, password: 'x' },
      });
      statuses.push(r.statusCode);
    }
    assert.deepEqual(statuses.slice(0, 20), Array<number>(20).fill(401));
    assert.deepEqual(statuses.slice(20), [429, 429], 'the 21st from 203.0.113.7 in a minute is refused');
  });
});

/**
 * Rate limits counted in the database are shared by every app node: two nodes on one database
 * together allow the limit once, where counters in memory allowed it once per node.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import type { BuiltApp } from '../../src/platform/http/app.ts';
import { databaseRateLimitStore } from '../../src/platform/http/rate-limit.store.ts';

describe('rate limits shared through the database', () => {
  let ctx: TestContext;
  let other: BuiltApp;
  before(async () => {
    ctx = await createTestContext({ orders: 0, config: { sharedRateLimits: true } });
    other = await buildApp(ctx.deps);
    await other.app.ready();
  });
  after(async () => {
    await other.app.close();
    await ctx.close();
  });

  it('sign-ins on two nodes count against one limit (20 a minute from one address)', async () => {
    // A name of its own each time: five failures of one name lock it (423), which is not this limit.
    let n = 0;
    const login = (app: BuiltApp['app']) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: `nobody.${++n}`, password: 'not-a-password' },
      });
    // Windows are whole minutes of the wall clock: start well inside one, so the 21 fall in it.
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 15_000) await new Promise((r) => setTimeout(r, left + 100));
    const codes: number[] = [];
    for (let i = 0; i < 20; i++) codes.push((await login(i % 2 ? other.app : ctx.app)).statusCode);
    assert.deepEqual([...new Set(codes)], [401], 'the first 20 are answered');
    const next = await login(other.app);
    assert.equal(next.statusCode, 429, 'the 21st, on either node, is refused');
    assert.equal((next.json() as { error: { code: string } }).error.code, 'rate_limited');
    assert.equal((await login(ctx.app)).statusCode, 429);
  });

  it('counts requests sent at once, each once', async () => {
    const Store = databaseRateLimitStore(ctx.database.db);
    const store = new Store({}, 'test|');
    const counts = await Promise.all(
      Array.from(
        { length: 30 },
        () =>
          new Promise<number>((resolve, reject) =>
            store.incr('k', (err, r) => (err ? reject(err) : resolve(r?.current ?? -1)), 60_000),
          ),
      ),
    );
    assert.deepEqual(
      [...counts].sort((a, b) => a - b),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    const read = await new Promise<number>((resolve, reject) =>
      store.read('k', (err, r) => (err ? reject(err) : resolve(r?.current ?? -1)), 60_000),
    );
    assert.equal(read, 30);
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { setUpCommunity } from '../../src/seed/setup.ts';
import type { SlaTables } from '../../src/modules/sla/sla.tables.ts';

describe('setup: a real community and its first admin, who does the rest through the API', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 10 });
  });
  after(() => ctx.close());

  const input = {
    streetCode: 'nanshan',
    streetName: '南山街道',
    communityCode: 'lihu',
    communityName: '荔湖社区',
    center: { lat: 22.53, lng: 113.93 },
    timeZone: 'Asia/Shanghai',
    adminUsername: 'lihu.admin',
    adminName: '荔湖管理员',
  };

  it('creates the community and an admin who signs in, adds staff and takes orders there only', async () => {
    const r = await setUpCommunity(ctx.database, input, ctx.clock.now());
    assert.ok(r.adminCreated && r.streetCreated && r.adminPassword);
    const first = await ctx.login('lihu.admin', r.adminPassword);
    // The made-up password must be replaced before anything else.
    assert.equal((await ctx.call('GET', '/api/v1/staff?community=lihu', first)).statusCode, 403);
    const own = await ctx.call('POST', '/api/v1/me/password', first, {
      currentPassword: r.adminPassword,
      newPassword: 'lihu admin 2026',
    });
    assert.equal(own.statusCode, 204, own.body);
    const admin = await ctx.login('lihu.admin', 'lihu admin 2026');
    const me = (await ctx.call('GET', '/api/v1/me', admin)).json<{
      communities: { id: string; code: string }[];
    }>();
    assert.deepEqual(
      me.communities.map((c) => c.code),
      ['lihu'],
    );
    const created = await ctx.call('POST', '/api/v1/staff', admin, {
      username: 'lihu.agent',
      name: '荔湖坐席',
      role: 'agent',
      communityIds: [r.communityId],
      password: 'lihu agent 2026',
    });
    assert.equal(created.statusCode, 201, created.body);
    const given = await ctx.login('lihu.agent', 'lihu agent 2026');
    // A password the admin chose is changed by its owner too.
    await ctx.call('POST', '/api/v1/me/password', given, {
      currentPassword: 'lihu agent 2026',
      newPassword: 'my own 2026 pass',
    });
    const agent = await ctx.login('lihu.agent', 'my own 2026 pass');
    const order = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '楼道灯坏了',
    });
    assert.equal(order.statusCode, 201, order.body);
    assert.match(order.json<{ number: string }>().number, /^LIHU-\d{8}-000001$/);
    // The categories and SLA policies of the baseline are there: the order is classified and timed.
    const list = await ctx.call('GET', '/api/v1/work-orders?community=lihu', agent);
    assert.equal(list.json<{ items: unknown[] }>().items.length, 1);
    const other = await ctx.call('GET', '/api/v1/work-orders?community=taoyuan', agent);
    assert.equal(other.statusCode, 403, 'another community stays closed');
    const sla = await ctx.database.db
      .withTables<SlaTables>()
      .selectFrom('sla_order_metrics')
      .select('policy_id')
      .where('community_id', '=', r.communityId)
      .execute();
    assert.equal(sla.length, 1);
    const audit = await ctx.call('GET', `/api/v1/audit/verify?community=lihu`, admin);
    assert.equal(audit.statusCode, 200, audit.body);
    assert.deepEqual(
      audit.json<{ ok: boolean }>().ok,
      true,
      'setup, staff and intake are in a verifying chain',
    );
  });

  it('refuses a community code in use and bad input, changing nothing; an existing admin gains the next community', async () => {
    const count = async () => (await ctx.database.db.selectFrom('communities').select('id').execute()).length;
    const n = await count();
    await assert.rejects(() => setUpCommunity(ctx.database, input, ctx.clock.now()), /exists already/);
    await assert.rejects(
      () =>
        setUpCommunity(
          ctx.database,
          { ...input, communityCode: 'X y', timeZone: 'Mars/Base' },
          ctx.clock.now(),
        ),
      /community: .*time-zone: unknown time zone/,
    );
    await assert.rejects(
      () =>
        setUpCommunity(
          ctx.database,
          { ...input, communityCode: 'lihu-2', adminUsername: 'agent' },
          ctx.clock.now(),
        ),
      /is not an admin/,
    );
    assert.equal(await count(), n);
    const next = await setUpCommunity(
      ctx.database,
      { ...input, communityCode: 'lihu-2', communityName: '荔湖二社区' },
      ctx.clock.now(),
    );
    assert.equal(next.adminCreated, false);
    assert.equal(next.adminPassword, undefined);
    assert.equal(await count(), n + 1);
  });
});

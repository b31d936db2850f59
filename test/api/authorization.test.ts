import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface Order {
  id: string;
  version: number;
  communityId: string;
  beneficiary: { phone: string | null; tags: string[] | null } | null;
  reporter: { phone: string | null };
}

describe('authorization: nobody reads or changes what they must not', () => {
  let ctx: TestContext;
  let agent: string;
  let order: Order;
  let other: Order;
  before(async () => {
    ctx = await createTestContext();
    agent = await ctx.login('agent');
    order = (
      await ctx.call('POST', '/api/v1/work-orders', agent, {
        channel: 'hotline',
        description: '老人家里燃气表没电了',
        residentId: await residentIdByPhone(ctx, '13800000001'),
        reporter: { phone: '13712345678' },
        category: 'basic_living.heating_gas',
      })
    ).json() as Order;
    const agent2 = await ctx.login('agent2');
    other = (
      await ctx.call('POST', '/api/v1/work-orders', agent2, {
        channel: 'hotline',
        description: '龙珠社区的工单',
      })
    ).json() as Order;
  });
  after(() => ctx.close());

  it('anonymous callers are refused with 401', async () => {
    const res = await ctx.call('GET', `/api/v1/work-orders/${order.id}`);
    assert.equal(res.statusCode, 401);
    assert.equal((await ctx.call('GET', '/api/v1/work-orders', 'not-a-token')).statusCode, 401);
  });

  it("another community's staff cannot read, list or change an order (404, no leak)", async () => {
    for (const u of ['agent2', 'dispatcher2', 'manager2', 'admin2', 'auditor2']) {
      const t = await ctx.login(u);
      assert.equal((await ctx.call('GET', `/api/v1/work-orders/${order.id}`, t)).statusCode, 404, u);
      const act = await ctx.call('POST', `/api/v1/work-orders/${order.id}/actions/accept`, t, { version: 1 });
      assert.equal(act.statusCode, 404, u);
      const list = (await ctx.call('GET', '/api/v1/work-orders?limit=200', t)).json() as { items: Order[] };
      assert.ok(
        list.items.every((o) => o.communityId !== order.communityId),
        u,
      );
      const forced = await ctx.call('GET', `/api/v1/work-orders?community=${order.communityId}`, t);
      assert.equal(forced.statusCode, 403, u);
    }
    assert.equal((await ctx.call('GET', `/api/v1/work-orders/${other.id}`, agent)).statusCode, 404);
    const verify = await ctx.call(
      'GET',
      `/api/v1/audit/verify?community=${order.communityId}`,
      await ctx.login('auditor2'),
    );
    assert.equal(verify.statusCode, 404);
  });

  it("a resident sees their own and their household's orders, never another resident's", async () => {
    const owner = await ctx.residentLogin('13800000001');
    const neighbour = await ctx.residentLogin('13800000003');
    const faraway = await ctx.residentLogin('13800000002');
    assert.equal((await ctx.call('GET', `/api/v1/work-orders/${order.id}`, owner)).statusCode, 200);
    assert.equal((await ctx.call('GET', `/api/v1/work-orders/${order.id}`, neighbour)).statusCode, 404);
    assert.equal((await ctx.call('GET', `/api/v1/work-orders/${order.id}`, faraway)).statusCode, 404);
    const list = (await ctx.call('GET', '/api/v1/work-orders?limit=200', neighbour)).json() as {
      items: Order[];
    };
    assert.ok(!list.items.some((o) => o.id === order.id));
    const cancel = await ctx.call('POST', `/api/v1/work-orders/${order.id}/actions/cancel`, neighbour, {
      version: 1,
    });
    assert.equal(cancel.statusCode, 404);
    // A resident cannot report for someone outside their household (answered as for an id that is
    // no resident's: a refusal would tell them it is one), nor use the hotline channel.
    const forOther = await ctx.call('POST', '/api/v1/work-orders', neighbour, {
      channel: 'miniapp',
      description: '替别人报',
      residentId: await residentIdByPhone(ctx, '13800000001'),
    });
    const forNobody = await ctx.call('POST', '/api/v1/work-orders', neighbour, {
      channel: 'miniapp',
      description: '替别人报',
      residentId: '01a2488f-0000-7000-8000-000000000000',
    });
    assert.equal(forOther.statusCode, 404);
    assert.equal(forOther.json().error.code, 'resident_not_found');
    assert.deepEqual(
      { ...forOther.json().error, message: forOther.json().error.message.replace(/resident \S+/, '') },
      { ...forNobody.json().error, message: forNobody.json().error.message.replace(/resident \S+/, '') },
    );
    const hotline = await ctx.call('POST', '/api/v1/work-orders', neighbour, {
      channel: 'hotline',
      description: 'x',
    });
    assert.equal(hotline.statusCode, 403);
  });

  it('roles may take only their transitions', async () => {
    const dispatcher = await ctx.login('dispatcher');
    const accept = await ctx.call(
      'POST',
      `/api/v1/work-orders/${order.id}/actions/accept`,
      await ctx.login('auditor'),
      { version: 1 },
    );
    assert.equal(accept.statusCode, 403);
    const agentDispatch = await ctx.call('POST', `/api/v1/work-orders/${order.id}/actions/dispatch`, agent, {
      version: 1,
      assigneeId: await userId(ctx, 'provider'),
    });
    assert.equal(agentDispatch.statusCode, 403);
    const ok = await ctx.call('POST', `/api/v1/work-orders/${order.id}/actions/dispatch`, dispatcher, {
      version: 1,
      assigneeId: await userId(ctx, 'provider'),
    });
    assert.equal(ok.statusCode, 200, ok.body);
    // Only the assignee starts the work.
    const gw = await ctx.login('grid_worker');
    const notMine = await ctx.call('POST', `/api/v1/work-orders/${order.id}/actions/start`, gw, {
      version: 2,
    });
    assert.ok([403, 404].includes(notMine.statusCode));
    const start = await ctx.call(
      'POST',
      `/api/v1/work-orders/${order.id}/actions/start`,
      await ctx.login('provider'),
      { version: 2 },
    );
    assert.equal(start.statusCode, 200);
  });

  it('a provider sees only orders assigned to them', async () => {
    const provider = await ctx.login('provider');
    const list = (await ctx.call('GET', '/api/v1/work-orders?limit=200', provider)).json() as {
      items: (Order & { assignee: { id: string } | null })[];
    };
    const me = await userId(ctx, 'provider');
    assert.ok(list.items.length > 0);
    assert.ok(list.items.every((o) => o.assignee?.id === me));
  });

  it('personal data is masked unless the role needs it', async () => {
    const seenBy = async (u: string) =>
      (await ctx.call('GET', `/api/v1/work-orders/${order.id}`, await ctx.login(u))).json() as Order;
    const a = await seenBy('agent');
    assert.equal(a.beneficiary?.phone, '13800000001');
    assert.deepEqual(a.beneficiary?.tags, ['elderly_alone', 'chronic_illness']);
    for (const u of ['manager', 'auditor']) {
      const m = await seenBy(u);
      assert.equal(m.beneficiary?.phone, '138****0001', u);
      assert.equal(m.beneficiary?.tags, null, u);
      assert.equal(m.reporter.phone, '137****5678', u);
    }
    const lookup = await ctx.call('GET', '/api/v1/residents?phone=13800000001', await ctx.login('manager'));
    const [r] = lookup.json() as { idNumber: string; phone: string }[];
    assert.match(r?.idNumber ?? '', /\*{6,}/);
    const byAgent = (await ctx.call('GET', '/api/v1/residents?phone=13800000001', agent)).json() as {
      idNumber: string;
    }[];
    assert.doesNotMatch(byAgent[0]?.idNumber ?? '*', /\*/);
    assert.equal(
      (await ctx.call('GET', '/api/v1/residents?phone=13800000001', await ctx.login('provider'))).statusCode,
      403,
    );
  });

  it("lists a community's staff to its dispatchers only", async () => {
    const otherId = () => ctx.seed.communities[1]?.id ?? '';
    const dispatcher = await ctx.login('dispatcher');
    const dispatcher2 = await ctx.login('dispatcher2');
    const res = await ctx.call('GET', `/api/v1/staff?community=${order.communityId}`, dispatcher);
    assert.equal(res.statusCode, 200, res.body);
    const { items } = res.json() as { items: { username: string; role: string; grids: string[] }[] };
    const gw = items.find((u) => u.username === 'grid_worker');
    assert.ok(gw && gw.grids.length > 0);
    const other = (await ctx.call('GET', `/api/v1/staff?community=${otherId()}`, dispatcher2)).json() as {
      items: { username: string }[];
    };
    assert.ok(other.items.some((u) => u.username === 'dispatcher2'));
    const mine = new Set(items.map((u) => u.username));
    assert.deepEqual(
      other.items.filter((u) => mine.has(u.username)).map((u) => u.username),
      ['street_admin'],
      "no staff of the other community but the street's administrator, who serves both",
    );
    assert.equal(
      (await ctx.call('GET', `/api/v1/staff?community=${order.communityId}`, dispatcher2)).statusCode,
      404,
    );
  });
});

/**
 * What a review found readable that the read rules forbid, each fixed and held here: duplicate
 * suggestions naming orders the viewer may not read, an integration's key reading its whole
 * community, supervisions and return visits answering 403 (so: "it exists") to people who may
 * not read their order, and public replies on Open311 naming the person the order is for.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface Order {
  id: string;
  number: string;
  version: number;
}

describe('read scope: suggestions, integrations, supervisions, return visits and public replies', () => {
  let ctx: TestContext;
  let agent: string;
  let dispatcher: string;
  let manager: string;
  let provider: string;
  let c1: string;
  before(async () => {
    ctx = await createTestContext();
    [agent, dispatcher, manager, provider] = (await Promise.all(
      ['agent', 'dispatcher', 'manager', 'provider'].map((u) => ctx.login(u)),
    )) as [string, string, string, string];
    c1 = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
  });
  after(() => ctx.close());

  const create = async (description: string, token = agent) => {
    const res = await ctx.call('POST', '/api/v1/work-orders', token, {
      channel: 'hotline',
      description,
      category: 'basic_living.water_electric',
      urgency: 'normal',
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as Order;
  };
  const act = async (token: string, o: Order, action: string, body: Record<string, unknown> = {}) => {
    const res = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/${action}`, token, {
      version: o.version,
      ...body,
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Order;
  };

  it('duplicate suggestions name only orders the viewer may read', async () => {
    const text = '5栋302厨房水龙头一直滴水关不紧，麻烦派人看看';
    const mine = await create(text);
    const theirs = await create(`${text}，快来`);
    const providerId = await userId(ctx, 'provider');
    const m = await act(dispatcher, mine, 'accept');
    await act(dispatcher, m, 'dispatch', { assigneeId: providerId });

    const asDispatcher = await ctx.call('GET', `/api/v1/work-orders/${mine.id}/duplicates`, dispatcher);
    assert.equal(asDispatcher.statusCode, 200, asDispatcher.body);
    const named = (asDispatcher.json() as { id: string }[]).map((s) => s.id);
    assert.ok(
      named.includes(theirs.id),
      'the dispatcher, who reads every order, is shown the likely duplicate',
    );

    assert.equal((await ctx.call('GET', `/api/v1/work-orders/${theirs.id}`, provider)).statusCode, 404);
    const asProvider = await ctx.call('GET', `/api/v1/work-orders/${mine.id}/duplicates`, provider);
    assert.equal(asProvider.statusCode, 200, asProvider.body);
    for (const s of asProvider.json() as { id: string }[]) {
      const read = await ctx.call('GET', `/api/v1/work-orders/${s.id}`, provider);
      assert.equal(read.statusCode, 200, `the provider was shown ${s.id}, which they may not read`);
    }
    assert.ok(!(asProvider.json() as { id: string }[]).some((s) => s.id === theirs.id));
  });

  it("an integration's key reads back the orders it reported and no others", async () => {
    const key = 'demo-open311-key';
    const headers = { 'x-api-key': key };
    const list = await ctx.call('GET', '/api/v1/work-orders?limit=200', undefined, undefined, headers);
    assert.equal(list.statusCode, 200, list.body);
    const before = (list.json() as { items: { id: string }[] }).items;

    const staffOrder = await create('小区东门路灯不亮了');
    const read = await ctx.call('GET', `/api/v1/work-orders/${staffOrder.id}`, undefined, undefined, headers);
    assert.equal(read.statusCode, 404, 'an order the key did not report is not there for it');

    const filed = await ctx.call(
      'POST',
      '/api/v1/work-orders',
      undefined,
      { channel: 'open311', description: '外部系统：3栋电梯按钮失灵', communityId: c1 },
      headers,
    );
    assert.equal(filed.statusCode, 201, filed.body);
    const own = filed.json() as Order;
    const back = await ctx.call('GET', `/api/v1/work-orders/${own.id}`, undefined, undefined, headers);
    assert.equal(back.statusCode, 200, back.body);
    const after = (
      (await ctx.call('GET', '/api/v1/work-orders?limit=200', undefined, undefined, headers)).json() as {
        items: { id: string; reporter?: { type?: string } }[];
      }
    ).items;
    assert.ok(after.some((o) => o.id === own.id));
    assert.ok(!after.some((o) => o.id === staffOrder.id));
    assert.equal(after.length, before.length + 1, 'only what the key reported');
  });

  it('a supervision or return visit of an order the caller may not read answers 404, as an unknown id', async () => {
    const o = await create('4栋地下室配电箱冒烟后跳闸了');
    const issued = await ctx.call('POST', `/api/v1/work-orders/${o.id}/supervisions`, manager, {
      reason: '请尽快处理',
    });
    assert.equal(issued.statusCode, 201, issued.body);
    const supervisionId = (issued.json() as { id: string }).id;
    const resident = await ctx.residentLogin('13800000003');
    for (const token of [provider, resident]) {
      const res = await ctx.call('POST', `/api/v1/supervisions/${supervisionId}/respond`, token, {
        response: 'x',
      });
      assert.equal(res.statusCode, 404, res.body);
    }
    const unknown = await ctx.call(
      'POST',
      `/api/v1/supervisions/01a00000-0000-7000-8000-000000000000/respond`,
      provider,
      {
        response: 'x',
      },
    );
    assert.equal(unknown.statusCode, 404);

    // A low rating opens a return visit; the order is the resident's and the provider's, not a stranger's.
    const reporter = await ctx.residentLogin('13800000001');
    const filed = await ctx.call('POST', '/api/v1/work-orders', reporter, {
      channel: 'miniapp',
      description: '单元门禁刷卡没反应',
      category: 'basic_living.water_electric',
    });
    assert.equal(filed.statusCode, 201, filed.body);
    let r = await act(dispatcher, filed.json() as Order, 'accept');
    r = await act(dispatcher, r, 'dispatch', { assigneeId: await userId(ctx, 'provider') });
    r = await act(provider, r, 'start');
    r = await act(provider, r, 'resolve', { note: '已修好' });
    await act(reporter, r, 'confirm', { rating: 1, comment: '还是坏的' });
    const visit = await ctx.database.db
      .withTables<{ return_visits: { id: string; work_order_id: string; status: string } }>()
      .selectFrom('return_visits')
      .select('id')
      .where('work_order_id', '=', r.id)
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow();
    const provider2 = await ctx.login('provider2');
    for (const token of [resident, provider2]) {
      const res = await ctx.call('POST', `/api/v1/return-visits/${visit.id}/complete`, token, {
        outcome: 'satisfied',
      });
      assert.equal(res.statusCode, 404, res.body);
    }
  });

  it('numbers typed into free text are masked like the fields for roles that may not see them', async () => {
    const o = await create('联系人张伟 13912345678 身份证440301199001011234 家里停电了');
    const seen = async (token: string) =>
      ((await ctx.call('GET', `/api/v1/work-orders/${o.id}`, token)).json() as { description: string })
        .description;
    assert.equal(await seen(agent), '联系人张伟 13912345678 身份证440301199001011234 家里停电了');
    assert.equal(
      await seen(dispatcher),
      '联系人张伟 13912345678 身份证*** 家里停电了',
      'a dispatcher calls back',
    );
    assert.equal(await seen(manager), '联系人张伟 *** 身份证*** 家里停电了');
    const csv = await ctx.call(
      'GET',
      `/api/v1/work-orders/export.csv?community=taoyuan&q=${encodeURIComponent('联系人张伟')}`,
      manager,
    );
    assert.equal(csv.statusCode, 200, csv.body);
    assert.match(csv.body, /联系人张伟 \*\*\* 身份证\*\*\* 家里停电了/);
    assert.doesNotMatch(csv.body, /13912345678|440301199001011234/);
  });

  it('a public reply on Open311 blanks the name of the person the order is for', async () => {
    const resident = await ctx.database.db
      .selectFrom('residents')
      .select(['id', 'name'])
      .where('community_id', '=', c1)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const res = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '楼道灯坏了',
      residentId: resident.id,
      category: 'basic_living.water_electric',
      urgency: 'normal',
    });
    assert.equal(res.statusCode, 201, res.body);
    const o = res.json() as Order;
    const reply = await ctx.call('POST', `/api/v1/work-orders/${o.id}/notes`, dispatcher, {
      text: `${resident.name}您好，师傅明天上午上门维修楼道灯`,
      visibility: 'public',
    });
    assert.equal(reply.statusCode, 201, reply.body);
    const feed = await ctx.call(
      'GET',
      `/open311/v2/servicerequestupdates.json?service_request_id=${o.number}&jurisdiction_id=taoyuan`,
    );
    assert.equal(feed.statusCode, 200, feed.body);
    const texts = (feed.json() as { description: string }[]).map((u) => u.description);
    assert.ok(
      texts.some((t) => t.includes('师傅明天上午上门维修楼道灯')),
      JSON.stringify(texts),
    );
    assert.ok(!texts.some((t) => t.includes(resident.name)), JSON.stringify(texts));
  });
});

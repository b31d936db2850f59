/**
 * Personal data that a review found readable around the masks, each path now closed and held
 * here: answers (attributes) typed with a callback number, a text search that matched the
 * digits a viewer sees as ***, a resident's recent orders, the priority parts that weigh the
 * beneficiary's special groups, supervision reasons (list, order SLA view, inbox), return-visit
 * notes; and a resident naming someone outside their household answered as no one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone, userId } from '../helpers.ts';
import { createChannelAdapters } from '../../src/modules/notifications/adapters.ts';
import { deliverDue } from '../../src/modules/notifications/outbox.worker.ts';
import { silentLogger } from '../../src/platform/context.ts';
import type { TestContext } from '../helpers.ts';

interface Order {
  id: string;
  number: string;
  version: number;
  description: string;
  priorityScore: number | null;
  priorityNow?: { score: number | null; band: string };
  classification: Record<string, unknown> | null;
  attributes: Record<string, unknown> | null;
}

const PHONE = '13912345678';
const ID_NUMBER = '440301199001011234';

describe('privacy: personal data around the masks', () => {
  let ctx: TestContext;
  let agent: string;
  let dispatcher: string;
  let manager: string;
  let auditor: string;
  let provider: string;
  before(async () => {
    ctx = await createTestContext();
    [agent, dispatcher, manager, auditor, provider] = (await Promise.all(
      ['agent', 'dispatcher', 'manager', 'auditor', 'provider'].map((u) => ctx.login(u)),
    )) as [string, string, string, string, string];
  });
  after(() => ctx.close());

  const create = async (body: Record<string, unknown>, token = agent) => {
    const res = await ctx.call('POST', '/api/v1/work-orders', token, {
      channel: 'hotline',
      category: 'basic_living.water_electric',
      urgency: 'normal',
      ...body,
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as Order;
  };
  const read = async (token: string, id: string) => {
    const res = await ctx.call('GET', `/api/v1/work-orders/${id}`, token);
    assert.equal(res.statusCode, 200, res.body);
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

  it('answers typed with contact data are blanked like the description', async () => {
    const o = await create({
      description: '家里水管漏水，请师傅回电',
      attributes: { callback: PHONE, contact: { mail: 'wxy@example.com', ids: [ID_NUMBER] }, floors: 3 },
    });
    assert.deepEqual((await read(agent, o.id)).attributes, {
      callback: PHONE,
      contact: { mail: 'wxy@example.com', ids: [ID_NUMBER] },
      floors: 3,
    });
    assert.deepEqual((await read(dispatcher, o.id)).attributes, {
      callback: PHONE,
      contact: { mail: 'wxy@example.com', ids: ['***'] },
      floors: 3,
    });
    assert.deepEqual((await read(manager, o.id)).attributes, {
      callback: '***',
      contact: { mail: '***', ids: ['***'] },
      floors: 3,
    });
  });

  it('a text search does not match the contact data a viewer sees blanked', async () => {
    const o = await create({ description: `楼上漏水淹了厨房 回电${PHONE} 身份证${ID_NUMBER}` });
    const found = async (token: string, q: string) => {
      const res = await ctx.call('GET', `/api/v1/work-orders?limit=200&q=${encodeURIComponent(q)}`, token);
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { items: { id: string }[] }).items.some((i) => i.id === o.id);
    };
    // The words around the numbers are found by everyone; the numbers by whoever reads them.
    for (const token of [agent, dispatcher, manager, auditor]) assert.ok(await found(token, '淹了厨房'));
    assert.ok(await found(agent, PHONE));
    assert.ok(await found(agent, ID_NUMBER.slice(0, 10)));
    for (const q of [PHONE, PHONE.slice(0, 7), ID_NUMBER, ID_NUMBER.slice(0, 10)]) {
      assert.equal(await found(manager, q), false, `manager found it by ${q}`);
      assert.equal(await found(auditor, q), false, `auditor found it by ${q}`);
    }
    // A dispatcher reads phones but not ID numbers: the blanked text is what they search.
    assert.equal(await found(dispatcher, ID_NUMBER.slice(0, 10)), false);
    const csv = await ctx.call(
      'GET',
      `/api/v1/work-orders/export.csv?community=taoyuan&q=${encodeURIComponent(PHONE.slice(0, 7))}`,
      manager,
    );
    assert.equal(csv.statusCode, 200, csv.body);
    assert.ok(!csv.body.includes(o.number), 'the export is the same search');
  });

  it("a resident's recent orders are blanked as the orders themselves", async () => {
    const residentId = await residentIdByPhone(ctx, '13800000001');
    await create({ description: `老人家门锁坏了 女儿电话${PHONE} 身份证${ID_NUMBER}`, residentId });
    const recent = async (token: string) => {
      const res = await ctx.call('GET', `/api/v1/residents/${residentId}`, token);
      assert.equal(res.statusCode, 200, res.body);
      const { recentOrders } = res.json() as { recentOrders: { description: string }[] };
      return recentOrders.map((r) => r.description).join('\n');
    };
    const asManager = await recent(manager);
    assert.match(asManager, /女儿电话\*\*\* 身份证\*\*\*/);
    const asDispatcher = await recent(dispatcher);
    assert.match(asDispatcher, new RegExp(`女儿电话${PHONE} 身份证\\*\\*\\*`));
    assert.match(await recent(agent), new RegExp(ID_NUMBER));
  });

  it('the priority that weighs special groups is shown only to who may see the groups', async () => {
    // 王秀英 lives alone with a chronic illness and consented: her orders weigh both.
    const residentId = await residentIdByPhone(ctx, '13800000001');
    const o = await create({ description: '屋里灯不亮了', residentId });
    const forDispatcher = await read(dispatcher, o.id);
    const parts = forDispatcher.classification?.priorityParts as { vulnerability: number } | undefined;
    assert.ok(parts && parts.vulnerability > 0, JSON.stringify(forDispatcher.classification));
    assert.equal(typeof forDispatcher.priorityScore, 'number');
    for (const token of [manager, auditor]) {
      const seen = await read(token, o.id);
      assert.equal(seen.priorityScore, null);
      assert.ok(seen.classification, 'the classification itself is shown');
      assert.equal('priorityParts' in (seen.classification ?? {}), false);
      if (seen.priorityNow) assert.equal(seen.priorityNow.score, null);
      const list = await ctx.call('GET', '/api/v1/work-orders?limit=200', token);
      const item = (list.json() as { items: Order[] }).items.find((i) => i.id === o.id);
      assert.ok(item);
      assert.equal(item.priorityScore, null);
      assert.equal('priorityParts' in (item.classification ?? {}), false);
    }
  });

  it('supervision reasons are blanked in the list, the order SLA view and the inbox', async () => {
    const o = await create({ description: '楼道堆满杂物' });
    const issued = await ctx.call('POST', `/api/v1/work-orders/${o.id}/supervisions`, manager, {
      reason: `居民多次来电${PHONE}，身份证${ID_NUMBER}，请速办`,
      dueInMinutes: 1440,
    });
    assert.equal(issued.statusCode, 201, issued.body);
    const reasons = async (token: string) => {
      const res = await ctx.call('GET', `/api/v1/supervisions?order=${o.id}`, token);
      assert.equal(res.statusCode, 200, res.body);
      return (res.json() as { reason: string }[]).map((s) => s.reason);
    };
    assert.deepEqual(await reasons(auditor), ['居民多次来电***，身份证***，请速办']);
    assert.deepEqual(await reasons(dispatcher), [`居民多次来电${PHONE}，身份证***，请速办`]);
    assert.deepEqual(await reasons(agent), [`居民多次来电${PHONE}，身份证${ID_NUMBER}，请速办`]);
    const sla = await ctx.call('GET', `/api/v1/work-orders/${o.id}/sla`, auditor);
    assert.equal(sla.statusCode, 200, sla.body);
    assert.ok(!sla.body.includes(PHONE) && !sla.body.includes(ID_NUMBER), sla.body);
    const { adapters } = createChannelAdapters(ctx.database, ctx.clock, silentLogger);
    await deliverDue(ctx.database, ctx.clock, adapters, { limit: 500 });
    const inbox = await ctx.call('GET', '/api/v1/inbox?limit=100', dispatcher);
    assert.equal(inbox.statusCode, 200, inbox.body);
    const item = (
      inbox.json() as { items: { template: string; body: string; data: { reason?: string } }[] }
    ).items.find((i) => i.template === 'supervision_issued' && i.body.includes('请速办'));
    assert.ok(item, inbox.body);
    assert.ok(!JSON.stringify(item).includes(ID_NUMBER), JSON.stringify(item));
    assert.equal(item.data.reason, `居民多次来电${PHONE}，身份证***，请速办`);
  });

  it('return-visit notes are blanked for roles that may not see the numbers', async () => {
    const reporter = await ctx.residentLogin('13800000003');
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
    const open = await ctx.call('GET', `/api/v1/return-visits?order=${r.id}`, agent);
    const [visit] = open.json() as { id: string }[];
    assert.ok(visit, open.body);
    const done = await ctx.call('POST', `/api/v1/return-visits/${visit.id}/complete`, agent, {
      outcome: 'unsatisfied',
      note: `邻居说可以打${PHONE}，身份证${ID_NUMBER}`,
    });
    assert.equal(done.statusCode, 200, done.body);
    const notes = async (token: string) =>
      (
        (await ctx.call('GET', `/api/v1/return-visits?order=${r.id}`, token)).json() as {
          note: string | null;
        }[]
      ).map((v) => v.note);
    assert.deepEqual(await notes(auditor), ['邻居说可以打***，身份证***']);
    assert.deepEqual(await notes(dispatcher), [`邻居说可以打${PHONE}，身份证***`]);
    assert.deepEqual(await notes(agent), [`邻居说可以打${PHONE}，身份证${ID_NUMBER}`]);
  });
});

/**
 * The public Open311 listing blanks phone and ID numbers typed with full-width digits (and
 * other look-alike forms) as it does ASCII ones, in requests and in servicerequestupdates.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { body } from './open311.helpers.ts';

const V2 = '/open311/v2';
const PHONE_FW = '１３９１２３４５６７８';
const ID_FW = '４４０３０５１９５００１０１０００１';
const DESCRIPTION = `请回电${PHONE_FW}，身份证${ID_FW}，楼道灯坏了`;
/** The same numbers as ASCII, and the ways they may be spelled in a body (XML or JSON escapes). */
const SECRETS = [PHONE_FW, ID_FW, '13912345678', '440305195001010001', '１３９', '４４０３０５'];

describe('Open311: full-width contact data in public text', () => {
  let ctx: TestContext;
  let agent: string;
  let order: { id: string; number: string };
  let seq = 0;
  const get = (url: string) =>
    ctx.app.inject({ method: 'GET', url, headers: { 'x-forwarded-for': `10.9.0.${seq++ % 250}` } });

  before(async () => {
    ctx = await createTestContext({ orders: 5, config: { trustProxy: 1, defaultJurisdiction: 'taoyuan' } });
    agent = await ctx.login('agent');
    const res = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: DESCRIPTION,
      category: 'basic_living.water_electric',
    });
    assert.equal(res.statusCode, 201, res.body);
    order = res.json() as { id: string; number: string };
  });
  after(() => ctx.close());

  it('GET requests/{id} blanks them in JSON and XML without a key, keeping the rest as typed', async () => {
    for (const fmt of ['json', 'xml'] as const) {
      const res = await get(`${V2}/requests/${order.number}.${fmt}`);
      assert.equal(res.statusCode, 200, res.body);
      for (const s of SECRETS) assert.ok(!res.body.includes(s), `${s} leaked in ${fmt}`);
      const [r] = body(res, fmt) as { description: string }[];
      assert.equal(r?.description, '请回电***，身份证***，楼道灯坏了', fmt);
    }
  });

  it('GET requests lists the order with the same blanks', async () => {
    const res = await get(`${V2}/requests.json?service_request_id=${order.number}`);
    assert.equal(res.statusCode, 200, res.body);
    for (const s of SECRETS) assert.ok(!res.body.includes(s), s);
    const [r] = res.json() as { description: string }[];
    assert.equal(r?.description, '请回电***，身份证***，楼道灯坏了');
  });

  it('servicerequestupdates blanks a public reply typed with full-width, spaced and dashed digits', async () => {
    const reply = await ctx.call('POST', `/api/v1/work-orders/${order.id}/notes`, agent, {
      text: '已联系住户，请拨打０７５５－２６６０１２３４或１３９　１２３４　５６７８，邮箱ｌｉ＠ｅｘａｍｐｌｅ．ｃｏｍ',
      visibility: 'public',
    });
    assert.equal(reply.statusCode, 201, reply.body);
    const query = `start_date=2026-09-01T00:00:00Z&end_date=2026-11-20T02:00:00Z&service_request_id=${order.number}`;
    for (const fmt of ['json', 'xml'] as const) {
      const res = await get(`${V2}/servicerequestupdates.${fmt}?${query}`);
      assert.equal(res.statusCode, 200, res.body);
      for (const s of ['２６６０１２３４', '１２３４', '５６７８', 'ｌｉ＠', 'ｅｘａｍｐｌｅ'])
        assert.ok(!res.body.includes(s), `${s} leaked in ${fmt}`);
      const updates = body(res, fmt) as { description: string }[];
      assert.ok(
        updates.some((u) => u.description === '已联系住户，请拨打***或***，邮箱***'),
        JSON.stringify(updates),
      );
    }
  });
});

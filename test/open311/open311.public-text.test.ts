/**
 * What GeoReport v2 publishes of what a client sent, and what it refuses: a reporter's own
 * contact in any format, names in referrals, free-text answers, addresses with rooms written in
 * Chinese numerals, text that is not UTF-8 or holds control characters, descriptions counted in
 * characters, address ids, batch tokens on a retry, impossible dates and numbers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { registerOpen311Routes } from '../../src/modules/open311/open311.routes.ts';
import { upsertServiceSettings } from '../../src/modules/open311/open311.repository.ts';
import { body, postForm } from './open311.helpers.ts';

const V2 = '/open311/v2';
const KEY = 'demo-open311-key';
type Req = { service_request_id: string; description: string; address: string | null } & Record<
  string,
  unknown
>;

describe('Open311: public text and strict input', () => {
  let ctx: TestContext;
  let seq = 0;
  const ip = () => ({ 'x-forwarded-for': `10.9.${Math.floor(seq / 250)}.${seq++ % 250}` });
  const post = (pairs: [string, string][], headers: Record<string, string> = {}) =>
    postForm(ctx.app, `${V2}/requests.json`, [['api_key', KEY], ...pairs], { ...ip(), ...headers });
  const getOne = async (id: string, fmt: 'json' | 'xml' = 'json') => {
    const r = await ctx.app.inject({ method: 'GET', url: `${V2}/requests/${id}.${fmt}`, headers: ip() });
    assert.equal(r.statusCode, 200, r.body);
    return r;
  };
  const created = async (pairs: [string, string][]) => {
    const r = await post(pairs);
    assert.equal(r.statusCode, 200, r.body);
    const [first] = body(r, 'json') as { service_request_id: string }[];
    return first?.service_request_id ?? '';
  };
  const orderCount = async () =>
    Number(
      (
        await ctx.database.db
          .selectFrom('work_orders')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  before(async () => {
    ctx = await createTestContext({ orders: 5, config: { trustProxy: 1, defaultJurisdiction: 'taoyuan' } });
  });
  after(() => ctx.close());

  it("never publishes the reporter's own phone or name, in any format, nor names in a referral", async () => {
    const id = await created([
      ['service_code', 'basic_living.appliance'],
      ['address_string', '桃源村1栋'],
      ['first_name', 'John'],
      ['last_name', 'Smith'],
      ['phone', '+852 9123 4567'],
      ['description', 'Please call John Smith on +852 9123 4567 (or Smith at 852-9123-4567)'],
    ]);
    // Stored as the name is written: given name, then surname.
    const row = await ctx.database.db
      .selectFrom('work_orders')
      .select(['id', 'reporter_name', 'version'])
      .where('number', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(row.reporter_name, 'John Smith');
    for (const fmt of ['json', 'xml'] as const) {
      const text = (await getOne(id, fmt)).body;
      for (const leak of ['John', 'Smith', '9123', '4567'])
        assert.ok(!text.includes(leak), `${fmt}: ${leak}`);
    }
    const admin = await ctx.login('admin');
    const refer = await ctx.call('POST', `/api/v1/work-orders/${row.id}/actions/refer`, admin, {
      version: row.version,
      referredTo: '区住建局（John Smith 本人前往，+852 9123 4567）',
    });
    assert.equal(refer.statusCode, 200, refer.body);
    const [view] = body(await getOne(id), 'json') as Req[];
    for (const field of ['agency_responsible', 'status_notes'] as const) {
      const v = String(view?.[field]);
      assert.match(v, /区住建局/);
      for (const leak of ['John', 'Smith', '9123']) assert.ok(!v.includes(leak), `${field}: ${v}`);
    }
    // A Chinese name is written surname first, together; a referral naming the reporter is blanked.
    const zh = await created([
      ['service_code', 'basic_living.appliance'],
      ['address_string', '桃源村1栋'],
      ['first_name', '建华'],
      ['last_name', '张'],
      ['description', '空调不制冷'],
    ]);
    const zhRow = await ctx.database.db
      .selectFrom('work_orders')
      .select(['id', 'reporter_name', 'version'])
      .where('number', '=', zh)
      .executeTakeFirstOrThrow();
    assert.equal(zhRow.reporter_name, '张建华');
    await ctx.call('POST', `/api/v1/work-orders/${zhRow.id}/actions/refer`, admin, {
      version: zhRow.version,
      referredTo: '区住建局（张建华本人前往）',
    });
    const [zhView] = body(await getOne(zh), 'json') as Req[];
    assert.equal(zhView?.agency_responsible, '区住建局（***本人前往）');
  });

  it('coarsens an address with its room written in Chinese numerals or before the building', async () => {
    // basic_living.property is shown to the building; basic_living.appliance to the street.
    const cases: [string, string, string][] = [
      ['basic_living.property', '桃源村五号五零一室', '桃源村五号'],
      ['basic_living.property', '501室 桃源村5栋', '桃源村5栋'],
      ['basic_living.appliance', '桃源村五栋五零一室', '桃源村'],
    ];
    for (const [code, address, shown] of cases) {
      const id = await created([
        ['service_code', code],
        ['address_string', address],
        ['description', '门禁坏了'],
      ]);
      const [view] = body(await getOne(id), 'json') as Req[];
      assert.equal(view?.address, shown, address);
    }
  });

  it('publishes only answers chosen from a list: free-text answers stay for staff', async () => {
    const id = await created([
      ['service_code', 'basic_living.parking'],
      ['address_string', '桃源村1栋'],
      ['attribute[fire_lane_blocked]', 'yes'],
      ['attribute[plate]', '粤B12345 车主王建国'],
    ]);
    const [view] = body(await getOne(id), 'json') as Req[];
    assert.match(view?.description ?? '', /是/);
    assert.ok(!view?.description.includes('粤B12345'), view?.description);
    assert.ok(!view?.description.includes('王建国'), view?.description);
    const row = await ctx.database.db
      .selectFrom('work_orders')
      .select('attributes_json')
      .where('number', '=', id)
      .executeTakeFirstOrThrow();
    assert.match(row.attributes_json ?? '', /粤B12345/);
  });

  it('refuses a form that is not UTF-8, and control characters, changing nothing', async () => {
    const before = await orderCount();
    const raw = (payload: string) =>
      ctx.app.inject({
        method: 'POST',
        url: `${V2}/requests.json`,
        payload,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...ip() },
      });
    const base = `api_key=${KEY}&service_code=basic_living.appliance&address_string=1`;
    for (const [payload, field] of [
      [`${base}&description=%BF%D5%B5%F7%BB%B5%C1%CB`, 'description'],
      [`${base}&first_name=%E5%BC`, 'first_name'],
      [`${base}&description=${encodeURIComponent('空调\u0007坏了')}`, 'description'],
    ] as const) {
      const r = await raw(payload);
      assert.equal(r.statusCode, 400, r.body);
      const [e] = JSON.parse(r.body) as { code: number; description: string }[];
      assert.equal(e?.code, 400);
      assert.match(e?.description ?? '', new RegExp(field));
    }
    assert.equal(await orderCount(), before);
    // A carriage return is kept, and XML carries it as a character reference.
    const id = await created([
      ['service_code', 'basic_living.appliance'],
      ['address_string', '桃源村1栋'],
      ['description', 'line1\r\nline2'],
    ]);
    assert.match((await getOne(id, 'xml')).body, /line1&#13;\nline2/);
  });

  it('counts a description in characters and never cuts one in two', async () => {
    const long = 'a' + '😀'.repeat(3999);
    const id = await created([
      ['service_code', 'basic_living.appliance'],
      ['address_string', '桃源村1栋'],
      ['description', long],
    ]);
    const [view] = body(await getOne(id), 'json') as Req[];
    assert.equal(view?.description, long);
    const tooLong = await post([
      ['service_code', 'basic_living.appliance'],
      ['address_string', '桃源村1栋'],
      ['description', long + 'b'],
    ]);
    assert.equal(tooLong.statusCode, 400, tooLong.body);
  });

  it('shows a request located by an address id without the id as its address', async () => {
    const id = await created([
      ['service_code', 'basic_living.property'],
      ['address_id', '545483'],
      ['description', '门禁坏了'],
    ]);
    const [view] = body(await getOne(id), 'json') as Req[];
    assert.equal(view?.address, null);
  });

  it('answers a retried batch request with the token of its first attempt', async () => {
    await upsertServiceSettings(ctx.database.db, 'basic_living.property', { service_type: 'batch' });
    const fresh = Fastify();
    try {
      await fresh.register(rateLimit, { global: false });
      await registerOpen311Routes(fresh, {
        deps: ctx.deps,
        auth: ctx.services.auth,
        workOrders: ctx.services.workOrders,
      });
      const pairs: [string, string][] = [
        ['api_key', KEY],
        ['service_code', 'basic_living.property'],
        ['address_string', '桃源村5栋'],
        ['description', '门禁又坏了'],
      ];
      const tokens: string[] = [];
      for (let i = 0; i < 2; i++) {
        const r = await postForm(fresh, `${V2}/requests.json`, pairs, { 'idempotency-key': 'batch-retry-1' });
        assert.equal(r.statusCode, 200, r.body);
        tokens.push((body(r, 'json') as { token: string }[])[0]?.token ?? '');
      }
      assert.ok(tokens[0]);
      assert.equal(tokens[1], tokens[0]);
    } finally {
      await fresh.close();
      await upsertServiceSettings(ctx.database.db, 'basic_living.property', { service_type: 'realtime' });
    }
  });

  it('refuses impossible dates, numbers past the integer range and a phone with no digits', async () => {
    const before = await orderCount();
    const elevator: [string, string][] = [
      ['service_code', 'basic_living.elevator'],
      ['address_string', '桃源村1栋'],
      ['attribute[building]', '1栋'],
      ['attribute[people_trapped]', 'no'],
    ];
    for (const [pairs, field] of [
      [[...elevator, ['attribute[floor]', '1e308']], 'attribute\\[floor\\]'],
      [[...elevator, ['phone', 'abc']], 'phone'],
    ] as [[string, string][], string][]) {
      const r = await post(pairs);
      assert.equal(r.statusCode, 400, r.body);
      assert.match(r.body, new RegExp(field));
    }
    assert.equal(await orderCount(), before);
    // A year before 100 is a year of its own, not 19xx.
    const old = await ctx.app.inject({
      method: 'GET',
      url: `${V2}/requests.json?start_date=0001-01-01T00:00:00Z&end_date=0001-02-01T00:00:00Z`,
      headers: ip(),
    });
    assert.equal(old.statusCode, 200, old.body);
  });
});

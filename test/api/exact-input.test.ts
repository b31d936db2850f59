/**
 * A request's values are taken as they were typed, and only values a field can hold pass: a
 * number that is not finite (JSON's 1e309, or "Infinity" read from a URL) and text with a lone
 * surrogate are refused naming the field, and a JSON body's wrong types are refused rather than
 * converted (true as version 1, null as `active: false`). Each refusal changes nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { LightMyRequestResponse } from 'fastify';
import { unrepresentable } from '../../src/platform/http/lazy-compilers.ts';

function refused(r: LightMyRequestResponse, field: string) {
  assert.equal(r.statusCode, 400, r.body);
  const e = (r.json() as { error: { code: string; details: { field?: string } } }).error;
  assert.equal(e.code, 'validation_failed', r.body);
  assert.equal(e.details.field, field, r.body);
}

describe('values a field cannot hold are refused at the edge', () => {
  let ctx: TestContext;
  let agent: string;
  let manager: string;
  let admin: string;
  before(async () => {
    ctx = await createTestContext();
    agent = await ctx.login('agent');
    manager = await ctx.login('manager');
    admin = await ctx.login('admin');
  });
  after(() => ctx.close());

  const count = async (table: 'work_orders' | 'audit_entries') =>
    Number(
      (
        await ctx.database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const orders = () => count('work_orders');
  const chainLength = () => count('audit_entries');
  const rawPost = (url: string, token: string, payload: string) =>
    ctx.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload,
    });

  it('a location that is not a finite number: 400 naming it, no order, and the queue still reads', async () => {
    const before = [await orders(), await chainLength()];
    for (const lat of ['"1e309"', '"Infinity"', '"-Infinity"', '1e309', '-1e999']) {
      const r = await rawPost(
        '/api/v1/work-orders',
        agent,
        `{"channel":"hotline","description":"路灯坏了","location":{"lat":${lat},"lng":113.9}}`,
      );
      refused(r, 'location.lat');
    }
    assert.deepEqual([await orders(), await chainLength()], before);
    const list = await ctx.call('GET', '/api/v1/work-orders?limit=5', agent);
    assert.equal(list.statusCode, 200, list.body);
  });

  it('a query number that is not finite: 400 naming it', async () => {
    for (const url of [
      '/api/v1/work-orders?limit=1e309',
      '/api/v1/work-orders?limit=Infinity',
      '/api/v1/sla/due-soon?community=taoyuan&withinMinutes=1e309',
    ])
      refused(await ctx.call('GET', url, manager), url.includes('withinMinutes') ? 'withinMinutes' : 'limit');
  });

  it('dispatch rules with a timeout of "1e309": 400 naming it, the rules unchanged', async () => {
    const before = (await ctx.call('GET', '/api/v1/dispatch/rules?community=taoyuan', manager)).body;
    const r = await ctx.call('PUT', '/api/v1/dispatch/rules?community=taoyuan', manager, {
      rules: [
        { name: '水电自动', category: 'basic_living.water_electric', mode: 'auto', acceptTimeoutS: '1e309' },
      ],
    });
    refused(r, 'rules.0.acceptTimeoutS');
    assert.equal((await ctx.call('GET', '/api/v1/dispatch/rules?community=taoyuan', manager)).body, before);
  });

  it('a JSON body is not converted: true is no version, null deactivates nobody, a list is no channel', async () => {
    const created = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '楼道灯不亮了',
    });
    assert.equal(created.statusCode, 201, created.body);
    const id = (created.json() as { id: string }).id;
    refused(
      await ctx.call('POST', `/api/v1/work-orders/${id}/actions/accept`, agent, { version: true }),
      'version',
    );
    const order = await ctx.call('GET', `/api/v1/work-orders/${id}`, agent);
    assert.equal((order.json() as { status: string }).status, 'submitted');

    const dispatcher = await userId(ctx, 'dispatcher');
    refused(await ctx.call('PATCH', `/api/v1/staff/${dispatcher}`, admin, { active: null }), 'active');
    const still = await ctx.login('dispatcher');
    assert.equal((await ctx.call('GET', '/api/v1/me', still)).statusCode, 200);

    const before = await orders();
    refused(
      await ctx.call('POST', '/api/v1/work-orders', agent, {
        channel: ['hotline'],
        description: '楼道灯不亮了',
      }),
      'channel',
    );
    refused(
      await ctx.call('POST', '/api/v1/work-orders', agent, { channel: 'hotline', description: 12345 }),
      'description',
    );
    assert.equal(await orders(), before);
  });

  it('text with a lone surrogate: 400 naming the field, nothing written', async () => {
    const before = [await orders(), await chainLength()];
    const r = await rawPost(
      '/api/v1/work-orders',
      agent,
      '{"channel":"hotline","description":"楼道灯坏了\\ud800"}',
    );
    refused(r, 'description');
    assert.deepEqual([await orders(), await chainLength()], before);
    // A pair is one character (𠀀, U+20000), and is kept.
    const ok = await rawPost(
      '/api/v1/work-orders',
      agent,
      '{"channel":"hotline","description":"楼道灯坏了\\ud840\\udc00"}',
    );
    assert.equal(ok.statusCode, 201, ok.body);
    assert.ok((ok.json() as { description: string }).description.endsWith('𠀀'));
  });

  it('text with a control character: 400 naming the field, nothing written; tab and line breaks are text', async () => {
    const before = [await orders(), await chainLength()];
    for (const ch of ['\\u0007', '\\u001b[2J', '\\ufffe']) {
      const r = await rawPost(
        '/api/v1/work-orders',
        agent,
        `{"channel":"hotline","description":"楼道灯坏了${ch}"}`,
      );
      refused(r, 'description');
    }
    assert.deepEqual([await orders(), await chainLength()], before);
    const ok = await rawPost(
      '/api/v1/work-orders',
      agent,
      '{"channel":"hotline","description":"楼道灯坏了\\t三楼\\r\\n四楼也坏了"}',
    );
    assert.equal(ok.statusCode, 201, ok.body);
  });

  it('a GeoReport v2 form still reads its numbers from text', async () => {
    const r = await ctx.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload:
        'api_key=demo-open311-key&service_code=basic_living.appliance&lat=22.56&long=113.94&description=%E8%B7%AF%E7%81%AF%E5%9D%8F%E4%BA%86',
    });
    assert.ok(r.statusCode < 300, r.body);
    const bad = await ctx.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload:
        'api_key=demo-open311-key&service_code=basic_living.appliance&lat=1e309&long=113.94&description=x',
    });
    assert.equal(bad.statusCode, 400, bad.body);
  });
});

describe('unrepresentable', () => {
  it('names the first value no field may hold, at its path', () => {
    assert.equal(unrepresentable({ a: 1, b: ['x', 2.5], c: null }), null);
    assert.equal(unrepresentable({ a: { b: [1, Infinity] } })?.instancePath, '/a/b/1');
    assert.equal(unrepresentable({ a: NaN })?.keyword, 'finite');
    assert.equal(unrepresentable(['ok', 'bad\udc00'])?.instancePath, '/1');
    assert.equal(unrepresentable('\ud83d\ude00'), null);
  });
});

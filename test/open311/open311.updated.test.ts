/**
 * updated_datetime: GeoReport v2 defines it as when the request was last modified and, for a
 * closed request, the date it was closed. A change staff make inside Linli after closing (a
 * classification confirmed again, which writes the order) leaves it where it was, and the
 * updated_after/updated_before filters read the same instant the answer shows.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { body, postForm } from './open311.helpers.ts';

const V2 = '/open311/v2';
const KEY = 'demo-open311-key';
type Shown = { service_request_id: string; status: string; updated_datetime: string };

describe('Open311 updated_datetime of a closed request', () => {
  let ctx: TestContext;
  let admin: string;
  before(async () => {
    ctx = await createTestContext({ orders: 5 });
    admin = await ctx.login('admin');
  });
  after(() => ctx.close());

  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  async function shown(number: string, fmt: 'json' | 'xml'): Promise<Shown> {
    const res = await ctx.app.inject({
      method: 'GET',
      url: `${V2}/requests/${number}.${fmt}?jurisdiction_id=taoyuan`,
    });
    assert.equal(res.statusCode, 200, res.body);
    return (body(res, fmt) as Shown[])[0] as Shown;
  }
  async function found(number: string, fromMs: number, toMs: number, fmt: 'json' | 'xml'): Promise<boolean> {
    const res = await ctx.app.inject({
      method: 'GET',
      url: `${V2}/requests.${fmt}?jurisdiction_id=taoyuan&updated_after=${iso(fromMs)}&updated_before=${iso(toMs)}`,
    });
    assert.equal(res.statusCode, 200, res.body);
    return (body(res, fmt) as Shown[]).some((r) => r.service_request_id === number);
  }

  it('is the time it was closed, and the update filters find it there and only there', async () => {
    const created = await postForm(ctx.app, `${V2}/requests.json`, [
      ['api_key', KEY],
      ['jurisdiction_id', 'taoyuan'],
      ['service_code', 'basic_living.noise'],
      ['description', '楼下广场舞音响太吵'],
      ['lat', '22.5615'],
      ['long', '113.9413'],
      ['attribute[source]', 'dancing'],
    ]);
    assert.equal(created.statusCode, 200, created.body);
    const number = created.json<{ service_request_id: string }[]>()[0]?.service_request_id ?? '';
    const list = await ctx.call('GET', `/api/v1/work-orders?q=${encodeURIComponent(number)}`, admin);
    const order = list.json<{ items: { id: string; version: number }[] }>().items[0];
    assert.ok(order, list.body);

    ctx.clock.advance(10 * 60_000);
    const closedAt = ctx.clock.now().getTime();
    const dismissed = await ctx.call('POST', `/api/v1/work-orders/${order.id}/actions/dismiss`, admin, {
      version: order.version,
      reason: '非社区管辖范围',
    });
    assert.equal(dismissed.statusCode, 200, dismissed.body);
    const afterDismiss = dismissed.json<{ version: number; category: string; urgency: string }>();

    // An hour later, staff confirm its classification: the order is written, nothing public changes.
    ctx.clock.advance(60 * 60_000);
    const laterAt = ctx.clock.now().getTime();
    const confirmed = await ctx.call('POST', `/api/v1/work-orders/${order.id}/classification`, admin, {
      version: afterDismiss.version,
      category: afterDismiss.category,
      urgency: afterDismiss.urgency,
    });
    assert.equal(confirmed.statusCode, 200, confirmed.body);

    for (const fmt of ['json', 'xml'] as const) {
      const r = await shown(number, fmt);
      assert.equal(r.status, 'closed');
      assert.equal(Date.parse(r.updated_datetime), closedAt, `${fmt}: ${r.updated_datetime}`);
      assert.ok(await found(number, closedAt - 1000, closedAt + 1000, fmt), `${fmt}: a window around it`);
      assert.ok(await found(number, closedAt, closedAt, fmt), `${fmt}: the instant itself`);
      assert.ok(!(await found(number, closedAt + 1000, laterAt + 1000, fmt)), `${fmt}: a window after it`);
      assert.ok(
        !(await found(number, closedAt - 60_000, closedAt - 1000, fmt)),
        `${fmt}: a window before it`,
      );
    }
  });

  it('is the last change of an open request, found by a window naming the second it shows', async () => {
    // Rows keep milliseconds, answers show whole seconds.
    ctx.clock.advance(1_500);
    const created = await postForm(ctx.app, `${V2}/requests.json`, [
      ['api_key', KEY],
      ['jurisdiction_id', 'taoyuan'],
      ['service_code', 'basic_living.noise'],
      ['description', '晚上十点以后楼上还在装修'],
      ['lat', '22.5615'],
      ['long', '113.9413'],
      ['attribute[source]', 'renovation'],
    ]);
    assert.equal(created.statusCode, 200, created.body);
    const number = created.json<{ service_request_id: string }[]>()[0]?.service_request_id ?? '';
    for (const fmt of ['json', 'xml'] as const) {
      const r = await shown(number, fmt);
      assert.equal(r.status, 'open');
      const t = Date.parse(r.updated_datetime);
      assert.equal(t, Math.floor(ctx.clock.now().getTime() / 1000) * 1000);
      assert.ok(await found(number, t, t, fmt), `${fmt}: the second it shows`);
      assert.ok(!(await found(number, t + 1000, t + 60_000, fmt)), `${fmt}: a window after it`);
      assert.ok(!(await found(number, t - 60_000, t - 1000, fmt)), `${fmt}: a window before it`);
    }
  });
});

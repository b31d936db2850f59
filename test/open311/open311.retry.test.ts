/**
 * A POST sent again without an idempotency key (a client that timed out and retried) is
 * recognised when it is exactly the same request from the same api_key within 2 minutes: it is
 * answered with the first request's answer (the same service_request_id or token), and no second
 * order is filed. Anything that differs, or a request sent later, is a new order.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import Fastify from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { upsertServiceSettings } from '../../src/modules/open311/open311.repository.ts';
import { registerOpen311Routes } from '../../src/modules/open311/open311.routes.ts';
import { RETRY_WINDOW_MS } from '../../src/modules/open311/open311.service.ts';
import { body, postForm } from './open311.helpers.ts';

const V2 = '/open311/v2';
const KEY = 'demo-open311-key';

describe('Open311 POST retried without an idempotency key', () => {
  let ctx: TestContext;
  let otherKey: string;
  before(async () => {
    ctx = await createTestContext({ orders: 3 });
    const taoyuan = ctx.seed.communities[0]?.id ?? '';
    otherKey = (await ctx.services.auth.createApiKey(taoyuan, 'second app', ['open311'])).key;
  });
  after(() => ctx.close());

  const base = (description: string): [string, string][] => [
    ['api_key', KEY],
    ['jurisdiction_id', 'taoyuan'],
    ['service_code', 'basic_living.noise'],
    ['description', description],
    ['lat', '22.5615'],
    ['long', '113.9413'],
    ['address_string', '桃源村3栋'],
    ['email', 'li@example.com'],
    ['first_name', '小明'],
    ['last_name', '李'],
    ['attribute[source]', 'renovation'],
  ];
  async function send(pairs: [string, string][], fmt: 'json' | 'xml' = 'json'): Promise<string> {
    const res = await postForm(ctx.app, `${V2}/requests.${fmt}`, pairs);
    assert.equal(res.statusCode, 200, res.body);
    const [first] = body(res, fmt) as { service_request_id?: string; token?: string }[];
    return first?.service_request_id ?? first?.token ?? '';
  }
  const ordersWith = async (description: string) =>
    Number(
      (
        await ctx.database.db
          .selectFrom('work_orders')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('description', '=', description)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('answers an exact retry within 2 minutes with the first answer, in JSON and XML, filing one order', async () => {
    const text = '隔壁装修电钻声从早响到晚';
    const first = await send(base(text));
    ctx.clock.advance(30_000);
    assert.equal(await send(base(text)), first);
    ctx.clock.advance(60_000);
    assert.equal(await send(base(text), 'xml'), first);
    assert.equal(await ordersWith(text), 1);
  });

  it('files a new order when anything differs: text, submitter, place, answer or api_key', async () => {
    const text = '楼上每天半夜拖椅子';
    const first = await send(base(text));
    const variants: [string, string][][] = [
      base(text).map(([k, v]) => [k, k === 'email' ? 'wang@example.com' : v]),
      base(text).map(([k, v]) => [k, k === 'first_name' ? '小红' : v]),
      base(text).map(([k, v]) => [k, k === 'lat' ? '22.5620' : v]),
      base(text).map(([k, v]) => [k, k === 'address_string' ? '桃源村4栋' : v]),
      base(text).map(([k, v]) => [k, k === 'attribute[source]' ? 'other' : v]),
      base(text).map(([k, v]) => [k, k === 'api_key' ? otherKey : v]),
    ];
    const ids = new Set([first]);
    for (const pairs of variants) ids.add(await send(pairs));
    assert.equal(ids.size, variants.length + 1);
    assert.equal(await ordersWith(text), variants.length + 1);
    // A different description is another order as well.
    assert.notEqual(await send(base(`${text}，吵得睡不着`)), first);
  });

  it('files the same request again as a new order once 2 minutes have passed', async () => {
    const text = '广场舞音响太大声了';
    const first = await send(base(text));
    ctx.clock.advance(RETRY_WINDOW_MS + 1_000);
    const later = await send(base(text));
    assert.notEqual(later, first);
    assert.equal(await ordersWith(text), 2);
  });

  it('recognises a retry across the edge of a 2-minute window', async () => {
    const now = ctx.clock.now().getTime();
    ctx.clock.advance(RETRY_WINDOW_MS - (now % RETRY_WINDOW_MS) - 5_000); // 5 s before an edge
    const text = '凌晨有人在楼道里大声喧哗';
    const first = await send(base(text));
    ctx.clock.advance(20_000);
    assert.equal(await send(base(text)), first);
    assert.equal(await ordersWith(text), 1);
  });

  it('gives a retried batch request the token of its first attempt', async () => {
    await upsertServiceSettings(ctx.database.db, 'basic_living.noise', { service_type: 'batch' });
    // A fresh Open311 app reads the service list anew (the running one caches it for 15 s).
    const fresh = Fastify();
    try {
      await fresh.register(rateLimit, { global: false });
      await registerOpen311Routes(fresh, {
        deps: ctx.deps,
        auth: ctx.services.auth,
        workOrders: ctx.services.workOrders,
      });
      const text = '夜里的烧烤摊油烟和噪音';
      const tokens: string[] = [];
      for (let i = 0; i < 2; i++) {
        const res = await postForm(fresh, `${V2}/requests.json`, base(text));
        assert.equal(res.statusCode, 200, res.body);
        tokens.push(res.json<{ token: string }[]>()[0]?.token ?? '');
        ctx.clock.advance(10_000);
      }
      assert.ok(tokens[0]);
      assert.equal(tokens[1], tokens[0]);
      assert.equal(await ordersWith(text), 1);
    } finally {
      await fresh.close();
      await upsertServiceSettings(ctx.database.db, 'basic_living.noise', { service_type: 'realtime' });
    }
  });

  it('keeps an explicit Idempotency-Key in charge: other keys are other requests', async () => {
    const text = '电梯里有人抽烟';
    const a = await postForm(ctx.app, `${V2}/requests.json`, base(text), { 'idempotency-key': 'k-1' });
    const b = await postForm(ctx.app, `${V2}/requests.json`, base(text), { 'idempotency-key': 'k-2' });
    assert.notEqual(
      a.json<{ service_request_id: string }[]>()[0]?.service_request_id,
      b.json<{ service_request_id: string }[]>()[0]?.service_request_id,
    );
  });
});

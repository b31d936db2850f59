/**
 * Every refusal of the JSON API is `{ error: { code, message, details } }` with `details` an
 * object (`{}` when there is nothing to add), whoever raises it: a service, the sign-in hooks,
 * the rate limiter, the schema validator, the router or Fastify itself.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

/** Asserts the envelope of a refusal with `code`, and that `details` is a plain object. */
function assertEnvelope(res: LightMyRequestResponse, status: number, code: string): ErrorBody['error'] {
  assert.equal(res.statusCode, status, res.body);
  const { error } = res.json<ErrorBody>();
  assert.equal(error.code, code, res.body);
  assert.ok(error.message.length > 0, res.body);
  assert.ok(
    typeof error.details === 'object' && error.details !== null && !Array.isArray(error.details),
    `details is not an object: ${res.body}`,
  );
  return error;
}

describe('the error envelope', () => {
  let ctx: TestContext;
  let agent: string;
  before(async () => {
    ctx = await createTestContext({ orders: 5 });
    agent = await ctx.login('agent');
  });
  after(() => ctx.close());

  it('invalid_credentials, unauthenticated and forbidden carry details', async () => {
    const login = await ctx.call('POST', '/api/v1/auth/login', undefined, {
      username: 'nobody',
      password: 'x',
    });
    assert.deepEqual(assertEnvelope(login, 401, 'invalid_credentials').details, {});

    assertEnvelope(await ctx.call('GET', '/api/v1/me'), 401, 'unauthenticated');

    const resident = await ctx.residentLogin('13800000001');
    const communityId = ctx.seed.communities[0]?.id ?? '';
    assertEnvelope(
      await ctx.call('GET', `/api/v1/staff?community=${communityId}`, resident),
      403,
      'forbidden',
    );
  });

  it('validation, unknown routes and framework refusals carry details too', async () => {
    const invalid = await ctx.call('POST', '/api/v1/work-orders', agent, { channel: 'hotline' });
    assertEnvelope(invalid, 400, 'validation_failed');

    assertEnvelope(await ctx.call('GET', '/api/v1/no-such-thing', agent), 404, 'not_found');

    const wrongType = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/work-orders',
      headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/xml' },
      payload: '<x/>',
    });
    assertEnvelope(wrongType, 415, 'unsupported_media_type');

    const badJson = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/work-orders',
      headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' },
      payload: '{"channel":',
    });
    assertEnvelope(badJson, 400, 'invalid_input');
    assert.equal(badJson.json().error.details.field, 'body');
    const empty = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/work-orders',
      headers: { authorization: `Bearer ${agent}`, 'content-type': 'application/json' },
      payload: '',
    });
    assertEnvelope(empty, 400, 'invalid_input');
    assert.equal(empty.json().error.details.field, 'body');

    // A URL that cannot be decoded is refused before any route is found.
    assertEnvelope(await ctx.call('GET', '/api/v1/work-orders/%E0%A4%A', agent), 400, 'invalid_input');
  });

  it('the OpenAPI document says details is always there', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      components: { schemas: Record<string, { properties: { error: { required: string[] } } }> };
    }>();
    const body = Object.values(doc.components.schemas).find((s) => s.properties?.error);
    assert.ok(body, 'no error schema in the OpenAPI document');
    assert.deepEqual([...body.properties.error.required].sort(), ['code', 'details', 'message']);
  });

  // Last: it spends this address's sign-ins for the minute.
  it('rate_limited carries details, from the service and from the rate limiter', async () => {
    // The service's own limit: a second code for the same phone too soon.
    await ctx.call('POST', '/api/v1/auth/otp/request', undefined, { phone: '13800000003' });
    const tooSoon = await ctx.call('POST', '/api/v1/auth/otp/request', undefined, { phone: '13800000003' });
    assertEnvelope(tooSoon, 429, 'rate_limited');

    // The route's limit (20 sign-ins a minute from one address), raised by @fastify/rate-limit.
    // 45 tries: the windows are whole minutes, and however a minute's end splits 45 tries, one
    // side holds more than 20 (30 could split 9 + 21 and, a minute's end falling early, did not).
    let limited: LightMyRequestResponse | undefined;
    for (let i = 0; i < 45 && !limited; i++) {
      const res = await ctx.call('POST', '/api/v1/auth/login', undefined, {
        username: `nobody${i}`,
        password: 'x',
      });
      if (res.statusCode === 429) limited = res;
    }
    assert.ok(limited, 'the sign-in route never answered 429');
    assertEnvelope(limited, 429, 'rate_limited');
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { createOrder } from '../sla/sla-helpers.ts';
import { assertPublicTarget, PermanentDeliveryError } from '../../src/modules/notifications/webhook.guard.ts';

const fieldOf = (res: { json(): unknown }) =>
  (res.json() as { error: { details: { field: string } } }).error.details.field;

describe('webhook targets, supervision deadlines', () => {
  let ctx: TestContext;
  before(async () => {
    delete process.env.LINLI_WEBHOOK_ALLOW_PRIVATE;
    ctx = await createTestContext();
  });
  after(() => ctx.close());

  it('refuses internal webhook URLs and unknown events', async () => {
    const admin = await ctx.login('admin');
    for (const url of [
      'http://127.0.0.1:3144/x',
      'http://169.254.169.254/latest/meta-data/',
      'http://localhost:22/',
      'http://[::1]/',
      'http://0x7f000001/',
      'http://10.0.0.5/',
      'http://[fe80::1]/',
      'http://[::ffff:127.0.0.1]/',
    ]) {
      const res = await ctx.call('POST', '/api/v1/webhooks', admin, { url, events: ['*'] });
      assert.equal(res.statusCode, 400, url);
      assert.equal(fieldOf(res), 'url', url);
    }
    const bad = await ctx.call('POST', '/api/v1/webhooks', admin, {
      url: 'https://hooks.example.org/x',
      events: ['work_order.exploded'],
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(fieldOf(bad), 'events');
    const ok = await ctx.call('POST', '/api/v1/webhooks', admin, {
      url: 'https://hooks.example.org/x',
      events: ['work_order.created', 'sla.breached'],
    });
    assert.equal(ok.statusCode, 201, ok.body);
  });

  it('refuses at delivery a name that resolves to an internal address', async () => {
    await assert.rejects(
      assertPublicTarget(new URL('https://rebind.example.org/'), async () => [
        { address: '93.184.216.34' },
        { address: '127.0.0.1' },
      ]),
      PermanentDeliveryError,
    );
    await assertPublicTarget(new URL('https://ok.example.org/'), async () => [{ address: '93.184.216.34' }]);
  });

  it('bounds supervision deadlines (400 naming the field, never 500)', async () => {
    const agent = await ctx.login('agent');
    const order = await createOrder(ctx, agent, {
      channel: 'hotline',
      description: '楼道灯坏了',
      residentId: await residentIdByPhone(ctx, '13800000003'),
      category: 'basic_living.parking',
    });
    const manager = await ctx.login('manager');
    const url = `/api/v1/work-orders/${order.id}/supervisions`;
    for (const [body, field] of [
      [{ reason: 'x', dueInMinutes: 1e12 }, 'dueInMinutes'],
      [{ reason: 'x', dueInMinutes: 6e9 }, 'dueInMinutes'],
      [{ reason: 'x', dueInMinutes: 1.5 }, 'dueInMinutes'],
      [{ reason: 'x', dueAt: '+010000-01-01T00:00:00Z' }, 'dueAt'],
      [{ reason: 'x', dueAt: '2099-01-01T00:00:00Z' }, 'dueAt'],
      [{ reason: 'x', dueAt: '2000-01-01T00:00:00Z' }, 'dueAt'],
    ] as const) {
      const res = await ctx.call('POST', url, manager, body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)} ${res.body}`);
      assert.match(res.body, new RegExp(field));
    }
    const ok = await ctx.call('POST', url, manager, { reason: 'x', dueInMinutes: 60 });
    assert.equal(ok.statusCode, 201, ok.body);
  });

  it('field staff list only the supervisions of orders they may open', async () => {
    const agent = await ctx.login('agent');
    const order = await createOrder(ctx, agent, {
      channel: 'hotline',
      description: '小区健身器材坏了',
      residentId: await residentIdByPhone(ctx, '13800000003'),
      category: 'social_culture.sports',
    });
    const manager = await ctx.login('manager');
    const issued = await ctx.call('POST', `/api/v1/work-orders/${order.id}/supervisions`, manager, {
      reason: '超期未办',
      dueInMinutes: 120,
    });
    assert.equal(issued.statusCode, 201, issued.body);
    const provider = await ctx.login('provider');
    assert.equal((await ctx.call('GET', `/api/v1/work-orders/${order.id}`, provider)).statusCode, 404);
    const listed = async (token: string) =>
      ((await ctx.call('GET', `/api/v1/supervisions?order=${order.id}`, token)).json() as unknown[]).length;
    assert.equal(await listed(manager), 1, 'the manager sees it');
    assert.equal(await listed(provider), 0, 'a provider not on the order does not');
  });
});

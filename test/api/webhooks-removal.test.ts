/**
 * A webhook subscription's URL is shown, audited and queued without its query or user info (where
 * endpoints keep their tokens) while deliveries use it whole; removing a subscription cancels
 * the events still waiting for it, with the reason, and never marks them delivered.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { auditOk, createOrder } from '../sla/sla-helpers.ts';
import { newId } from '../../src/platform/ids.ts';
import { createChannelAdapters } from '../../src/modules/notifications/adapters.ts';
import {
  deactivateWebhook,
  findWebhook,
  insertWebhook,
} from '../../src/modules/notifications/notifications.repository.ts';
import { NOT_SENT } from '../../src/modules/notifications/outbox.recipients.ts';
import { deliverDue } from '../../src/modules/notifications/outbox.worker.ts';
import { silentLogger } from '../../src/platform/context.ts';

const SECRET_URL = 'https://hooks.example.org/linli/in?token=s3cret-7781&team=ops';

describe('webhook subscriptions: secrets in the URL, removal', () => {
  let ctx: TestContext;
  let admin: string;
  let agent: string;
  let communityId: string;

  before(async () => {
    delete process.env.LINLI_WEBHOOK_ALLOW_PRIVATE;
    ctx = await createTestContext({ orders: 0 });
    admin = await ctx.login('admin');
    agent = await ctx.login('agent');
    communityId = (
      await ctx.database.db
        .selectFrom('communities')
        .select('id')
        .where('code', '=', 'taoyuan')
        .executeTakeFirstOrThrow()
    ).id;
  });
  after(() => ctx.close());

  const subscribe = async (url = SECRET_URL) => {
    const res = await ctx.call('POST', '/api/v1/webhooks', admin, {
      url,
      events: ['work_order.created'],
      communityId,
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { id: string; url: string };
  };
  const eventsOf = (id: string) =>
    ctx.database.db
      .selectFrom('outbox')
      .select(['status', 'last_error', 'delivered_at'])
      .where('channel', '=', 'webhook')
      .where('recipient_id', '=', id)
      .execute();
  const auditOf = (id: string) =>
    ctx.database.db
      .selectFrom('audit_entries')
      .select(['action', 'payload_json'])
      .where('entity_id', '=', id)
      .orderBy('seq')
      .execute();

  it('shows and audits the URL without its query, and keeps it whole for delivery', async () => {
    const hook = await subscribe();
    assert.equal(hook.url, 'https://hooks.example.org/linli/in?[redacted]');
    const list = await ctx.call('GET', '/api/v1/webhooks', admin);
    assert.equal(list.statusCode, 200);
    assert.doesNotMatch(list.body, /s3cret/);
    assert.ok(
      (list.json() as Array<{ id: string; url: string }>).some((h) => h.id === hook.id && h.url === hook.url),
    );
    const stored = await findWebhook(ctx.database.db, hook.id);
    assert.equal(stored?.url, SECRET_URL, 'deliveries use the URL as given');
    const del = await ctx.call('DELETE', `/api/v1/webhooks/${hook.id}`, admin);
    assert.equal(del.statusCode, 204, del.body);
    const audit = await auditOf(hook.id);
    assert.deepEqual(
      audit.map((a) => a.action),
      ['webhook.created', 'webhook.deleted'],
    );
    for (const a of audit) {
      assert.doesNotMatch(a.payload_json, /s3cret|team=ops/, a.action);
      assert.match(a.payload_json, /hooks\.example\.org\/linli\/in/, a.action);
    }
    await auditOk(ctx, communityId);
  });

  it('queues its events with the URL redacted: the outbox keeps no token', async () => {
    const hook = await subscribe();
    await createOrder(ctx, agent, { channel: 'hotline', description: '电梯按钮失灵' });
    const rows = await ctx.database.db
      .selectFrom('outbox')
      .selectAll()
      .where('channel', '=', 'webhook')
      .where('recipient_id', '=', hook.id)
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.status, r.address]),
      [['pending', 'https://hooks.example.org/linli/in?[redacted]']],
    );
    assert.doesNotMatch(JSON.stringify(rows), /s3cret|team=ops/);
    const del = await ctx.call('DELETE', `/api/v1/webhooks/${hook.id}`, admin);
    assert.equal(del.statusCode, 204, del.body);
  });

  it('delivers to the whole URL, query included', async () => {
    const hits: string[] = [];
    const server = createServer((req, res) => {
      hits.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const id = newId();
      const { port } = server.address() as AddressInfo;
      await insertWebhook(ctx.database.db, {
        id,
        community_id: communityId,
        url: `http://127.0.0.1:${port}/in?token=s3cret-7781`,
        secret: 'x'.repeat(32),
        events_json: '["work_order.created"]',
        active: 1,
        created_by: 'test',
        created_at: ctx.clock.now().toISOString(),
      });
      await createOrder(ctx, agent, { channel: 'hotline', description: '小区路灯不亮了' });
      const { adapters } = createChannelAdapters(ctx.database, ctx.clock, silentLogger, {
        webhookAllowPrivate: true,
      });
      await deliverDue(ctx.database, ctx.clock, adapters, { channels: ['webhook'] });
      assert.deepEqual(hits, ['/in?token=s3cret-7781']);
      await deactivateWebhook(ctx.database.db, id);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('cancels the events still waiting when a subscription is removed, never marking them delivered', async () => {
    const hook = await subscribe();
    await createOrder(ctx, agent, { channel: 'hotline', description: '楼道里的灯坏了两盏' });
    await createOrder(ctx, agent, { channel: 'hotline', description: '垃圾桶满了没人清' });
    assert.deepEqual(
      (await eventsOf(hook.id)).map((e) => e.status),
      ['pending', 'pending'],
    );
    const del = await ctx.call('DELETE', `/api/v1/webhooks/${hook.id}`, admin);
    assert.equal(del.statusCode, 204, del.body);
    const after = await eventsOf(hook.id);
    assert.deepEqual(
      after.map((e) => [e.status, e.last_error, e.delivered_at]),
      [
        ['cancelled', NOT_SENT.webhookRemoved, null],
        ['cancelled', NOT_SENT.webhookRemoved, null],
      ],
    );
    const [, deleted] = await auditOf(hook.id);
    assert.equal(
      (JSON.parse(deleted?.payload_json ?? '{}') as { cancelledEvents?: number }).cancelledEvents,
      2,
    );
    // The worker leaves them as they are: nothing is sent, nothing counted as delivered.
    const { adapters } = createChannelAdapters(ctx.database, ctx.clock, silentLogger);
    const run = await deliverDue(ctx.database, ctx.clock, adapters, { channels: ['webhook'] });
    assert.equal(run.delivered, 0);
    assert.deepEqual(
      (await eventsOf(hook.id)).map((e) => e.status),
      ['cancelled', 'cancelled'],
    );
  });

  it('cancels, not delivers, an event whose subscription went after it was claimed', async () => {
    const hook = await subscribe();
    await createOrder(ctx, agent, { channel: 'hotline', description: '单元门禁坏了' });
    // The removal commits between the worker's claim and the delivery: the adapter finds the
    // subscription gone (simulated by removing it without the service's cancellation).
    await deactivateWebhook(ctx.database.db, hook.id);
    const { adapters } = createChannelAdapters(ctx.database, ctx.clock, silentLogger);
    const run = await deliverDue(ctx.database, ctx.clock, adapters, { channels: ['webhook'] });
    assert.equal(run.delivered, 0);
    assert.equal(run.cancelled, 1);
    assert.deepEqual(
      (await eventsOf(hook.id)).map((e) => [e.status, e.last_error, e.delivered_at]),
      [['cancelled', NOT_SENT.webhookRemoved, null]],
    );
  });
});

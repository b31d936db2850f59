/**
 * A webhook event in the outbox keeps its subscription's URL only redacted (the query may hold
 * the endpoint's token); the worker reads the URL from the subscription when it sends, as it reads
 * a resident's phone: the whole URL, query included, as it is then, and the internal-address guard
 * applies to that URL. A subscription removed by then gets nothing (cancelled, with the reason).
 * The API has no update of a subscription; its row is changed here directly, as an operator would.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freshDatabase } from '../helpers.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { newId } from '../../src/platform/ids.ts';
import { silentLogger } from '../../src/platform/context.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { createChannelAdapters, WebhookAdapter } from '../../src/modules/notifications/adapters.ts';
import {
  deactivateWebhook,
  insertWebhook,
} from '../../src/modules/notifications/notifications.repository.ts';
import type { NotificationTables } from '../../src/modules/notifications/notifications.tables.ts';
import { emitWebhookEvent } from '../../src/modules/notifications/notify.ts';
import { NOT_SENT } from '../../src/modules/notifications/outbox.recipients.ts';
import { deliverDue } from '../../src/modules/notifications/outbox.worker.ts';
import { PermanentDeliveryError } from '../../src/modules/notifications/webhook.guard.ts';
import type { ChannelAdapter, OutgoingMessage } from '../../src/modules/notifications/outbox.worker.ts';

const NOW = '2026-11-20T02:00:00.000Z';

/** A local endpoint that records the path (and query) of every request and answers 204. */
async function recordingServer(): Promise<{ server: Server; port: number; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, paths };
}

const closeServer = async (server: Server) => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
};

describe('webhook events in the outbox: the URL is read from the subscription when sent', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let database: Database;
  const clock = new ManualClock(NOW);
  let community = 0;

  before(async () => {
    delete process.env.LINLI_WEBHOOK_ALLOW_PRIVATE;
    fresh = await freshDatabase();
    database = fresh.database;
  });
  after(() => fresh.dispose());
  // Each test sees only its own events: what one leaves waiting goes out after it, nowhere.
  afterEach(() => deliverDue(database, clock, { webhook: recorder() }, { channels: ['webhook'] }));

  /** A subscription of a community of its own, and one event queued for it. */
  const queued = async (url: string): Promise<{ subscription: string; communityId: string }> => {
    const subscription = newId();
    const communityId = `c-${++community}`;
    await insertWebhook(database.db, {
      id: subscription,
      community_id: communityId,
      url,
      secret: 's'.repeat(32),
      events_json: '["*"]',
      active: 1,
      created_by: 'u-test',
      created_at: NOW,
    });
    const n = await emitWebhookEvent(
      database.db,
      communityId,
      'work_order.created',
      { orderId: 'o-1' },
      `k-${community}`,
      NOW,
    );
    assert.equal(n, 1);
    return { subscription, communityId };
  };
  const moveTo = (subscription: string, url: string) =>
    database.db
      .withTables<NotificationTables>()
      .updateTable('webhook_subscriptions')
      .set({ url })
      .where('id', '=', subscription)
      .execute();
  const rowOf = (subscription: string) =>
    database.db
      .selectFrom('outbox')
      .select(['address', 'payload_json', 'status', 'last_error', 'attempts', 'delivered_at'])
      .where('channel', '=', 'webhook')
      .where('recipient_id', '=', subscription)
      .executeTakeFirstOrThrow();
  /** A webhook adapter that records what the worker hands it. */
  const recorder = (): ChannelAdapter & { seen: OutgoingMessage[] } => {
    const seen: OutgoingMessage[] = [];
    return { seen, deliver: async (msg) => void seen.push(msg) };
  };

  it('keeps only the redacted URL in the outbox, nothing of the token', async () => {
    const { subscription } = await queued('https://hooks.example.org/linli/in?token=s3cret-7781&team=ops');
    const row = await rowOf(subscription);
    assert.equal(row.address, 'https://hooks.example.org/linli/in?[redacted]');
    assert.doesNotMatch(JSON.stringify(row), /s3cret|team=ops/);
    const plain = await queued('https://hooks.example.org/plain');
    assert.equal((await rowOf(plain.subscription)).address, 'https://hooks.example.org/plain');
  });

  it("hands the adapter the subscription's whole URL as it is when sent", async () => {
    const { subscription } = await queued('https://hooks.example.org/v1?token=old-7781');
    await moveTo(subscription, 'https://hooks.example.org/v2?token=new-9902');
    const webhook = recorder();
    const run = await deliverDue(database, clock, { webhook }, { channels: ['webhook'] });
    assert.equal(run.delivered, 1);
    assert.deepEqual(
      webhook.seen.map((m) => [m.recipientId, m.address]),
      [[subscription, 'https://hooks.example.org/v2?token=new-9902']],
    );
    const row = await rowOf(subscription);
    assert.equal(row.status, 'delivered');
    assert.equal(row.address, 'https://hooks.example.org/v1?[redacted]', 'the record stays as written');
  });

  it('cancels, without handing it to the adapter, an event whose subscription was removed since', async () => {
    const removed = await queued('https://hooks.example.org/removed?token=x');
    await deactivateWebhook(database.db, removed.subscription);
    const gone = await queued('https://hooks.example.org/gone');
    await database.db
      .withTables<NotificationTables>()
      .deleteFrom('webhook_subscriptions')
      .where('id', '=', gone.subscription)
      .execute();
    const webhook = recorder();
    const run = await deliverDue(database, clock, { webhook }, { channels: ['webhook'] });
    assert.deepEqual([run.delivered, run.cancelled], [0, 2]);
    assert.deepEqual(webhook.seen, []);
    for (const { subscription } of [removed, gone]) {
      const row = await rowOf(subscription);
      assert.deepEqual(
        [row.status, row.last_error, row.delivered_at, row.attempts],
        ['cancelled', NOT_SENT.webhookRemoved, null, 0],
      );
    }
  });

  it('posts to the URL the subscription has when sent, query included', async () => {
    const target = await recordingServer();
    try {
      const { subscription } = await queued(`http://127.0.0.1:${target.port}/old?token=old-7781`);
      await moveTo(subscription, `http://127.0.0.1:${target.port}/new?token=new-9902&team=ops`);
      const { adapters } = createChannelAdapters(database, clock, silentLogger, {
        webhookAllowPrivate: true,
        webhookTimeoutMs: 2000,
      });
      const run = await deliverDue(database, clock, adapters, { channels: ['webhook'] });
      assert.equal(run.delivered, 1);
      assert.deepEqual(target.paths, ['/new?token=new-9902&team=ops']);
    } finally {
      await closeServer(target.server);
    }
  });

  it('refuses, for good, a URL that has come to name the server’s own network', async () => {
    const inside = await recordingServer();
    try {
      const resolved: string[] = [];
      const { adapters } = createChannelAdapters(database, clock, silentLogger, {
        webhookAllowPrivate: false,
        webhookTimeoutMs: 2000,
        webhookResolve: async (host) => {
          resolved.push(host);
          return [{ address: '127.0.0.1' }];
        },
      });
      const byIp = await queued('https://hooks.example.org/in?token=a');
      await moveTo(byIp.subscription, `http://127.0.0.1:${inside.port}/in?token=a`);
      const byName = await queued('https://hooks.example.org/in?token=b');
      await moveTo(byName.subscription, `http://inside.test:${inside.port}/in?token=b`);
      const run = await deliverDue(database, clock, adapters, { channels: ['webhook'] });
      assert.deepEqual([run.delivered, run.failed], [0, 2]);
      for (const [{ subscription }, why] of [
        [byIp, /127\.0\.0\.1 is a loopback/],
        [byName, /inside\.test resolves to 127\.0\.0\.1/],
      ] as const) {
        const row = await rowOf(subscription);
        assert.deepEqual([row.status, row.attempts], ['failed', 1]);
        assert.match(row.last_error ?? '', why);
      }
      assert.deepEqual(resolved, ['inside.test'], 'the name checked is the one now in the subscription');
      assert.deepEqual(inside.paths, [], 'nothing reached 127.0.0.1');
    } finally {
      await closeServer(inside.server);
    }
  });

  it('the webhook adapter posts to the URL the worker hands it, checked as any other', async () => {
    const target = await recordingServer();
    try {
      const { subscription } = await queued('https://hooks.example.org/registered?token=r');
      // Never asked here: the URL handed over is an IP literal; the registered name is not used.
      const noLookup = () => Promise.reject(new Error('no lookup expected'));
      const handed: OutgoingMessage = {
        id: `webhook:${subscription}:direct`,
        channel: 'webhook',
        recipientType: 'address',
        recipientId: subscription,
        address: `http://127.0.0.1:${target.port}/handed?token=t`,
        template: 'work_order.created',
        locale: 'en',
        payload: { orderId: 'o-1' },
      };
      await assert.rejects(
        new WebhookAdapter(database, clock, 2000, false, noLookup).deliver(handed),
        (err: Error) =>
          err instanceof PermanentDeliveryError && /127\.0\.0\.1 is a loopback/.test(err.message),
      );
      assert.deepEqual(target.paths, []);
      await new WebhookAdapter(database, clock, 2000, true, noLookup).deliver(handed);
      assert.deepEqual(target.paths, ['/handed?token=t']);
    } finally {
      await closeServer(target.server);
    }
  });
});

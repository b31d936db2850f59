/**
 * Stopping a node's background loops waits for the iterations in flight, so a webhook delivery
 * in progress is answered and recorded before the database closes (cut half way, the message
 * would stay claimed and be sent again), and wakes the loops waiting for their next turn; the wait
 * has a bound, so a delivery that hangs does not hold the node's exit.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { SYSTEM } from '../../src/platform/auth/principal.ts';
import { silentLogger } from '../../src/platform/context.ts';
import { newId } from '../../src/platform/ids.ts';
import { insertWebhook } from '../../src/modules/notifications/notifications.repository.ts';
import { emitWebhookEvent } from '../../src/modules/notifications/notify.ts';
import { startWorkers } from '../../src/workers.ts';

describe('stopping the background workers', () => {
  let ctx: TestContext;
  let server: Server;
  let url = '';
  /** Each request's response, held until the test answers it. */
  const waiting: ServerResponse[] = [];
  let arrived: () => void = () => {};
  const allowPrivate = process.env.LINLI_WEBHOOK_ALLOW_PRIVATE;

  before(async () => {
    process.env.LINLI_WEBHOOK_ALLOW_PRIVATE = '1'; // the subscriber is on loopback
    ctx = await createTestContext({ orders: 0 });
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        waiting.push(res);
        arrived();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await ctx.close();
    if (allowPrivate === undefined) delete process.env.LINLI_WEBHOOK_ALLOW_PRIVATE;
    else process.env.LINLI_WEBHOOK_ALLOW_PRIVATE = allowPrivate;
  });

  /** Subscribes the local server, queues one event for it and starts the workers; resolves once the delivery has reached the server. */
  const deliveryInFlight = async (key: string) => {
    const community = ctx.seed.communities[0]?.id ?? '';
    const reached = new Promise<void>((r) => (arrived = r));
    const at = new Date().toISOString();
    await insertWebhook(ctx.database.db, {
      id: newId(),
      community_id: community,
      url,
      secret: 'stop-secret',
      events_json: '["*"]',
      active: 1,
      created_by: 'u-test',
      created_at: at,
    });
    await emitWebhookEvent(ctx.database.db, community, 'work_order.created', { orderId: key }, key, at);
    const built = { app: ctx.app, services: ctx.services, compilers: ctx.compilers };
    const workers = startWorkers(built, ctx.database, SYSTEM, silentLogger);
    await reached;
    const status = async () =>
      (
        await ctx.database.db
          .selectFrom('outbox')
          .select('status')
          .where('channel', '=', 'webhook')
          .where('payload_json', 'like', `%${key}%`)
          .executeTakeFirstOrThrow()
      ).status;
    return { workers, status };
  };

  it('waits for a webhook delivery in flight, which is recorded as delivered', async () => {
    const { workers, status } = await deliveryInFlight('order-stop-1');
    let answeredAt = 0;
    setTimeout(() => {
      answeredAt = Date.now();
      waiting.shift()?.writeHead(204).end();
    }, 500);
    const started = Date.now();
    const stopped = await workers.stop();
    // The digests and auto-close loops, waiting 30 and 60 s for their next turn, were woken.
    assert.ok(Date.now() - started < 3000, `stopped after ${Date.now() - started} ms`);
    assert.ok(answeredAt > 0, 'stop returned before the subscriber had answered');
    assert.deepEqual(stopped.stillRunning, []);
    assert.equal(await status(), 'delivered');
  });

  it('waits no longer than its bound for a delivery that hangs', async () => {
    const { workers, status } = await deliveryInFlight('order-stop-2');
    const started = Date.now();
    const stopped = await workers.stop({ graceMs: 300 });
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 2000, `stopped after ${took} ms`);
    assert.deepEqual(stopped.stillRunning, ['webhooks']);
    assert.notEqual(await status(), 'delivered');
    // Let the hanging delivery end before the database closes.
    waiting.shift()?.writeHead(204).end();
    await new Promise((r) => setTimeout(r, 300));
  });
});

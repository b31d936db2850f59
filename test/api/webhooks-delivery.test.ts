// Webhook delivery connects to exactly the address it checked (no second DNS lookup to rebind),
// keeps its headers and signature, and never follows a redirect. No test here uses outside DNS or
// the internet: names are answered by an injected resolver, and the one socket headed for a
// public (documentation) address is stopped when its lookup completes, before it connects.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer as createTlsServer } from 'node:tls';
import type { AddressInfo, LookupFunction, Socket } from 'node:net';
import { freshDatabase } from '../helpers.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { newId } from '../../src/platform/ids.ts';
import { silentLogger } from '../../src/platform/context.ts';
import type { Database } from '../../src/platform/db/database.ts';
import { createChannelAdapters, WebhookAdapter } from '../../src/modules/notifications/adapters.ts';
import { insertWebhook } from '../../src/modules/notifications/notifications.repository.ts';
import { emitWebhookEvent } from '../../src/modules/notifications/notify.ts';
import { deliverDue } from '../../src/modules/notifications/outbox.worker.ts';
import type { OutgoingMessage } from '../../src/modules/notifications/outbox.worker.ts';
import { checkedLookup, PermanentDeliveryError } from '../../src/modules/notifications/webhook.guard.ts';
import type { HostResolver } from '../../src/modules/notifications/webhook.guard.ts';
import { verifyWebhook } from '../../src/modules/notifications/webhook.signing.ts';

const NOW = '2026-11-20T02:00:00.000Z';
const PUBLIC = '203.0.113.10'; // TEST-NET-3: public as far as the guard knows, never a real host

interface Hit {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local HTTP server that records every request; `answer` picks the reply per path. */
async function recordingServer(
  answer: (path: string) => { status: number; headers?: Record<string, string> } = () => ({ status: 204 }),
): Promise<{ server: Server; port: number; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const { status, headers } = answer(req.url ?? '');
      res.writeHead(status, headers).end('answer body');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

const closeServer = async (server: Server) => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
};

/** A resolver that answers from a list, one entry per call (the last repeats), and counts calls. */
function scriptedResolver(...answers: string[][]): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (host: string) => {
    calls.push(host);
    return (answers[Math.min(calls.length, answers.length) - 1] ?? []).map((address) => ({ address }));
  };
  return Object.assign(resolve, { calls });
}

/** Calls a lookup the way `net` does, with or without `all`. */
function lookupWith(lookup: LookupFunction, host: string, all: boolean): Promise<unknown> {
  return new Promise((resolve, reject) => {
    lookup(host, all ? { all: true } : {}, (err, address, family) =>
      err ? reject(err) : resolve(all ? address : [address, family]),
    );
  });
}

describe('webhook delivery: one checked resolution, no redirects', () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let database: Database;
  const clock = new ManualClock(NOW);
  let inside: Awaited<ReturnType<typeof recordingServer>>;

  before(async () => {
    delete process.env.LINLI_WEBHOOK_ALLOW_PRIVATE;
    fresh = await freshDatabase();
    database = fresh.database;
    // Stands for the server's own network: no delivery in this file but the opt-out ones may reach it.
    inside = await recordingServer();
  });
  after(async () => {
    delete process.env.LINLI_WEBHOOK_ALLOW_PRIVATE;
    await closeServer(inside.server);
    await fresh.dispose();
  });

  const subscription = async (url: string, communityId = 'c-test') => {
    const id = newId();
    await insertWebhook(database.db, {
      id,
      community_id: communityId,
      url,
      secret: 's3cret',
      events_json: '["*"]',
      active: 1,
      created_by: 'u-test',
      created_at: NOW,
    });
    return id;
  };
  const message = (subscriptionId: string): OutgoingMessage => ({
    id: `webhook:${subscriptionId}:k1`,
    channel: 'webhook',
    recipientType: 'address',
    recipientId: subscriptionId,
    address: null,
    template: 'work_order.created',
    locale: 'en',
    payload: { orderId: 'o-1', note: '井盖松动' },
  });

  it('the lookup refuses any internal answer permanently and hands over what it checked', async () => {
    const strict = checkedLookup(scriptedResolver([PUBLIC, '127.0.0.1']), false);
    for (const all of [true, false])
      await assert.rejects(lookupWith(strict, 'mixed.test', all), PermanentDeliveryError);
    await assert.rejects(
      lookupWith(checkedLookup(scriptedResolver(['::ffff:169.254.169.254']), false), 'meta.test', true),
      PermanentDeliveryError,
    );
    assert.deepEqual(await lookupWith(checkedLookup(scriptedResolver([PUBLIC]), false), 'ok.test', true), [
      { address: PUBLIC, family: 4 },
    ]);
    assert.deepEqual(await lookupWith(checkedLookup(scriptedResolver([PUBLIC]), false), 'ok.test', false), [
      PUBLIC,
      4,
    ]);
    // The development opt-out lets any address through.
    assert.deepEqual(
      await lookupWith(checkedLookup(scriptedResolver(['127.0.0.1']), true), 'local.test', false),
      ['127.0.0.1', 4],
    );
    // A resolver failure is not permanent: the name may resolve on a later attempt.
    const failing: HostResolver = () => Promise.reject(new Error('SERVFAIL'));
    await assert.rejects(lookupWith(checkedLookup(failing, false), 'down.test', true), (err: Error) => {
      assert.ok(!(err instanceof PermanentDeliveryError));
      assert.match(err.message, /did not resolve: SERVFAIL/);
      return true;
    });
  });

  it('a name that rebinds to 127.0.0.1 after its first answer is resolved once and never reached', async () => {
    const resolve = scriptedResolver([PUBLIC], ['127.0.0.1']);
    const id = await subscription(`http://rebind.test:${inside.port}/hook`);
    // See where the socket was sent, and stop it there: the public address is not ours to contact.
    const handedTo: string[] = [];
    const onSocket = (m: unknown) => {
      const socket = (m as { socket: Socket }).socket;
      socket.on('lookup', (_err: Error | null, address: string, _family: number, host: string) => {
        if (host !== 'rebind.test') return;
        handedTo.push(address);
        socket.destroy();
      });
    };
    subscribe('net.client.socket', onSocket);
    try {
      const adapter = new WebhookAdapter(database, clock, 2000, false, resolve);
      await assert.rejects(adapter.deliver(message(id)), (err: Error) => {
        assert.ok(!(err instanceof PermanentDeliveryError), 'a failed connection is retried, not refused');
        return true;
      });
    } finally {
      unsubscribe('net.client.socket', onSocket);
    }
    assert.deepEqual(resolve.calls, ['rebind.test'], 'exactly one resolution per delivery');
    assert.deepEqual(handedTo, [PUBLIC], 'the socket got the checked address, not a fresh answer');
    assert.equal(inside.hits.length, 0, 'nothing reached 127.0.0.1');
  });

  it('a name answering 127.0.0.1 is refused permanently without the opt-out, and nothing is sent', async () => {
    const resolve = scriptedResolver(['127.0.0.1']);
    const id = await subscription(`http://loop.test:${inside.port}/hook`);
    const adapter = new WebhookAdapter(database, clock, 2000, false, resolve);
    await assert.rejects(adapter.deliver(message(id)), (err: Error) => {
      assert.ok(err instanceof PermanentDeliveryError, String(err));
      assert.match(err.message, /loop\.test resolves to 127\.0\.0\.1/);
      return true;
    });
    // Through the outbox: refused once, marked failed for good, no retry scheduled.
    const community = 'c-loop';
    const queuedId = await subscription(`http://loop.test:${inside.port}/queued`, community);
    await emitWebhookEvent(database.db, community, 'work_order.created', { orderId: 'o-2' }, 'k2', NOW);
    const { adapters } = createChannelAdapters(database, clock, silentLogger, {
      webhookTimeoutMs: 2000,
      webhookResolve: resolve,
    });
    const run = await deliverDue(database, clock, adapters, { channels: ['webhook'], limit: 10 });
    assert.deepEqual([run.delivered, run.failed], [0, 1]);
    const row = await database.db
      .selectFrom('outbox')
      .select(['status', 'attempts', 'last_error'])
      .where('recipient_id', '=', queuedId)
      .executeTakeFirstOrThrow();
    assert.deepEqual([row.status, row.attempts], ['failed', 1]);
    assert.match(row.last_error ?? '', /127\.0\.0\.1/);
    assert.equal(inside.hits.length, 0, 'nothing reached 127.0.0.1');
  });

  it('with LINLI_WEBHOOK_ALLOW_PRIVATE=1 a local endpoint gets the same signed POST as before', async () => {
    const target = await recordingServer();
    process.env.LINLI_WEBHOOK_ALLOW_PRIVATE = '1';
    try {
      const resolve = scriptedResolver(['127.0.0.1']);
      // The opt-out is read from the environment when no option says otherwise.
      const { adapters } = createChannelAdapters(database, clock, silentLogger, {
        webhookTimeoutMs: 2000,
        webhookResolve: resolve,
      });
      const webhook = adapters.webhook;
      assert.ok(webhook);
      const byIp = await subscription(`http://127.0.0.1:${target.port}/ok?tenant=7#frag`);
      const byName = await subscription(`http://hooks.local.test:${target.port}/named`);
      await webhook.deliver(message(byIp));
      await webhook.deliver(message(byName));
      assert.deepEqual(resolve.calls, ['hooks.local.test'], 'an IP literal needs no lookup, a name one');
      assert.equal(target.hits.length, 2);
      const nowSec = Math.floor(clock.now().getTime() / 1000);
      for (const [hit, id, host, path] of [
        [target.hits[0], byIp, `127.0.0.1:${target.port}`, '/ok?tenant=7'],
        [target.hits[1], byName, `hooks.local.test:${target.port}`, '/named'],
      ] as const) {
        assert.ok(hit);
        const delivery = `webhook:${id}:k1`;
        assert.equal(hit.method, 'POST');
        assert.equal(hit.path, path);
        assert.equal(hit.headers.host, host, 'Host is the registered name, not the address connected to');
        assert.equal(hit.headers['content-type'], 'application/json');
        assert.equal(hit.headers['user-agent'], 'linli-webhooks/1');
        assert.equal(hit.headers['x-linli-event'], 'work_order.created');
        assert.equal(hit.headers['x-linli-delivery'], delivery);
        assert.equal(hit.headers['content-length'], String(Buffer.byteLength(hit.body)));
        assert.equal(
          hit.body,
          JSON.stringify({
            id: delivery,
            event: 'work_order.created',
            data: { orderId: 'o-1', note: '井盖松动' },
          }),
        );
        const signature = String(hit.headers['x-linli-signature']);
        assert.match(signature, new RegExp(`^t=${nowSec},v1=[0-9a-f]{64}$`));
        assert.ok(verifyWebhook('s3cret', signature, hit.body, nowSec), 'valid HMAC signature');
      }
      // A non-2xx answer stays a retryable failure.
      const failing = await recordingServer(() => ({ status: 500 }));
      try {
        const id = await subscription(`http://127.0.0.1:${failing.port}/fail`);
        await assert.rejects(webhook.deliver(message(id)), (err: Error) => {
          assert.ok(!(err instanceof PermanentDeliveryError));
          assert.match(err.message, /answered 500/);
          return true;
        });
      } finally {
        await closeServer(failing.server);
      }
    } finally {
      delete process.env.LINLI_WEBHOOK_ALLOW_PRIVATE;
      await closeServer(target.server);
    }
  });

  it('TLS goes to the checked address but names the registered host (SNI)', async () => {
    const serverNames: string[] = [];
    // No certificate at all: the handshake stops after the client says which name it wants.
    const tls = createTlsServer({
      SNICallback: (name, cb) => {
        serverNames.push(name);
        cb(new Error('no certificate here'), undefined);
      },
    });
    tls.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    try {
      const resolve = scriptedResolver(['127.0.0.1']);
      const id = await subscription(`https://hooks.secure.test:${(tls.address() as AddressInfo).port}/`);
      const adapter = new WebhookAdapter(database, clock, 2000, true, resolve);
      await assert.rejects(
        adapter.deliver(message(id)),
        (err: Error) => !(err instanceof PermanentDeliveryError),
      );
      assert.deepEqual(resolve.calls, ['hooks.secure.test']);
      assert.deepEqual(serverNames, ['hooks.secure.test']);
    } finally {
      await new Promise((r) => tls.close(r));
    }
  });

  it('a redirect is a retryable failure and its Location is never requested', async () => {
    const resolve = scriptedResolver(['127.0.0.1']);
    const redirecting = await recordingServer((path) => ({
      status: Number(path.split('/')[1]),
      headers: {
        location: path.endsWith('/by-name')
          ? `http://inside.test:${inside.port}/internal`
          : `http://127.0.0.1:${inside.port}/internal`,
      },
    }));
    try {
      // The opt-out lets the first hop reach the local test server; even so nothing follows the Location.
      const adapter = new WebhookAdapter(database, clock, 2000, true, resolve);
      for (const status of [301, 302, 303, 307, 308])
        for (const variant of ['by-ip', 'by-name']) {
          const id = await subscription(`http://127.0.0.1:${redirecting.port}/${status}/${variant}`);
          await assert.rejects(adapter.deliver(message(id)), (err: Error) => {
            assert.ok(!(err instanceof PermanentDeliveryError));
            assert.match(err.message, new RegExp(`answered ${status}`));
            return true;
          });
        }
      assert.equal(redirecting.hits.length, 10, 'each redirecting endpoint was asked once');
      assert.deepEqual(resolve.calls, [], 'the Location host was never even resolved');
      assert.equal(inside.hits.length, 0, 'no request reached the redirect target');
    } finally {
      await closeServer(redirecting.server);
    }
  });
});

/**
 * Refusals made before an Open311 handler runs, on a real socket: a URL too long for the
 * server's headers (a list of 800 ids), a body that trickles in, a node shutting down. Each is
 * GeoReport v2's error list in the format the path names, never the core API's envelope; and a
 * list of more ids than one request may carry is a 400 naming service_request_id.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp } from '../../src/platform/http/app.ts';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { assertShape, xmlToJson } from './open311.helpers.ts';
import { answersIn } from '../raw-http.ts';
import type { Answer } from '../raw-http.ts';

const V2 = '/open311/v2';

/** Writes on a fresh socket with `write` and reads every response until the server closes it. */
function exchange(port: number, write: (s: ReturnType<typeof connect>) => Promise<void>): Promise<Answer[]> {
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', () => {});
    socket.on('close', () => {
      done(answersIn(text));
    });
    socket.on('connect', () => void write(socket).catch(fail));
  });
}

/** The answer is GeoReport's error list with `status` as its code, in `fmt`. */
function assertOpen311Refusal(a: Answer | undefined, status: number, fmt: 'json' | 'xml'): string {
  assert.ok(a, 'no answer');
  assert.equal(a.status, status, a.body);
  assert.ok(!a.body.includes('"error"'), `not the core envelope: ${a.body}`);
  let list: { code: number; description: string }[];
  if (fmt === 'json') {
    assert.match(a.headers['content-type'] ?? '', /^application\/json; charset=utf-8/);
    list = JSON.parse(a.body) as typeof list;
    assertShape('errors', list);
  } else {
    assert.match(a.headers['content-type'] ?? '', /^text\/xml; charset=utf-8/);
    const x = xmlToJson(a.body);
    assert.equal(x.root, 'errors');
    list = x.value as typeof list;
    assertShape('errors', list, true);
  }
  assert.equal(Number(list[0]?.code), status);
  assert.match(a.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
  return list[0]?.description ?? '';
}

describe('Open311 refusals before routing', () => {
  let ctx: TestContext;
  let port: number;
  let numbers: string[];
  before(async () => {
    ctx = await createTestContext({ orders: 5, config: { requestTimeoutSeconds: 2 } });
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const address = ctx.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
    const rows = await ctx.database.db
      .selectFrom('work_orders')
      .innerJoin('communities', 'communities.id', 'work_orders.community_id')
      .select('work_orders.number')
      .where('communities.code', '=', 'taoyuan')
      .where('work_orders.category', 'not in', ['health', 'elderly_care'])
      .execute();
    numbers = rows.map((r) => r.number);
    assert.ok(numbers.length > 0);
  });
  after(() => ctx.close());

  const ids = (n: number) =>
    Array.from({ length: n }, (_, i) => numbers[i] ?? `TAOYUAN-20261120-${String(i).padStart(6, '0')}`);

  it('answers a URL of 800 ids, too long for the headers, with 431 in the format the path names', async () => {
    for (const fmt of ['json', 'xml'] as const) {
      const url = `${V2}/requests.${fmt}?jurisdiction_id=taoyuan&service_request_id=${ids(800).join(',')}`;
      assert.ok(url.length > 16 * 1024);
      const answers = await exchange(port, async (s) => {
        s.write(`GET ${url} HTTP/1.1\r\nHost: x\r\n\r\n`);
      });
      const said = assertOpen311Refusal(answers[0], 431, fmt);
      assert.match(said, /too large/);
    }
    // Elsewhere, the core API's envelope as before.
    const api = await exchange(port, async (s) => {
      s.write(`GET /api/v1/work-orders?q=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    });
    assert.equal(api[0]?.status, 431);
    assert.equal(JSON.parse(api[0]?.body ?? '{}').error.code, 'headers_too_large');
  });

  it('refuses more than 200 ids with a 400 naming service_request_id, and answers 200 of them', async () => {
    for (const fmt of ['json', 'xml'] as const) {
      for (const path of ['requests', 'servicerequestupdates']) {
        const res = await ctx.app.inject({
          method: 'GET',
          url: `${V2}/${path}.${fmt}?jurisdiction_id=taoyuan&service_request_id=${ids(201).join(',')}`,
        });
        assert.equal(res.statusCode, 400, res.body);
        assert.match(res.body, /service_request_id: at most 200 ids in one request/);
        assert.ok(!res.body.includes('"error"'));
      }
    }
    const ok = await ctx.app.inject({
      method: 'GET',
      url: `${V2}/requests.json?jurisdiction_id=taoyuan&service_request_id=${ids(200).join(',')}`,
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.ok(ok.json<unknown[]>().length > 0);
  });

  it('answers a POST whose body trickles in with 408 as an error list', async () => {
    const form = 'api_key=demo-open311-key&service_code=basic_living.noise&description=' + 'x'.repeat(500);
    const answers = await exchange(port, async (s) => {
      s.write(
        `POST ${V2}/requests.json HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n`,
      );
      for (let i = 0; i < form.length && !s.destroyed; i += 20) {
        s.write(form.slice(i, i + 20));
        await sleep(200);
      }
    });
    assertOpen311Refusal(answers[0], 408, 'json');
  });

  it('answers requests that arrive while the node shuts down with 503 as an error list', async () => {
    const { app } = await buildApp(ctx.deps);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const own = typeof address === 'object' && address ? address.port : 0;
    let closing: Promise<undefined> | undefined;
    const body = '{"username":"agent","password":"x"}';
    const answers = await exchange(own, async (s) => {
      // A request in flight keeps the connection open while the app closes; the one pipelined
      // behind it arrives during the shutdown.
      s.write(
        `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
      );
      await sleep(100);
      closing = app.close();
      while (app.server.listening) await sleep(5);
      s.write(`${body.slice(5)}GET ${V2}/services.xml HTTP/1.1\r\nHost: x\r\n\r\n`);
    });
    await closing;
    assert.equal(answers.length, 2, JSON.stringify(answers));
    assertOpen311Refusal(answers[1], 503, 'xml');
  });
});

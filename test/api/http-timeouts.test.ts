/**
 * Slow and broken clients, on a real socket (what these tests are about): a request that
 * trickles in is cut off with 408, a body at a steady pace is not, oversized headers get 431,
 * an anonymous upload is refused before it is read, and a node that is shutting down answers
 * 503. Each refusal is the error envelope with an `X-Request-Id`. The server runs with a 2 s
 * request timeout, so a small body's deadline is 0.2 s plus its size at 32 KiB/s.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/platform/config.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { bodyDeadlineMs } from '../../src/platform/http/timeouts.ts';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { answersIn } from '../raw-http.ts';
import type { Answer } from '../raw-http.ts';

/** Opens a socket, lets `write` talk on it, and collects everything until the server closes it. */
function exchange(
  port: number,
  write: (socket: Socket, closed: () => boolean) => Promise<void>,
): Promise<{ answers: Answer[]; ms: number }> {
  return new Promise((done, fail) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', () => {}); // the server may reset a connection it is done with
    socket.on('close', () => {
      closed = true;
      done({ answers: answersIn(text), ms: Date.now() - started });
    });
    socket.on('connect', () => void write(socket, () => closed).catch(fail));
  });
}

/** Writes `data` a piece at a time, `every` ms apart, until it is all sent or the socket closes. */
async function trickle(socket: Socket, closed: () => boolean, data: string, piece: number, every: number) {
  for (let i = 0; i < data.length && !closed(); i += piece) {
    socket.write(data.slice(i, i + piece));
    await sleep(every);
  }
}

function assertRefusal(a: Answer | undefined, status: number, code: string) {
  assert.ok(a, 'no answer');
  assert.equal(a.status, status, a.body);
  assert.equal(JSON.parse(a.body).error.code, code, a.body);
  assert.deepEqual(JSON.parse(a.body).error.details, {});
  assert.match(a.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(a.headers['x-content-type-options'], 'nosniff');
}

describe('slow and broken clients on a real socket', () => {
  let ctx: TestContext;
  let port: number;
  before(async () => {
    ctx = await createTestContext({ orders: 0, config: { requestTimeoutSeconds: 2 } });
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const address = ctx.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  after(() => ctx.close());

  it('gives a small body a short deadline and the largest upload the whole request timeout', () => {
    assert.equal(loadConfig({}).requestTimeoutSeconds, 300);
    assert.equal(bodyDeadlineMs(2_000, 300_000), 30_061);
    assert.equal(bodyDeadlineMs(7 * 1024 * 1024, 300_000), 254_000);
    assert.equal(bodyDeadlineMs(40 * 1024 * 1024, 300_000), 300_000);
  });

  it('cuts off a body that trickles in, long before the request timeout', async () => {
    const body = JSON.stringify({ username: 'agent', password: 'demo1234' });
    const { answers, ms } = await exchange(port, (s, closed) =>
      trickle(
        s,
        closed,
        `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        110,
        400,
      ),
    );
    assertRefusal(answers[0], 408, 'request_timeout');
    assert.ok(ms < 1_500, `held ${ms} ms`);
  });

  it('lets a body arriving at a steady pace run past its grace', async () => {
    // 200 KB (whitespace after the JSON): 6 s at the slowest pace, so only the 2 s timeout bounds it.
    const body = JSON.stringify({ username: 'agent', password: 'wrong' }) + ' '.repeat(200_000);
    const head = `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    const { answers, ms } = await exchange(port, async (s, closed) => {
      s.write(head);
      await trickle(s, closed, body, Math.ceil(body.length / 8), 120);
    });
    assert.ok(ms > 800, `${ms} ms`);
    assert.equal(answers[0]?.status, 401, answers[0]?.body);
    assert.equal(JSON.parse(answers[0]?.body ?? '{}').error.code, 'invalid_credentials');
  });

  it('gives a chunked body the deadline of the route’s body limit', async () => {
    const body = JSON.stringify({ username: 'agent', password: 'wrong' });
    const { answers } = await exchange(port, async (s) => {
      s.write(
        `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
      );
      await sleep(300); // past a small body's grace; the chunked one is allowed the route's limit
      s.write(`${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
    });
    assert.equal(answers[0]?.status, 401, answers[0]?.body);
    assert.equal(JSON.parse(answers[0]?.body ?? '{}').error.code, 'invalid_credentials');
  });

  it('answers headers that never finish with 408 once the request timeout is over', async () => {
    const { answers, ms } = await exchange(port, (s, closed) =>
      trickle(s, closed, `GET /healthz HTTP/1.1\r\nHost: x\r\n${'X-Slow: y\r\n'.repeat(100)}`, 3, 250),
    );
    assertRefusal(answers[0], 408, 'request_timeout');
    assert.ok(ms >= 1_900 && ms < 5_000, `${ms} ms`);
  });

  it('answers headers too large with 431', async () => {
    const { answers } = await exchange(port, async (s) => {
      s.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    });
    assertRefusal(answers[0], 431, 'headers_too_large');
  });

  it('refuses an anonymous upload before reading it, and closes the connection', async () => {
    const { answers, ms } = await exchange(port, async (s, closed) => {
      s.write(
        `POST /api/v1/work-orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${39 * 1024 * 1024}\r\n\r\n`,
      );
      await trickle(s, closed, '{"description":"' + 'x'.repeat(256 * 1024), 64 * 1024, 50);
    });
    assert.equal(answers[0]?.status, 401, answers[0]?.body);
    assert.equal(JSON.parse(answers[0]?.body ?? '{}').error.code, 'unauthenticated');
    assert.equal(answers[0]?.headers.connection, 'close');
    assert.ok(ms < 1_500, `${ms} ms`);
  });

  it('answers requests that arrive while the node shuts down with 503 and the envelope', async () => {
    const { app } = await buildApp(ctx.deps);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const own = typeof address === 'object' && address ? address.port : 0;
    let closing: Promise<undefined> | undefined;
    const body = '{"username":"agent","password":"x"}';
    const { answers } = await exchange(own, async (s) => {
      // A request in flight keeps the connection open while the app closes; the one pipelined
      // behind it arrives during the shutdown.
      s.write(
        `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
      );
      await sleep(100);
      closing = app.close();
      while (app.server.listening) await sleep(5);
      s.write(`${body.slice(5)}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`);
    });
    await closing;
    assert.equal(answers.length, 2, JSON.stringify(answers));
    assertRefusal(answers[1], 503, 'service_unavailable');
    assert.equal(answers[1]?.headers.connection, 'close');
  });
});

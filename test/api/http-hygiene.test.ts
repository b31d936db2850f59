/**
 * What every HTTP exchange carries, whatever the route: redacted request logs, a request id
 * returned to the caller, browser hardening headers, the 401 before an anonymous body is read,
 * a `Secure` session cookie over https, and the web app's fallback only for its own routes.
 * In-process (`inject`); the timeouts and shutdown, which need sockets, are in http-timeouts.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest, LightMyRequestResponse } from 'fastify';
import type { AppError } from '../../src/platform/errors.ts';
import { requirePrincipal } from '../../src/platform/http/principal.hook.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { redactUrl } from '../../src/platform/http/log-redaction.ts';
import { API_CSP, WEB_APP_CSP } from '../../src/platform/http/response-headers.ts';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function assertEnvelope(res: LightMyRequestResponse, status: number, code: string) {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json<{ error: { code: string; message: string; details: unknown } }>();
  assert.equal(body.error.code, code, res.body);
  assert.deepEqual(typeof body.error.details, 'object');
  return body.error;
}

function assertHardened(res: LightMyRequestResponse, csp: string) {
  assert.equal(res.headers['x-content-type-options'], 'nosniff', `${res.statusCode} ${res.body}`);
  assert.equal(res.headers['referrer-policy'], 'same-origin');
  assert.equal(res.headers['x-frame-options'], 'DENY');
  assert.equal(res.headers['content-security-policy'], csp);
  assert.ok(String(res.headers['x-request-id'] ?? '').length > 0, 'x-request-id');
}

describe('HTTP hygiene', () => {
  let ctx: TestContext;
  let agent: string;
  let web: FastifyInstance;
  let webRoot: string;
  const logLines: string[] = [];

  before(async () => {
    ctx = await createTestContext({ orders: 3 });
    agent = await ctx.login('agent');
    // A second app on the same database: a web build of our own, and a log we can read.
    webRoot = mkdtempSync(join(tmpdir(), 'linli-web-'));
    mkdirSync(join(webRoot, 'assets'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Linli</title><div id="root"></div>');
    writeFileSync(join(webRoot, 'assets', 'index-abc123.js'), 'console.log(1)');
    web = (
      await buildApp(ctx.deps, {
        webRoot,
        logger: { level: 'info', stream: { write: (line: string) => void logLines.push(line) } },
      })
    ).app;
    await web.ready();
  });
  after(async () => {
    await web.close();
    rmSync(webRoot, { recursive: true, force: true });
    await ctx.close();
  });

  describe('request logs', () => {
    it('mask secret and personal query values and contact data, keep the rest', () => {
      assert.equal(
        redactUrl('/open311/v2/requests.json?api_key=demo-open311-key&jurisdiction_id=TAOYUAN'),
        '/open311/v2/requests.json?api_key=***&jurisdiction_id=TAOYUAN',
      );
      assert.equal(
        redactUrl('/open311/v2/requests.json?email=bar%40example.com&phone=13700001111&service_code=x'),
        '/open311/v2/requests.json?email=***&phone=***&service_code=x',
      );
      assert.equal(
        redactUrl('/api/v1/work-orders?q=13912345678&status=new'),
        '/api/v1/work-orders?q=***&status=new',
      );
      assert.equal(
        redactUrl('/api/v1/x?Token=t&KEY=k&code=123456&access-token=a'),
        '/api/v1/x?Token=***&KEY=***&code=***&access-token=***',
      );
      // Under any name: a mobile number (also full-width or with +86), an ID number, an e-mail address.
      assert.equal(redactUrl('/api/v1/x?who=%2B86%20139-1234-5678'), '/api/v1/x?who=***');
      assert.equal(
        redactUrl(
          '/api/v1/x?who=%EF%BC%91%EF%BC%93%EF%BC%99%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96%EF%BC%97%EF%BC%98',
        ),
        '/api/v1/x?who=***',
      );
      assert.equal(redactUrl('/api/v1/x?id=11010519491231002X&limit=20'), '/api/v1/x?id=***&limit=20');
      assert.equal(redactUrl('/api/v1/x?to=a.b@example.org'), '/api/v1/x?to=***');
      assert.equal(redactUrl('/api/v1/residents/13912345678/orders'), '/api/v1/residents/***/orders');
      // Ids, dates, order numbers and cursors stay readable.
      const plain =
        '/api/v1/work-orders/0193a1b2-7c3d-7e8f-9a0b-1c2d3e4f5a6b?since=2026-11-20T02:00:00.000Z&number=TAOYUAN-20261205-000123';
      assert.equal(redactUrl(plain), plain);
      assert.equal(redactUrl('/healthz'), '/healthz');
    });

    it('hold no query secret, phone or credential, and name each request by its returned id', async () => {
      logLines.length = 0;
      const token = agent;
      const calls = [
        '/open311/v2/requests.json?api_key=demo-open311-key&jurisdiction_id=TAOYUAN',
        '/open311/v2/requests.json?email=bar@example.com&phone=13700001111',
        '/api/v1/residents?phone=13910000105',
        '/api/v1/work-orders?q=13912345678',
      ];
      const ids: string[] = [];
      for (const url of calls) {
        const res = await web.inject({
          method: 'GET',
          url,
          headers: {
            authorization: `Bearer ${token}`,
            cookie: `linli_session=${token}`,
            'x-api-key': 'sekrit-key-1',
          },
        });
        ids.push(String(res.headers['x-request-id']));
      }
      await web.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'agent', password: 'demo1234-wrong' },
      });
      const log = logLines.join('');
      for (const secret of [
        'demo-open311-key',
        'bar@example.com',
        '13700001111',
        '13910000105',
        '13912345678',
        token,
        'sekrit-key-1',
        'demo1234-wrong',
      ])
        assert.ok(!log.includes(secret), `the log holds ${secret}`);
      assert.match(log, /api_key=\*\*\*&jurisdiction_id=TAOYUAN/);
      const incoming = logLines.map(
        (l) => JSON.parse(l) as { reqId?: string; msg?: string; req?: { url?: string } },
      );
      for (const id of ids) {
        assert.match(id, UUID);
        assert.ok(
          incoming.some((l) => l.reqId === id && l.msg === 'incoming request' && l.req?.url),
          `no log line for ${id}`,
        );
      }
    });
  });

  describe('request ids', () => {
    it('keep a plain X-Request-Id, replace anything else, and come back on every answer', async () => {
      const kept = await ctx.call('GET', '/healthz', undefined, undefined, {
        'x-request-id': 'lb-01.abc_DEF-9',
      });
      assert.equal(kept.headers['x-request-id'], 'lb-01.abc_DEF-9');
      for (const bad of ['has space', 'x'.repeat(65), 'a\u00e9b', 'semi;colon', '']) {
        const res = await ctx.call('GET', '/healthz', undefined, undefined, { 'x-request-id': bad });
        assert.match(String(res.headers['x-request-id']), UUID, JSON.stringify(bad));
      }
      const a = await ctx.call('GET', '/healthz');
      const b = await ctx.call('GET', '/healthz');
      assert.match(String(a.headers['x-request-id']), UUID);
      assert.notEqual(a.headers['x-request-id'], b.headers['x-request-id']);
      // Errors of every origin: a handler, the sign-in hook, validation, the router, an undecodable URL.
      const errors = [
        await ctx.call('GET', '/api/v1/work-orders/nope', agent),
        await ctx.call('GET', '/api/v1/me'),
        await ctx.call('POST', '/api/v1/work-orders', agent, { channel: 'hotline' }),
        await ctx.call('GET', '/api/v1/no-such-thing', agent),
        await ctx.call('GET', '/api/v1/work-orders/%E0%A4%A', agent),
      ];
      for (const res of errors) {
        assert.ok(res.statusCode >= 400, res.body);
        assert.match(String(res.headers['x-request-id']), UUID, `${res.statusCode} ${res.body}`);
      }
    });
  });

  describe('anonymous requests to routes that need a principal', () => {
    it('are refused with the handler’s own 401 before a byte of the body is read', async () => {
      const size = 39 * 1024 * 1024;
      let pulled = 0;
      const body = new Readable({
        read() {
          if (pulled >= size) return this.push(null);
          const chunk = Buffer.alloc(64 * 1024, 0x20);
          pulled += chunk.length;
          this.push(chunk);
        },
      });
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/work-orders',
        headers: { 'content-type': 'application/json', 'content-length': String(size) },
        payload: body,
      });
      const error = assertEnvelope(res, 401, 'unauthenticated');
      assert.equal(error.message, 'sign in first (Authorization: Bearer <token>)');
      assert.equal(res.headers.connection, 'close', 'the client may still be sending');
      assert.ok(pulled <= 256 * 1024, `${pulled} bytes of the body were read`);
      // The same refusal the handler's own check makes.
      const handlers = (() => {
        try {
          requirePrincipal({ principal: null } as FastifyRequest);
        } catch (err) {
          return err as AppError;
        }
      })();
      assert.deepEqual([error.code, error.message], [handlers?.code, handlers?.message]);
      const badToken = await ctx.call('POST', '/api/v1/work-orders', 'not-a-token', {});
      assert.deepEqual(badToken.json(), res.json());
    });

    it('on every API route but signing in and the documented public ones', async () => {
      const doc = (await ctx.call('GET', '/openapi.json')).json<{
        paths: Record<string, Record<string, { security?: unknown[] }>>;
      }>();
      const open = new Set<string>();
      let refused = 0;
      for (const [path, methods] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(methods)) {
          const url = path.replace(/\{[^}]+\}/g, 'x');
          const res = await ctx.app.inject({ method: method.toUpperCase() as 'GET', url });
          const anonymousOk =
            path.startsWith('/open311/') || path.startsWith('/api/v1/auth/') || op.security?.length === 0;
          if (anonymousOk) {
            open.add(`${method.toUpperCase()} ${path}`);
            assert.ok(
              res.statusCode !== 401 ||
                res.json<{ error: { code: string } }>().error.code !== 'unauthenticated',
              `${method} ${path}`,
            );
            continue;
          }
          assertEnvelope(res, 401, 'unauthenticated');
          refused++;
        }
      }
      assert.ok(refused > 60, `${refused} routes refused`);
      assert.ok(open.has('GET /api/v1/categories'));
      assert.ok(open.has('POST /api/v1/auth/login'));
      const categories = await ctx.call('GET', '/api/v1/categories');
      assert.equal(categories.statusCode, 200);
    });
  });

  describe('headers', () => {
    it('harden the API, its errors and the web app, each with its own policy', async () => {
      assertHardened(await ctx.call('GET', '/api/v1/categories'), API_CSP);
      assertHardened(await ctx.call('GET', '/api/v1/me'), API_CSP);
      assertHardened(await ctx.call('GET', '/api/v1/work-orders/%E0%A4%A', agent), API_CSP);
      assertHardened(await ctx.call('GET', '/open311/v2/services.json'), API_CSP);
      assertHardened(await ctx.call('GET', '/healthz'), API_CSP);
      assertHardened(await web.inject({ method: 'GET', url: '/' }), WEB_APP_CSP);
      assertHardened(await web.inject({ method: 'GET', url: '/console' }), WEB_APP_CSP);
      assertHardened(await web.inject({ method: 'GET', url: '/assets/index-abc123.js' }), WEB_APP_CSP);
      assertHardened(await web.inject({ method: 'GET', url: '/assets/nope.js' }), WEB_APP_CSP);
      assert.match(WEB_APP_CSP, /script-src 'self'(;|$)/);
      assert.match(WEB_APP_CSP, /frame-ancestors 'none'/);
    });

    it('allow what the built web app needs: no inline script, no other origin', (t) => {
      const built = join(process.cwd(), 'dist', 'web', 'index.html');
      if (!existsSync(built)) return t.skip('npm run build:web first');
      const html = readFileSync(built, 'utf8');
      for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
        assert.match(m[1] ?? '', /\bsrc="\/[^/]/, `a script not from this origin: ${m[0]}`);
        assert.equal((m[2] ?? '').trim(), '', 'an inline script');
      }
      assert.doesNotMatch(html, /\son[a-z]+=/i, 'an inline event handler');
      assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'another origin');
    });
  });

  describe('the session cookie', () => {
    it('is Secure over https behind a trusted proxy, and only then', async () => {
      const login = (c: TestContext, proto?: string) =>
        c.call(
          'POST',
          '/api/v1/auth/login',
          undefined,
          { username: 'agent', password: 'demo1234' },
          proto ? { 'x-forwarded-proto': proto } : {},
        );
      const cookieOf = (res: LightMyRequestResponse) => String(res.headers['set-cookie'] ?? '');
      const plain = cookieOf(await login(ctx, 'https'));
      assert.match(plain, /linli_session=/);
      assert.doesNotMatch(plain, /Secure/, 'X-Forwarded-Proto from an untrusted client');
      const proxied = await createTestContext({ orders: 0, config: { trustProxy: 1 } });
      try {
        const secure = cookieOf(await login(proxied, 'https'));
        assert.match(secure, /; Secure/);
        assert.match(secure, /HttpOnly/);
        assert.match(secure, /SameSite=Lax/);
        assert.doesNotMatch(cookieOf(await login(proxied, 'http')), /Secure/);
        const token = (await login(proxied, 'https')).json<{ token: string }>().token;
        const out = await proxied.call('POST', '/api/v1/auth/logout', token, undefined, {
          'x-forwarded-proto': 'https',
        });
        assert.equal(out.statusCode, 204);
        assert.match(cookieOf(out), /linli_session=;.*Secure/);
      } finally {
        await proxied.close();
      }
    });
  });

  describe('the web app', () => {
    it('answers its own routes with the app shell, for GET and HEAD', async () => {
      for (const url of ['/', '/console', '/dispatch/x', '/field/tasks/1?tab=a.b']) {
        for (const method of ['GET', 'HEAD'] as const) {
          const res = await web.inject({ method, url });
          assert.equal(res.statusCode, 200, `${method} ${url}`);
          assert.match(String(res.headers['content-type']), /text\/html/, `${method} ${url}`);
          if (method === 'GET') assert.match(res.body, /<div id="root">/);
          else assert.equal(res.body, '');
        }
      }
      const js = await web.inject({ method: 'HEAD', url: '/assets/index-abc123.js' });
      assert.equal(js.statusCode, 200);
      assert.match(String(js.headers['content-type']), /javascript/);
    });

    it('answers missing files and API paths with a JSON 404, never the app shell', async () => {
      for (const url of [
        '/assets/nope-123.js',
        '/assets/x',
        '/favicon.ico',
        '/robots.txt',
        '/api/v1/nope',
        '/api',
        '/open311/v2/nope',
      ]) {
        for (const method of ['GET', 'HEAD'] as const) {
          const res = await web.inject({ method, url });
          assert.equal(res.statusCode, 404, `${method} ${url}`);
          assert.doesNotMatch(String(res.headers['content-type']), /html/, `${method} ${url}`);
          // Open311 answers in its own format (XML here).
          if (url.startsWith('/open311/')) continue;
          assert.match(String(res.headers['content-type']), /application\/json/, `${method} ${url}`);
          if (method === 'GET') assertEnvelope(res, 404, 'not_found');
        }
      }
      assert.equal((await web.inject({ method: 'POST', url: '/console' })).statusCode, 404);
    });
  });
});

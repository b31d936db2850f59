import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuthService, API_KEY_CACHE_MS } from '../../src/modules/auth/auth.service.ts';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { postForm } from '../open311/open311.helpers.ts';

interface AuditView {
  seq: number;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  payload: Record<string, unknown>;
}

describe('API keys, audit of keys and models, and live streams after sign-out', () => {
  let ctx: TestContext;
  let admin: string;
  let communityId: string;
  let ip = 0;

  before(async () => {
    ctx = await createTestContext({ orders: 120, config: { trustProxy: 1 } });
    admin = await ctx.login('admin');
    communityId = ctx.seed.communities[0]?.id ?? '';
  });
  after(() => ctx.close());

  const open311 = (key: string) =>
    postForm(
      ctx.app,
      '/open311/v2/requests.json',
      [
        ['api_key', key],
        ['service_code', 'basic_living.property'],
        ['lat', '22.5615'],
        ['long', '113.9413'],
        ['description', '3栋门口的路灯坏了'],
      ],
      { 'x-forwarded-for': `10.9.0.${ip++}` },
    );

  async function chain() {
    const res = await ctx.call('GET', `/api/v1/audit/verify?community=${communityId}`, admin);
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { ok: boolean; entries: number };
  }

  async function lastEntry(): Promise<AuditView> {
    const { entries } = await chain();
    const res = await ctx.call(
      'GET',
      `/api/v1/audit/entries?community=${communityId}&afterSeq=${entries - 1}`,
      admin,
    );
    assert.equal(res.statusCode, 200, res.body);
    const [e] = res.json() as AuditView[];
    assert.ok(e);
    return e;
  }

  async function createKey(name: string) {
    const res = await ctx.call('POST', '/api/v1/api-keys', admin, { communityId, name });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { id: string; key: string; prefix: string };
  }

  it('stops a revoked key at once on this node, and records creation and revocation in the audit chain', async () => {
    const start = await chain();
    assert.equal(start.ok, true);

    const k = await createKey('partner app');
    const afterCreate = await chain();
    assert.deepEqual(afterCreate, {
      ok: true,
      entries: start.entries + 1,
      firstBadSeq: null,
      problem: null,
      anchors: 0,
    });
    const created = await lastEntry();
    assert.equal(created.action, 'api_key.created');
    assert.equal(created.actor, 'user:admin');
    assert.equal(created.entityId, k.id);
    assert.deepEqual(created.payload, {
      id: k.id,
      name: 'partner app',
      prefix: k.prefix,
      scopes: ['open311'],
    });
    assert.ok(!JSON.stringify(created.payload).includes(k.key), 'no secret in the audit chain');

    // The key works, and is now in this node's cache.
    assert.equal((await open311(k.key)).statusCode, 200);
    const beforeRevoke = await chain();

    ctx.clock.advance(1000);
    const revoked = await ctx.call('DELETE', `/api/v1/api-keys/${k.id}`, admin);
    assert.equal(revoked.statusCode, 204, revoked.body);
    const refused = await open311(k.key);
    assert.equal(refused.statusCode, 403, 'a revoked key is refused at once');
    const kiosk = await ctx.call('GET', '/api/v1/me', undefined, undefined, { 'x-api-key': k.key });
    assert.equal(kiosk.statusCode, 401);

    const afterRevoke = await chain();
    assert.deepEqual(afterRevoke, {
      ok: true,
      entries: beforeRevoke.entries + 1,
      firstBadSeq: null,
      problem: null,
      anchors: 0,
    });
    const entry = await lastEntry();
    assert.equal(entry.action, 'api_key.revoked');
    assert.equal(entry.actor, 'user:admin');
    assert.deepEqual(entry.payload, { id: k.id, name: 'partner app', prefix: k.prefix, scopes: ['open311'] });
  });

  it('answers 404 to a second revocation and keeps the first revocation time', async () => {
    const k = await createKey('twice');
    assert.equal((await ctx.call('DELETE', `/api/v1/api-keys/${k.id}`, admin)).statusCode, 204);
    const first = await ctx.database.db
      .selectFrom('api_keys')
      .select('revoked_at')
      .where('id', '=', k.id)
      .executeTakeFirstOrThrow();
    assert.ok(first.revoked_at);
    const before = await chain();
    ctx.clock.advance(60_000);
    const again = await ctx.call('DELETE', `/api/v1/api-keys/${k.id}`, admin);
    assert.equal(again.statusCode, 404, again.body);
    const second = await ctx.database.db
      .selectFrom('api_keys')
      .select('revoked_at')
      .where('id', '=', k.id)
      .executeTakeFirstOrThrow();
    assert.equal(second.revoked_at, first.revoked_at);
    assert.deepEqual(await chain(), before, 'nothing audited for a refused revocation');
  });

  it('another app node forgets a revoked key within the short cache time', async () => {
    const k = await createKey('two nodes');
    const otherNode = new AuthService(ctx.deps);
    assert.equal((await otherNode.principalForApiKey(k.key))?.kind, 'api_key');
    assert.equal((await ctx.call('DELETE', `/api/v1/api-keys/${k.id}`, admin)).statusCode, 204);
    assert.ok(API_KEY_CACHE_MS <= 5000);
    ctx.clock.advance(API_KEY_CACHE_MS + 1);
    assert.equal(await otherNode.principalForApiKey(k.key), null);
  });

  it('records training, activation and rollback of classifier models in the audit chain', async () => {
    const manager = await ctx.login('manager');
    const start = await chain();
    const trained = await ctx.call('POST', '/api/v1/classifier/train', manager, {
      community: communityId,
      activate: 'always',
    });
    assert.equal(trained.statusCode, 200, trained.body);
    const report = trained.json() as { candidate: { version: number }; activated: boolean };
    assert.deepEqual(await chain(), {
      ok: true,
      entries: start.entries + 1,
      firstBadSeq: null,
      problem: null,
      anchors: 0,
    });
    const t = await lastEntry();
    assert.equal(t.action, 'classifier.trained');
    assert.equal(t.actor, 'user:manager');
    assert.equal(t.entityType, 'classifier_model');
    assert.equal(t.payload.version, report.candidate.version);
    assert.equal(t.payload.activated, true);

    const back = await ctx.call('POST', '/api/v1/classifier/activate', manager, {
      community: communityId,
      version: 0,
    });
    assert.equal(back.statusCode, 200, back.body);
    assert.deepEqual(await chain(), {
      ok: true,
      entries: start.entries + 2,
      firstBadSeq: null,
      problem: null,
      anchors: 0,
    });
    const a = await lastEntry();
    assert.equal(a.action, 'classifier.activated');
    assert.equal(a.actor, 'user:manager');
    assert.deepEqual(a.payload, { active: 'default', previous: report.candidate.version });

    const again = await ctx.call('POST', '/api/v1/classifier/activate', manager, {
      community: communityId,
      version: report.candidate.version,
    });
    assert.equal(again.statusCode, 200, again.body);
    await ctx.services.classification.rollback(communityId);
    assert.deepEqual(await chain(), {
      ok: true,
      entries: start.entries + 4,
      firstBadSeq: null,
      problem: null,
      anchors: 0,
    });
    const r = await lastEntry();
    assert.equal(r.action, 'classifier.rolled_back');
    assert.equal(r.actor, 'system:system');
    assert.deepEqual(r.payload, { active: 'default', previous: report.candidate.version });
  });

  it('ends an open event stream once its session is signed out', async () => {
    const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const dispatcher = await ctx.login('dispatcher');
    const ctrl = new AbortController();
    const deadline = setTimeout(() => ctrl.abort(), 8000);
    try {
      const res = await fetch(`${base}/api/v1/events`, {
        headers: { authorization: `Bearer ${dispatcher}` },
        signal: ctrl.signal,
      });
      assert.equal(res.status, 200);
      const reader = res.body?.getReader();
      assert.ok(reader);
      await new Promise((r) => setTimeout(r, 1200));
      const out = await ctx.call('POST', '/api/v1/auth/logout', dispatcher);
      assert.equal(out.statusCode, 204);
      assert.equal((await ctx.call('GET', '/api/v1/me', dispatcher)).statusCode, 401);
      ctx.clock.advance(1000);
      const late = await ctx.call('POST', '/api/v1/work-orders', await ctx.login('agent'), {
        channel: 'hotline',
        description: '退出登录后新建的工单：路灯坏了',
        category: 'basic_living.property',
      });
      assert.equal(late.statusCode, 201, late.body);
      const lateId = (late.json() as { id: string }).id;
      let text = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      assert.match(text, /event: signed_out/);
      assert.ok(!text.includes(lateId), 'no order changed after the sign-out was sent');
    } catch (err) {
      if (ctrl.signal.aborted) assert.fail('the stream was still open 8 s after sign-out');
      throw err;
    } finally {
      clearTimeout(deadline);
      ctrl.abort();
    }
  });
});

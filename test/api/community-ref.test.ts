/**
 * A `community` query parameter takes the community's id or its code, on every route, and a code
 * of a community the caller does not serve answers exactly as that community's id does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

/** The routes that compared `community` with the caller's community ids only. */
const ROUTES = [
  '/api/v1/work-orders?limit=200&community=',
  '/api/v1/work-orders/export.csv?community=',
  '/api/v1/sla/overdue?community=',
  '/api/v1/sla/due-soon?withinMinutes=43200&community=',
  '/api/v1/sla/compliance?by=category&community=',
  '/api/v1/supervisions?community=',
  '/api/v1/return-visits?community=',
];

describe('community query parameters accept the id or the code', () => {
  let ctx: TestContext;
  let manager: string;
  let own: { id: string; code: string };
  let other: { id: string; code: string };
  before(async () => {
    ctx = await createTestContext({ orders: 12 });
    manager = await ctx.login('manager');
    const [c1, c2] = ctx.seed.communities;
    assert.ok(c1 && c2);
    own = c1;
    other = c2;
  });
  after(() => ctx.close());

  it("a manager's own community by code answers as by id", async () => {
    const differ: string[] = [];
    for (const route of ROUTES) {
      const byId = await ctx.call('GET', route + own.id, manager);
      const byCode = await ctx.call('GET', route + own.code, manager);
      assert.equal(byId.statusCode, 200, `${route}id: ${byId.body}`);
      if (byCode.statusCode !== 200 || byCode.body !== byId.body)
        differ.push(`${route}${own.code} → ${byCode.statusCode} ${byCode.body.slice(0, 80)}`);
    }
    assert.deepEqual(differ, []);
    const list = (
      await ctx.call('GET', `/api/v1/work-orders?limit=200&community=${own.code}`, manager)
    ).json() as {
      items: { communityId: string }[];
    };
    assert.ok(list.items.length > 0);
    assert.ok(list.items.every((o) => o.communityId === own.id));
    const csv = (await ctx.call('GET', `/api/v1/work-orders/export.csv?community=${own.code}`, manager)).body;
    assert.equal(csv.trim().split('\r\n').length, list.items.length + 1, 'header and one line per order');
  });

  it("another community's code answers exactly as its id, and an unknown code as an unknown id", async () => {
    for (const route of ROUTES) {
      const byId = await ctx.call('GET', route + other.id, manager);
      const byCode = await ctx.call('GET', route + other.code, manager);
      assert.equal(byId.statusCode, 403, route);
      assert.equal(byCode.statusCode, byId.statusCode, route);
      assert.equal(byCode.body, byId.body, route);
      const unknownId = await ctx.call('GET', route + '00000000-0000-4000-8000-000000000000', manager);
      const unknownCode = await ctx.call('GET', route + 'no-such-community', manager);
      assert.equal(unknownCode.statusCode, unknownId.statusCode, route);
      assert.equal(unknownCode.body, unknownId.body, route);
    }
    // Routes that already resolved codes keep their own answer (404) for another community.
    const dashboard = (c: string) => ctx.call('GET', `/api/v1/analytics/dashboard?community=${c}`, manager);
    assert.equal((await dashboard(other.code)).statusCode, 404);
    assert.equal(
      (await dashboard(other.code)).json().error.code,
      (await dashboard(other.id)).json().error.code,
    );
    assert.equal((await dashboard(own.code)).statusCode, 200);
  });

  it('creating an order in another community answers as in one that does not exist', async () => {
    const agent = await ctx.login('agent');
    const create = (communityId: string) =>
      ctx.call('POST', '/api/v1/work-orders', agent, {
        channel: 'hotline',
        description: '楼道灯坏了',
        communityId,
      });
    const answers = [];
    for (const ref of [other.id, other.code, '00000000-0000-4000-8000-000000000000', 'no-such-community']) {
      const r = await create(ref);
      answers.push([r.statusCode, r.json().error.code, r.json().error.details]);
    }
    assert.deepEqual(new Set(answers.map((a) => JSON.stringify(a))).size, 1, JSON.stringify(answers));
    assert.deepEqual(answers[0], [404, 'community_not_found', { field: 'communityId' }]);
    assert.equal((await create(own.code)).statusCode, 201);
  });

  it("the classifier's routes answer another community as one that does not exist", async () => {
    const admin = await ctx.login('admin');
    const calls = [
      (c: string) => ctx.call('GET', `/api/v1/classifier/models?community=${c}`, admin),
      (c: string) => ctx.call('POST', '/api/v1/classifier/train', admin, { community: c, activate: 'never' }),
      (c: string) => ctx.call('POST', '/api/v1/classifier/activate', admin, { community: c, version: 0 }),
    ];
    for (const call of calls) {
      const answers = [];
      for (const ref of [other.id, other.code, '00000000-0000-4000-8000-000000000000', 'no-such-community']) {
        const r = await call(ref);
        answers.push([r.statusCode, r.json().error.code, r.json().error.details]);
      }
      assert.equal(new Set(answers.map((a) => JSON.stringify(a))).size, 1, JSON.stringify(answers));
      assert.deepEqual(answers[0], [404, 'community_not_found', { field: 'community' }]);
    }
    assert.equal((await calls[0]!(own.code)).statusCode, 200);
  });

  it('every GET operation with a `community` parameter answers its code as its id (admin)', async () => {
    const admin = await ctx.login('admin');
    const doc = (await ctx.call('GET', '/openapi.json')).json<{
      paths: Record<
        string,
        Record<string, { parameters?: Array<{ in: string; name: string; required?: boolean }> }>
      >;
    }>();
    const checked: string[] = [];
    const differ: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      const get = ops.get;
      if (!get || path.includes('{') || path === '/api/v1/events') continue; // the live stream never ends
      const params = get.parameters ?? [];
      if (!params.some((p) => p.in === 'query' && p.name === 'community')) continue;
      // Other required query parameters get a value each route accepts.
      const extra = params
        .filter((p) => p.in === 'query' && p.required && p.name !== 'community')
        .map((p) => `&${p.name}=${p.name === 'by' ? 'category' : 'x'}`)
        .join('');
      const byId = await ctx.call('GET', `${path}?community=${own.id}${extra}`, admin);
      const byCode = await ctx.call('GET', `${path}?community=${own.code}${extra}`, admin);
      checked.push(path);
      if (byId.statusCode !== byCode.statusCode)
        differ.push(`${path}: id ${byId.statusCode}, code ${byCode.statusCode}`);
    }
    assert.ok(checked.length >= 15, `checked ${checked.length}: ${checked.join(' ')}`);
    assert.deepEqual(differ, []);
  });
});

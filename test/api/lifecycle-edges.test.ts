/**
 * Edges of the work-order API found by review against a running server: deeply nested
 * attributes, a reopen that kept the old rating, a cancel after work had started (through a
 * wait), merges into orders that are over, an empty residentId, the export's query and the
 * note's visibility in the OpenAPI document.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface Order {
  id: string;
  status: string;
  version: number;
  rating: number | null;
  ratingComment: string | null;
  reopenCount: number;
  proxy: boolean;
  beneficiary: { id: string } | null;
  allowedActions: string[];
  timeline?: { type: string; note: string | null; data: Record<string, unknown> | null }[];
}
interface ErrorBody {
  error: { code: string; message: string; details?: { field?: string } };
}
interface Kpis {
  orders: number;
  resolved: number;
  satisfaction: number | null;
  rated: number;
  reopenRate: number | null;
}
interface OpenApiParam {
  name: string;
  in: string;
}
interface OpenApiDoc {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: OpenApiParam[];
        requestBody?: {
          content: Record<
            string,
            { schema: { required?: string[]; properties: Record<string, { default?: unknown }> } }
          >;
        };
      }
    >
  >;
}

/** `depth` arrays nested in each other around a string. */
const nested = (depth: number): unknown => {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

describe('work-order lifecycle edges', () => {
  let ctx: TestContext;
  let agent: string;
  let dispatcher: string;
  let provider: string;
  let providerId: string;
  before(async () => {
    ctx = await createTestContext();
    agent = await ctx.login('agent');
    dispatcher = await ctx.login('dispatcher');
    provider = await ctx.login('provider');
    providerId = await userId(ctx, 'provider');
  });
  after(() => ctx.close());

  const create = (body: Record<string, unknown>, token = agent, headers: Record<string, string> = {}) =>
    ctx.call('POST', '/api/v1/work-orders', token, body, headers);
  const act = (o: { id: string; version: number }, action: string, token: string, body = {}) =>
    ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/${action}`, token, { version: o.version, ...body });
  /** Applies an action that must succeed and returns the order after it. */
  const step = async (o: { id: string; version: number }, action: string, token: string, body = {}) => {
    const res = await act(o, action, token, body);
    assert.equal(res.statusCode, 200, `${action}: ${res.body}`);
    return res.json<Order>();
  };
  const newOrder = async (description = '楼道灯不亮', token = agent, extra = {}) => {
    const res = await create(
      {
        channel: token === agent ? 'hotline' : 'miniapp',
        description,
        category: 'basic_living.property',
        ...extra,
      },
      token,
    );
    assert.equal(res.statusCode, 201, res.body);
    return res.json<Order>();
  };
  const counts = async () => {
    const n = async (
      table: 'work_orders' | 'work_order_events' | 'audit_entries' | 'outbox' | 'idempotency_keys',
    ) =>
      Number(
        (
          await ctx.database.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return [
      await n('work_orders'),
      await n('work_order_events'),
      await n('audit_entries'),
      await n('outbox'),
      await n('idempotency_keys'),
    ];
  };

  describe('attributes', () => {
    it('deeply nested attributes are refused with 400 naming the field, keyed or not, and write nothing', async () => {
      const resident = await ctx.residentLogin('13800000001');
      const before = await counts();
      for (const depth of [9, 4000, 5000, 1_000_000]) {
        for (const [token, headers] of [
          [agent, {}],
          [agent, { 'idempotency-key': `deep-${depth}` }],
          [resident, { 'idempotency-key': `deep-r-${depth}` }],
        ] as const) {
          // Built as text: a client's JSON.stringify would overflow its own stack first.
          const channel = token === agent ? 'hotline' : 'miniapp';
          const attributes = `{"a":${'['.repeat(depth)}"x"${']'.repeat(depth)}}`;
          const res = await ctx.app.inject({
            method: 'POST',
            url: '/api/v1/work-orders',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
            payload: `{"channel":"${channel}","description":"x","attributes":${attributes}}`,
          });
          assert.equal(res.statusCode, 400, `depth ${depth}: ${res.body.slice(0, 200)}`);
          const err = res.json<ErrorBody>();
          assert.equal(err.error.code, 'invalid_input');
          assert.equal(err.error.details?.field, 'attributes');
          assert.match(err.error.message, /deep/);
        }
      }
      assert.deepEqual(await counts(), before);
    });

    it('attributes up to the depth limit are kept as sent; too many or too large are refused alike', async () => {
      // `attributes` is level 1, `a` holds 7 more levels of arrays: 8 in all.
      const ok = await create({
        channel: 'hotline',
        description: '门禁卡问题',
        attributes: { a: nested(7) },
      });
      assert.equal(ok.statusCode, 201, ok.body);
      const got = (await ctx.call('GET', `/api/v1/work-orders/${ok.json<Order>().id}`, agent)).json<{
        attributes: Record<string, unknown>;
      }>();
      assert.deepEqual(got.attributes, { a: nested(7) });

      // The three limits answer the same documented way: 400 invalid_input naming attributes.
      const before = await counts();
      const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
      const atLimit = await create({ channel: 'hotline', description: '五十个回答', attributes: fifty });
      assert.equal(atLimit.statusCode, 201, atLimit.body);
      const afterOne = await counts();
      assert.equal(afterOne[0], (before[0] ?? 0) + 1);

      const many = { ...fifty, k50: 50 };
      const unkeyedAndKeyed: Record<string, string>[] = [{}, { 'idempotency-key': 'too-many-keys' }];
      for (const headers of unkeyedAndKeyed) {
        const tooMany = await create(
          { channel: 'hotline', description: 'x', attributes: many },
          agent,
          headers,
        );
        assert.equal(tooMany.statusCode, 400, tooMany.body);
        assert.equal(tooMany.json<ErrorBody>().error.code, 'invalid_input');
        assert.equal(tooMany.json<ErrorBody>().error.details?.field, 'attributes');
        assert.match(tooMany.json<ErrorBody>().error.message, /at most 50 keys/);
      }

      const big = await create({
        channel: 'hotline',
        description: 'x',
        attributes: { a: 'y'.repeat(20_000) },
      });
      assert.equal(big.statusCode, 400);
      assert.equal(big.json<ErrorBody>().error.code, 'invalid_input');
      assert.equal(big.json<ErrorBody>().error.details?.field, 'attributes');
      assert.match(big.json<ErrorBody>().error.message, /KB/);
      assert.deepEqual(await counts(), afterOne);
    });
  });

  describe('reopen', () => {
    it('clears the rating and comment; the earlier rating stays on the timeline; the dashboard counts a reopen', async () => {
      // A window of its own: orders made earlier in this file are older.
      ctx.clock.advance(1000);
      const from = ctx.clock.now().toISOString();
      const resident = await ctx.residentLogin('13800000001');
      let o = await newOrder('水龙头漏水', resident);
      o = await step(o, 'dispatch', dispatcher, { assigneeId: providerId });
      o = await step(o, 'start', provider);
      o = await step(o, 'resolve', provider, { note: '换了垫圈' });
      o = await step(o, 'confirm', resident, { rating: 5, comment: '很快' });
      assert.equal(o.rating, 5);
      assert.equal(o.ratingComment, '很快');
      o = await step(o, 'reopen', resident, { reason: '还是漏' });
      assert.equal(o.status, 'accepted');
      assert.equal(o.rating, null);
      assert.equal(o.ratingComment, null);
      assert.equal(o.reopenCount, 1);
      const full = (await ctx.call('GET', `/api/v1/work-orders/${o.id}`, agent)).json<Order>();
      assert.equal(full.rating, null);
      const confirmed = full.timeline?.find((e) => e.type === 'confirm');
      assert.equal(confirmed?.data?.rating, 5, 'the earlier rating is history on the timeline');
      assert.equal(confirmed?.note, '很快');

      const to = new Date(ctx.clock.now().getTime() + 60_000).toISOString();
      const dash = await ctx.call(
        'GET',
        `/api/v1/analytics/dashboard?community=taoyuan&from=${from}&to=${to}`,
        await ctx.login('manager'),
      );
      assert.equal(dash.statusCode, 200, dash.body);
      const totals = dash.json<{ totals: Kpis }>().totals;
      assert.equal(totals.orders, 1);
      assert.equal(totals.rated, 0);
      assert.equal(totals.satisfaction, null);
      assert.equal(totals.reopenRate, 1, 'a reopened order counts as reopened while it is worked again');
    });
  });

  describe('reopen window and the result shown', () => {
    it('a reopened order no longer shows the failed fix; a closed one reopens only within the window', async () => {
      const resident = await ctx.residentLogin('13800000001');
      const finish = async (text: string) => {
        let o = await newOrder(text, resident);
        o = await step(o, 'dispatch', dispatcher, { assigneeId: providerId });
        o = await step(o, 'resolve', provider, { note: '换了垫圈，已修好' });
        return step(o, 'confirm', resident, { rating: 5 });
      };
      let o = await finish('卫生间水龙头漏水');
      o = await step(o, 'reopen', resident, { reason: '还是漏' });
      const shown = (await ctx.call('GET', `/api/v1/work-orders/${o.id}`, resident)).json<
        Order & { resolutionNote: string | null }
      >();
      assert.equal(shown.resolutionNote, null, 'the failed fix is not the result any more');
      assert.ok(
        shown.timeline?.some((e) => e.note === '换了垫圈，已修好'),
        'it stays on the timeline',
      );

      const late = await finish('厨房水龙头漏水');
      // Closed 31 days ago (LINLI_REOPEN_DAYS defaults to 30); moving the clock would end sessions.
      await ctx.database.db
        .updateTable('work_orders')
        .set({ closed_at: new Date(ctx.clock.now().getTime() - 31 * 86_400_000).toISOString() })
        .where('id', '=', late.id)
        .execute();
      const before = await counts();
      const res = await act(late, 'reopen', resident, { reason: '又漏了' });
      assert.equal(res.statusCode, 409, res.body);
      const err = res.json<ErrorBody>().error;
      assert.equal(err.code, 'invalid_transition');
      assert.match(err.message, /more than 30 days ago.*new request/);
      assert.deepEqual(await counts(), before, 'nothing written');
    });

    it('a resident withdrawing an order under way is told why, and what to do', async () => {
      const resident = await ctx.residentLogin('13800000001');
      let o = await newOrder('楼下路灯不亮', resident);
      o = await step(o, 'dispatch', dispatcher, { assigneeId: providerId });
      const res = await act(o, 'cancel', resident, { reason: '不需要了' });
      assert.equal(res.statusCode, 403, res.body);
      assert.match(res.json<ErrorBody>().error.message, /under way.*hotline/);
    });
  });

  describe('cancel after a wait', () => {
    it('an order that waited on the resident after work started cannot be cancelled; one that waited before can', async () => {
      let started = await newOrder('空调不制冷');
      started = await step(started, 'dispatch', dispatcher, { assigneeId: providerId });
      started = await step(started, 'start', provider);
      const direct = await act(started, 'cancel', agent, { reason: '不需要了' });
      assert.equal(direct.statusCode, 409);
      started = await step(started, 'wait', provider, { note: '等住户在家' });
      assert.equal(started.status, 'waiting_on_resident');
      assert.ok(!started.allowedActions.includes('cancel'), 'the cancel button is not offered');
      const agentView = (await ctx.call('GET', `/api/v1/work-orders/${started.id}`, agent)).json<Order>();
      assert.ok(!agentView.allowedActions.includes('cancel'), 'nor to the agent');
      const before = await counts();
      const res = await act(started, 'cancel', agent, { reason: '不需要了' });
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(res.json<ErrorBody>().error.code, 'invalid_transition');
      assert.deepEqual(await counts(), before);
      const resumed = await step(started, 'resume', provider);
      assert.equal(resumed.status, 'in_progress');

      let early = await newOrder('门口垃圾没清');
      early = await step(early, 'dispatch', dispatcher, { assigneeId: providerId });
      early = await step(early, 'wait', provider, { note: '联系不上住户' });
      const agentEarly = (await ctx.call('GET', `/api/v1/work-orders/${early.id}`, agent)).json<Order>();
      assert.ok(agentEarly.allowedActions.includes('cancel'), 'cancel is offered before work started');
      const cancelled = await step(early, 'cancel', agent, { reason: '住户撤回' });
      assert.equal(cancelled.status, 'cancelled');
    });
  });

  describe('merge targets', () => {
    it('refuses to merge into an order that is over, naming mergeInto, and writes nothing', async () => {
      const over: [string, (o: Order) => Promise<Order>][] = [
        ['cancelled', (o) => step(o, 'cancel', agent, { reason: '撤回' })],
        ['referred', (o) => step(o, 'refer', agent, { referredTo: '供电局' })],
        ['not_actionable', (o) => step(o, 'dismiss', agent, { reason: '非社区事项' })],
        ['duplicate', async (o) => step(o, 'merge', agent, { mergeInto: (await newOrder('另一个单子')).id })],
        [
          'closed',
          async (o) => {
            let x = await step(o, 'dispatch', dispatcher, { assigneeId: providerId });
            x = await step(x, 'resolve', provider, { note: '修好了' });
            return step(x, 'confirm', agent, { rating: 4 });
          },
        ],
        [
          'resolved',
          async (o) => {
            const x = await step(o, 'dispatch', dispatcher, { assigneeId: providerId });
            return step(x, 'resolve', provider, { note: '修好了' });
          },
        ],
      ];
      for (const [status, finish] of over) {
        const target = await finish(await newOrder(`目标 ${status}`));
        assert.equal(target.status, status);
        const fresh = await newOrder(`新报 ${status}`);
        const before = await counts();
        const res = await act(fresh, 'merge', agent, { mergeInto: target.id });
        assert.equal(res.statusCode, 400, `${status}: ${res.body}`);
        const err = res.json<ErrorBody>();
        assert.equal(err.error.code, 'invalid_input');
        assert.equal(err.error.details?.field, 'mergeInto');
        assert.ok(err.error.message.includes(status), err.error.message);
        assert.deepEqual(await counts(), before, status);
      }
    });

    it('still merges into an order being worked', async () => {
      let target = await newOrder('电梯异响');
      target = await step(target, 'dispatch', dispatcher, { assigneeId: providerId });
      target = await step(target, 'start', provider);
      const dup = await step(await newOrder('电梯有怪声'), 'merge', agent, { mergeInto: target.id });
      assert.equal(dup.status, 'duplicate');
    });
  });

  describe('residentId', () => {
    it('an empty residentId is refused naming the field, and writes nothing', async () => {
      const before = await counts();
      const res = await create({ channel: 'hotline', description: '路灯不亮', residentId: '' });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json<ErrorBody>().error.details?.field, 'residentId');
      assert.deepEqual(await counts(), before);
      const named = await create({
        channel: 'hotline',
        description: '路灯不亮',
        residentId: await residentIdByPhone(ctx, '13800000001'),
      });
      assert.equal(named.json<Order>().proxy, true);
      const none = await create({ channel: 'hotline', description: '路灯不亮' });
      assert.equal(none.json<Order>().proxy, false);
      assert.equal(none.json<Order>().beneficiary, null);
    });
  });

  describe('export and notes in the OpenAPI document', () => {
    it('the export documents its filters but no paging, exports the whole filtered list and refuses paging', async () => {
      const doc = (await ctx.call('GET', '/openapi.json')).json<OpenApiDoc>();
      const names = (doc.paths['/api/v1/work-orders/export.csv']?.get?.parameters ?? [])
        .filter((p) => p.in === 'query')
        .map((p) => p.name);
      assert.ok(names.includes('status') && names.includes('q'), names.join());
      assert.ok(!names.includes('limit') && !names.includes('cursor'), names.join());
      const listed = (doc.paths['/api/v1/work-orders']?.get?.parameters ?? []).map((p) => p.name);
      assert.ok(listed.includes('limit') && listed.includes('cursor'), 'the list still pages');

      const manager = await ctx.login('manager');
      const csv = await ctx.call('GET', '/api/v1/work-orders/export.csv', manager);
      assert.equal(csv.statusCode, 200);
      const rows =
        csv.body
          .replace(/^\ufeff/, '')
          .trim()
          .split('\r\n').length - 1;
      assert.ok(rows > 1, `${rows} rows`);
      for (const q of ['limit=1', 'cursor=abc', 'bogus=1']) {
        const res = await ctx.call('GET', `/api/v1/work-orders/export.csv?${q}`, manager);
        assert.equal(res.statusCode, 400, q);
        assert.equal(res.json<ErrorBody>().error.code, 'validation_failed');
        assert.equal(res.json<ErrorBody>().error.details?.field, q.split('=')[0]);
      }
      const list = await ctx.call('GET', '/api/v1/work-orders?bogus=1', manager);
      assert.equal(list.json<ErrorBody>().error.details?.field, 'bogus', 'the same as the list');
    });

    it('a note without visibility is internal, and the document says so', async () => {
      const doc = (await ctx.call('GET', '/openapi.json')).json<OpenApiDoc>();
      const schema =
        doc.paths['/api/v1/work-orders/{id}/notes']?.post?.requestBody?.content['application/json']?.schema;
      assert.ok(schema, 'the notes body is documented');
      assert.deepEqual(schema.required, ['text']);
      assert.equal(schema.properties.visibility?.default, 'internal');

      const resident = await ctx.residentLogin('13800000003');
      const o = await newOrder('小区门禁坏了', resident);
      const res = await ctx.call('POST', `/api/v1/work-orders/${o.id}/notes`, agent, {
        text: '先别告诉住户',
      });
      assert.equal(res.statusCode, 201);
      const mine = (await ctx.call('GET', `/api/v1/work-orders/${o.id}`, resident)).json<Order>();
      assert.ok(
        !(mine.timeline ?? []).some((e) => e.note === '先别告诉住户'),
        'the resident does not see it',
      );
      const staff = (await ctx.call('GET', `/api/v1/work-orders/${o.id}`, agent)).json<Order>();
      assert.ok(
        (staff.timeline ?? []).some((e) => e.type === 'note' && e.note === '先别告诉住户'),
        'staff see an internal note',
      );
    });
  });
});

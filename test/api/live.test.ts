import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, userId } from '../helpers.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import type { BuiltApp } from '../../src/platform/http/app.ts';
import type { TestContext } from '../helpers.ts';

/** Reads server-sent events from a real socket until `want` returns true or time runs out. */
async function readEvents(
  url: string,
  token: string,
  want: (events: { event: string; data: string; id?: string }[]) => boolean,
  options: { lastEventId?: string; waitMs?: number } = {},
) {
  const ctrl = new AbortController();
  const res = await fetch(url, {
    headers: {
      authorization: `Bearer ${token}`,
      ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
    },
    signal: ctrl.signal,
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = res.body?.getReader();
  assert.ok(reader);
  const events: { event: string; data: string; id?: string }[] = [];
  let buf = '';
  const deadline = setTimeout(() => ctrl.abort(), options.waitMs ?? 10_000);
  try {
    while (!want(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += new TextDecoder().decode(value);
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        const id = /^id: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data, ...(id ? { id } : {}) });
      }
    }
  } catch {
    // aborted at the deadline
  } finally {
    clearTimeout(deadline);
    ctrl.abort();
  }
  return events;
}

describe('live queue: server-sent events', () => {
  let ctx: TestContext;
  let base: string;
  before(async () => {
    ctx = await createTestContext({ orders: 5 });
    base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => ctx.close());

  it('tells a dispatcher about a new order in their community, not about another community', async () => {
    const dispatcher = await ctx.login('dispatcher');
    const agent = await ctx.login('agent');
    const agent2 = await ctx.login('agent2');
    ctx.clock.advance(1000);
    const reading = readEvents(`${base}/api/v1/events`, dispatcher, (es) =>
      es.some((e) => e.data.includes('"submitted"')),
    );
    await new Promise((r) => setTimeout(r, 300));
    ctx.clock.advance(1000);
    await ctx.call('POST', '/api/v1/work-orders', agent2, {
      channel: 'hotline',
      description: '龙珠社区的路灯坏了',
    });
    const mine = (
      await ctx.call('POST', '/api/v1/work-orders', agent, {
        channel: 'hotline',
        description: '桃源社区的路灯坏了',
        category: 'basic_living.property',
      })
    ).json() as { id: string; number: string };
    const events = await reading;
    const orders = events
      .filter((e) => e.event === 'work_order')
      .map((e) => JSON.parse(e.data) as { id: string; number: string });
    assert.ok(
      orders.some((o) => o.id === mine.id),
      'the new order arrived',
    );
    assert.ok(
      orders.every((o) => o.number.startsWith('TAOYUAN')),
      'nothing from the other community',
    );
  });

  it('pages changes of one instant by id, so a full page of them never holds the stream in place', async () => {
    const agent = await ctx.login('agent');
    ctx.clock.advance(60_000);
    const since = ctx.clock.now().toISOString();
    // The test clock stands still: these three orders carry the same stamp.
    for (const d of ['同一时刻一', '同一时刻二', '同一时刻三']) {
      const r = await ctx.call('POST', '/api/v1/work-orders', agent, { channel: 'hotline', description: d });
      assert.equal(r.statusCode, 201, r.body);
    }
    const scope = { communityIds: ctx.seed.communities.map((c) => c.id) };
    const first = await ctx.services.workOrders.changedSince(scope, since, 2);
    assert.equal(first.length, 2);
    assert.equal(first[0]?.updated_at, first[1]?.updated_at);
    const last = first[1];
    assert.ok(last);
    const rest = await ctx.services.workOrders.changedSince(scope, last.updated_at, 2, last.id);
    assert.equal(rest.length, 1);
    assert.ok(!first.some((r) => r.id === rest[0]?.id));
  });

  it('ends the stream when the caller is moved to other communities (no events of the old scope)', async () => {
    const dispatcher = await ctx.login('dispatcher');
    const streetAdmin = await ctx.login('street_admin');
    const agent = await ctx.login('agent');
    const id = await userId(ctx, 'dispatcher');
    ctx.clock.advance(1000);
    const reading = readEvents(`${base}/api/v1/events`, dispatcher, (es) =>
      es.some((e) => e.event === 'scope_changed' || e.data.includes('桃源社区的井盖松了')),
    );
    await new Promise((r) => setTimeout(r, 300));
    const moved = await ctx.call('PATCH', `/api/v1/staff/${id}`, streetAdmin, { communityIds: ['longzhu'] });
    assert.equal(moved.statusCode, 200, moved.body);
    ctx.clock.advance(1000);
    const created = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '桃源社区的井盖松了',
    });
    assert.equal(created.statusCode, 201, created.body);
    const { number } = created.json() as { number: string };
    const events = await reading;
    assert.ok(
      events.some((e) => e.event === 'scope_changed'),
      JSON.stringify(events.map((e) => e.event)),
    );
    assert.ok(!events.some((e) => e.data.includes(number)), 'an order of the old scope was sent');
    // Reconnecting gives the new scope.
    const me = await ctx.call('GET', '/api/v1/me', dispatcher);
    assert.deepEqual(
      (me.json() as { communities: { code: string }[] }).communities.map((c) => c.code),
      ['longzhu'],
    );
  });

  it('refuses anonymous callers and residents', async () => {
    assert.equal((await fetch(`${base}/api/v1/events`)).status, 401);
    const resident = await ctx.residentLogin('13800000001');
    assert.equal(
      (await fetch(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${resident}` } })).status,
      403,
    );
  });
});

describe('live queue across app nodes', () => {
  let ctx: TestContext;
  let other: BuiltApp;
  let baseA: string;
  let baseB: string;
  before(async () => {
    ctx = await createTestContext({ orders: 0 });
    other = await buildApp(ctx.deps);
    baseA = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    baseB = await other.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await other.app.close();
    await ctx.close();
  });

  it('a stream that moves to another node (Last-Event-ID) gets the orders committed while it reconnected', async () => {
    const dispatcher = await ctx.login('dispatcher');
    const agent = await ctx.login('agent');
    const create = async (description: string) => {
      ctx.clock.advance(1000);
      const r = await ctx.call('POST', '/api/v1/work-orders', agent, { channel: 'hotline', description });
      assert.equal(r.statusCode, 201, r.body);
      return (r.json() as { id: string }).id;
    };
    // On the first node: the stream sees an order, and the node goes away.
    let first = '';
    const readingA = readEvents(`${baseA}/api/v1/events`, dispatcher, (es) =>
      es.some((e) => first !== '' && e.data.includes(first)),
    );
    await new Promise((r) => setTimeout(r, 300));
    first = await create('换节点之前：楼道灯不亮');
    const seen = (await readingA).filter((e) => e.event === 'work_order');
    const lastEventId = seen[seen.length - 1]?.id;
    assert.ok(lastEventId, 'each event carries an id to resume from');
    // While the browser waits its retry delay, an order is filed (on any node).
    const gap = await create('重连期间：电梯困人了');
    ctx.clock.advance(1000);
    // It reconnects to the second node, saying where it was.
    const resumed = await readEvents(
      `${baseB}/api/v1/events`,
      dispatcher,
      (es) => es.some((e) => e.data.includes(gap)),
      { lastEventId, waitMs: 4_000 },
    );
    assert.ok(
      resumed.some((e) => e.event === 'work_order' && e.data.includes(gap)),
      'the order filed while the stream reconnected was sent',
    );
    assert.ok(
      !resumed.some((e) => e.event === 'work_order' && e.data.includes(first)),
      'the last event the client had is not sent again',
    );
  });

  it('resuming with nothing changed meanwhile sends nothing again', async () => {
    const dispatcher = await ctx.login('dispatcher');
    const agent = await ctx.login('agent');
    ctx.clock.advance(1000);
    let id = '';
    const reading = readEvents(`${baseA}/api/v1/events`, dispatcher, (es) =>
      es.some((e) => id !== '' && e.data.includes(id)),
    );
    await new Promise((r) => setTimeout(r, 300));
    const r = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '井盖松动',
    });
    id = (r.json() as { id: string }).id;
    const seen = (await reading).filter((e) => e.event === 'work_order');
    const lastEventId = seen[seen.length - 1]?.id;
    assert.match(lastEventId ?? '', new RegExp(`/${id}$`));
    const again = await readEvents(`${baseB}/api/v1/events`, dispatcher, () => false, {
      lastEventId,
      waitMs: 2_500,
    });
    assert.deepEqual(
      again.filter((e) => e.event === 'work_order'),
      [],
    );
  });
});

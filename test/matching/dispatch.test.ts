import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { HAZARD, WATER, dispatchCalls, type Assignments, type Order } from './dispatch-helpers.ts';
import { lockOrders } from '../../src/modules/work-orders/work-order.repository.ts';
import { closeAssignments } from '../../src/modules/matching/dispatch.repository.ts';

describe('dispatch: auto, accept, reject, timeout, load balancing', () => {
  let ctx: TestContext;
  let dispatcher: string;
  let manager: string;
  const { create, get, assignments, loginAs } = dispatchCalls(
    () => ctx,
    () => dispatcher,
  );

  before(async () => {
    ctx = await createTestContext();
    dispatcher = await ctx.login('dispatcher');
    manager = await ctx.login('manager');
  });
  after(() => ctx.close());

  it('dispatches with { auto: true } to a named person of the best resource', async () => {
    const o = await create(WATER);
    assert.equal(o.status, 'submitted', 'water repairs wait in the queue by default');
    const res = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/dispatch`, dispatcher, {
      version: o.version,
      auto: true,
    });
    assert.equal(res.statusCode, 200, res.body);
    const d = res.json() as Order;
    assert.equal(d.status, 'dispatched');
    assert.ok(d.assignee?.id);
    const [a] = await assignments(o.id);
    assert.equal(a?.lane, 'auto');
    assert.equal(a?.state, 'pending');
    assert.equal(a?.resourceCode, 'taoyuan-water-electric');
    assert.ok(a?.deadlineAt);

    // The assignee accepts: the deadline stops and a timer never fires for it.
    const worker = await loginAs(d.assignee?.id ?? '');
    const acc = await ctx.call('POST', `/api/v1/work-orders/${o.id}/assignment/accept`, worker);
    assert.equal(acc.statusCode, 200, acc.body);
    assert.equal((acc.json() as Assignments).assignments[0]?.state, 'accepted');
    ctx.clock.advance(2 * 3_600_000);
    assert.equal(await ctx.services.dispatch.processDue(), 0);
    assert.equal((await get(o.id)).assignee?.id, d.assignee?.id);
  });

  it('refuses a manual assignee who does not serve the community, naming the field', async () => {
    const o = await create(WATER);
    const res = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/dispatch`, dispatcher, {
      version: o.version,
      assigneeId: await userId(ctx, 'provider2'),
    });
    assert.equal(res.statusCode, 400);
    const err = (res.json() as { error: { code: string; details: { field: string } } }).error;
    assert.equal(err.details.field, 'assigneeId');
    assert.equal((await assignments(o.id)).length, 0, 'nothing half-written');
  });

  it('auto-dispatches by rule on create; a rejection goes straight to the next person', async () => {
    const o = await create(HAZARD);
    assert.equal(o.status, 'dispatched', 'safety orders are dispatched on create');
    const first = o.assignee?.id ?? '';
    const token = await loginAs(first);
    const res = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/reject`, token, {
      version: o.version,
      reason: '我今天在外区支援，无法到场',
    });
    assert.equal(res.statusCode, 200, res.body);
    const now = await get(o.id);
    assert.equal(now.status, 'dispatched');
    assert.ok(now.assignee && now.assignee.id !== first, 'another person has it');
    const hist = await assignments(o.id);
    assert.equal(hist[0]?.state, 'rejected');
    assert.equal(hist[0]?.responseNote, '我今天在外区支援，无法到场');
    assert.equal(hist[1]?.state, 'pending');
    assert.equal(hist[1]?.attempt, 2);
  });

  it('moves to the next candidate when nobody accepts in time, then back to the queue', async () => {
    const o = await create(HAZARD);
    assert.equal(o.status, 'dispatched');
    const seen = new Set([o.assignee?.id]);
    for (let i = 0; i < 10; i++) {
      ctx.clock.advance(301_000);
      await ctx.services.dispatch.processDue();
      const cur = await get(o.id);
      if (cur.status !== 'dispatched') break;
      assert.ok(!seen.has(cur.assignee?.id), 'never the same person twice');
      seen.add(cur.assignee?.id);
    }
    const last = await get(o.id);
    assert.equal(last.status, 'accepted', 'with every candidate tried, the dispatcher decides');
    assert.equal(last.assignee, null);
    const hist = await assignments(o.id);
    assert.ok(hist.length >= 2);
    assert.ok(hist.every((a) => a.state === 'timed_out'));
    const timeline = last.timeline ?? [];
    assert.ok(timeline.some((e) => e.type === 'transfer' && e.note?.includes('未接单')));
  });

  it('balances load fairly over many orders (least loaded among equals)', async () => {
    const rules = await ctx.call('PUT', '/api/v1/dispatch/rules?community=taoyuan', manager, {
      rules: [
        { name: '紧急通道', category: null, urgencies: ['critical'], mode: 'emergency', acceptTimeoutS: 120 },
        { name: '水电自动', category: 'basic_living.water_electric', mode: 'auto', acceptTimeoutS: 900 },
      ],
    });
    assert.equal(rules.statusCode, 200, rules.body);
    // Give the team room for the whole batch (this also exercises the update API).
    const list = await ctx.call('GET', '/api/v1/resources?community=taoyuan', manager);
    const team = (list.json() as { items: Array<Record<string, unknown> & { code: string }> }).items.find(
      (r) => r.code === 'taoyuan-water-electric',
    );
    assert.ok(team);
    const { id, communityId, active, updatedAt, staff, ...rest } = team as Record<string, unknown>;
    void communityId;
    void active;
    void updatedAt;
    const put = await ctx.call('PUT', `/api/v1/resources/${String(id)}`, manager, {
      ...rest,
      capacity: { concurrent: 200, dailyQuota: 400 },
      staff: (staff as Array<{ username: string }>).map((s) => s.username),
    });
    assert.equal(put.statusCode, 200, put.body);

    const counts = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const o = await create({ ...WATER, description: `${WATER.description}（第 ${i + 1} 户）` });
      assert.equal(o.status, 'dispatched', `order ${i} dispatched on create`);
      const who = o.assignee?.id ?? '';
      counts.set(who, (counts.get(who) ?? 0) + 1);
    }
    const values = [...counts.values()];
    assert.ok(counts.size >= 3, `${counts.size} people shared the work`);
    assert.ok(Math.max(...values) - Math.min(...values) <= 1, `spread ${values.join(',')}`);
  });

  it('keeps the audit chain intact through automatic dispatch, rejection and timeouts', async () => {
    const auditor = await ctx.login('auditor');
    const res = await ctx.call(
      'GET',
      `/api/v1/audit/verify?community=${ctx.seed.communities[0]?.id ?? ''}`,
      auditor,
    );
    assert.equal((res.json() as { ok: boolean }).ok, true);
  });

  it('a person acting on orders while their acceptance deadlines fire: each goes one way, never a 5xx', async () => {
    // Water orders: the rules and the team's room set by the load-balancing test above (15 min to accept).
    const made = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        create({ ...WATER, description: `${WATER.description}（竞态 ${i + 1}）` }),
      ),
    );
    const dispatched = made.filter((o) => o.status === 'dispatched');
    assert.ok(dispatched.length >= 12, `${dispatched.length} of 24 dispatched`);
    ctx.clock.advance(901_000);
    // Two nodes' timeout workers and the dispatcher taking the orders back, all at once.
    const [actions] = await Promise.all([
      Promise.all(
        dispatched.map((o) =>
          ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/transfer`, dispatcher, {
            version: o.version,
            reason: '改由调度台重新安排',
          }),
        ),
      ),
      ctx.services.dispatch.processDue(100),
      ctx.services.dispatch.processDue(100),
    ]);
    for (const r of actions)
      assert.ok(r.statusCode === 200 || r.statusCode === 409, `${r.statusCode} ${r.body}`);
    for (const o of dispatched) {
      const pending = (await assignments(o.id)).filter((a) => a.state === 'pending' && a.attempt === 1);
      assert.deepEqual(pending, [], 'the first assignment was closed one way or the other');
    }
    const res = await ctx.call('GET', '/api/v1/audit/verify?community=taoyuan', await ctx.login('auditor'));
    assert.equal((res.json() as { ok: boolean }).ok, true);
  });

  it('a timeout worker waits for an order a person holds, so the two never deadlock', async () => {
    // The earlier tests' orders time out to their last candidate and back to the queue first,
    // so this order's deadline is the only one due.
    do ctx.clock.advance(901_000);
    while ((await ctx.services.dispatch.processDue(1000)) > 0);
    const o = await create({ ...WATER, description: `${WATER.description}（锁序）` });
    assert.equal(o.status, 'dispatched');
    ctx.clock.advance(901_000);
    const at = ctx.clock.now().toISOString();
    let worker: Promise<number> | undefined;
    // A person's action, as the work-order service runs it: the order locked first, then, a
    // moment later, the order's assignment closed. Meanwhile the timeout worker starts.
    await ctx.database.db.transaction().execute(async (trx) => {
      await lockOrders(trx, ctx.database.dialect, [o.id]);
      worker = ctx.services.dispatch.processDue(100);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await closeAssignments(trx, o.id, 'cancelled', at), 1);
    });
    // The worker found the assignment closed: it fired nothing.
    assert.equal(await worker, 0);
    const first = (await assignments(o.id))[0];
    assert.equal(first?.state, 'cancelled');
  });
});

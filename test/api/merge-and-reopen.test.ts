/**
 * Merging (duplicate, 合并) and reopening: what happens to duplicates when the order they were
 * merged into is closed, cancelled, merged on or resolved, and how repeats and reopens weigh in
 * the priority.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { SlaTables } from '../../src/modules/sla/sla.tables.ts';
import type { FeedbackTables } from '../../src/modules/feedback/feedback.tables.ts';

interface View {
  id: string;
  number: string;
  status: string;
  version: number;
  mergedInto: string | null;
  referredTo: string | null;
  closureReason: string | null;
  priority: string;
  reopenCount: number;
  timeline?: {
    type: string;
    fromStatus: string | null;
    toStatus: string | null;
    note: string | null;
    actor: { name: string | null };
  }[];
}

describe('merge and reopen', () => {
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

  const create = async (token: string, description: string, extra: Record<string, unknown> = {}) => {
    const r = await ctx.call('POST', '/api/v1/work-orders', token, {
      channel: token === agent ? 'hotline' : 'miniapp',
      description,
      category: 'basic_living.property',
      ...extra,
    });
    assert.equal(r.statusCode, 201, r.body);
    return r.json<View>();
  };
  const act = (o: View, action: string, token: string, body: Record<string, unknown> = {}) =>
    ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/${action}`, token, { version: o.version, ...body });
  const step = async (o: View, action: string, token: string, body: Record<string, unknown> = {}) => {
    const r = await act(o, action, token, body);
    assert.equal(r.statusCode, 200, `${action}: ${r.body}`);
    return r.json<View>();
  };
  const get = async (id: string, token = agent) => {
    const r = await ctx.call('GET', `/api/v1/work-orders/${id}`, token);
    assert.equal(r.statusCode, 200, r.body);
    return r.json<View>();
  };
  const row = (id: string) =>
    ctx.database.db.selectFrom('work_orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const events = (id: string) =>
    ctx.database.db
      .selectFrom('work_order_events')
      .selectAll()
      .where('work_order_id', '=', id)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  const audits = (id: string) =>
    ctx.database.db
      .selectFrom('audit_entries')
      .select(['action', 'payload_json'])
      .where('entity_id', '=', id)
      .orderBy('seq')
      .execute();
  const messages = (orderId: string) =>
    ctx.database.db
      .selectFrom('outbox')
      .select(['template', 'recipient_id', 'payload_json'])
      .where('payload_json', 'like', `%${orderId}%`)
      .orderBy('created_at')
      .execute();
  /** A resident's order D merged into an agent's order E. */
  const mergedPair = async (what: string) => {
    const resident = await ctx.residentLogin('13800000001');
    const d = await create(resident, `${what}（住户D）`);
    const e = await create(agent, `${what}（热线E）`);
    await step(d, 'merge', agent, { mergeInto: e.id });
    return { resident, d: await get(d.id), e: await get(e.id) };
  };

  it('a duplicate follows its target when the target is referred: same destination, its own event, audit, version and message', async () => {
    const { d, e } = await mergedPair('小区外路灯不亮，归市政管');
    await step(e, 'refer', dispatcher, { referredTo: '区市政管理处' });
    const now = await row(d.id);
    assert.equal(now.status, 'referred');
    assert.equal(now.referred_to, '区市政管理处');
    assert.equal(now.closure_reason, 'referred');
    assert.equal(now.version, d.version + 1);
    const last = (await events(d.id)).at(-1);
    assert.equal(last?.type, 'refer');
    assert.equal(last?.from_status, 'duplicate');
    assert.equal(last?.to_status, 'referred');
    assert.equal(last?.visibility, 'public');
    const audit = (await audits(d.id)).at(-1);
    assert.equal(audit?.action, 'work_order.refer');
    assert.equal(JSON.parse(audit?.payload_json ?? '{}').followed, e.id);
    assert.ok(
      (await messages(d.id)).some(
        (m) => m.template === 'order_referred' && m.recipient_id === now.reporter_id,
      ),
      "D's resident is told their order was referred",
    );
  });

  it('a duplicate follows its target when the target is dismissed as not actionable, with the same reason', async () => {
    const { d, e } = await mergedPair('要求拆除邻居合法搭建');
    await step(e, 'dismiss', dispatcher, { reason: '不属于社区受理范围' });
    const now = await row(d.id);
    assert.equal(now.status, 'not_actionable');
    assert.equal(now.closure_reason, '不属于社区受理范围');
    assert.ok((await messages(d.id)).some((m) => m.template === 'order_not_actionable'));
    assert.equal((await audits(d.id)).at(-1)?.action, 'work_order.dismiss');
  });

  it('cancelling the target returns each duplicate to the queue, unmerged, told, and seen by the lifecycle hooks', async () => {
    const { resident, d, e } = await mergedPair('水管漏水');
    const d2 = await create(agent, '水管漏水（热线D2）');
    await step(d2, 'merge', agent, { mergeInto: e.id });
    await step(await get(e.id), 'cancel', agent, { reason: 'E 的报告人撤回' });
    for (const id of [d.id, d2.id]) {
      const now = await row(id);
      assert.equal(now.status, 'accepted', `${id} is worked again`);
      assert.equal(now.merged_into, null);
      assert.equal(now.closed_at, null);
      assert.equal(now.closure_reason, null);
      assert.equal(now.assignee_id, null);
      assert.equal(now.reopen_count, 0, 'not a "not fixed" reopen');
      const audit = (await audits(id)).filter((x) => x.action === 'work_order.reopen').at(-1);
      assert.ok(audit, 'the return is in the audit chain');
      assert.equal(JSON.parse(audit?.payload_json ?? '{}').unmergedFrom, e.id);
      const sla = await ctx.database.db
        .withTables<SlaTables>()
        .selectFrom('sla_order_metrics')
        .select('history_json')
        .where('work_order_id', '=', id)
        .executeTakeFirst();
      if (sla) assert.match(sla.history_json, /reopened/, 'the SLA hook saw the return to the queue');
      const metrics = await ctx.database.db
        .withTables<SlaTables>()
        .selectFrom('sla_order_metrics')
        .select(['sla_status', 'resolution_due_at', 'reopen_count'])
        .where('work_order_id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(metrics.sla_status, 'open', 'its deadlines are owed again');
      assert.ok(metrics.resolution_due_at, 'with a resolution deadline');
      assert.equal(metrics.reopen_count, 0, 'not counted as "not fixed" by the SLA either');
      const armed = await ctx.database.db
        .withTables<SlaTables>()
        .selectFrom('sla_timers')
        .select('id')
        .where('work_order_id', '=', id)
        .where('status', '=', 'pending')
        .execute();
      assert.ok(armed.length > 0, 'a timer is armed for it');
      const visits = await ctx.database.db
        .withTables<FeedbackTables>()
        .selectFrom('return_visits')
        .select('id')
        .where('work_order_id', '=', id)
        .execute();
      assert.equal(visits.length, 0, 'no return visit about a fix that never was');
    }
    const mine = await get(d.id, resident);
    const note = mine.timeline?.at(-1);
    assert.equal(note?.toStatus, 'accepted');
    assert.match(note?.note ?? '', /撤销/);
    assert.equal(note?.actor.name, null, "the other reporter's name is not shown to D's resident");
    assert.ok((await messages(d.id)).some((m) => m.template === 'order_accepted_reopen'));
    const again = await step(mine, 'dispatch', dispatcher, { assigneeId: providerId });
    assert.equal(again.status, 'dispatched', 'the returned order can be dispatched');
  });

  it('a resident withdrawing their own target does not close the reports merged into it', async () => {
    const owner = await ctx.residentLogin('13800000003');
    const e = await create(owner, '楼道堆物（住户E）');
    const d = await create(agent, '楼道堆物（热线D）');
    await step(d, 'merge', agent, { mergeInto: e.id });
    await step(await get(e.id, owner), 'cancel', owner, { reason: '不需要了' });
    assert.equal((await row(d.id)).status, 'accepted');
  });

  it('a merge into an order racing with its cancellation never leaves a duplicate of a cancelled order', async () => {
    for (let i = 0; i < 3; i++) {
      const e = await create(agent, `并发撤销E${i}`);
      const x = await create(agent, `并发合并X${i}`);
      const [merge, cancel] = await Promise.all([
        act(x, 'merge', agent, { mergeInto: e.id }),
        act(e, 'cancel', agent, { reason: '撤回' }),
      ]);
      assert.ok([200, 400].includes(merge.statusCode), merge.body);
      // The merge raises E's priority (a new version): a cancel that lost the race is told to reload.
      if (cancel.statusCode !== 200) {
        assert.equal(cancel.json<{ error: { code: string } }>().error.code, 'version_conflict', cancel.body);
        await step(await get(e.id), 'cancel', agent, { reason: '撤回' });
      }
      const xNow = await row(x.id);
      assert.equal(xNow.status, merge.statusCode === 200 ? 'accepted' : 'submitted', merge.body);
      assert.equal(xNow.merged_into, null);
    }
  });

  it("merging B into C carries B's duplicates along: they point at C, which counts them all", async () => {
    const resident = await ctx.residentLogin('13800000001');
    const a = await create(resident, '楼道灯坏了（住户A）');
    const b = await create(agent, '楼道灯坏了（热线B）');
    const c = await create(agent, '楼道灯坏了（热线C）');
    await step(a, 'merge', agent, { mergeInto: b.id });
    const aBefore = await row(a.id);
    await step(await get(b.id), 'merge', agent, { mergeInto: c.id });
    const aNow = await row(a.id);
    assert.equal(aNow.merged_into, c.id);
    assert.equal(aNow.status, 'duplicate');
    assert.equal(aNow.version, aBefore.version + 1);
    const last = (await events(a.id)).at(-1);
    assert.equal(last?.type, 'merge');
    assert.equal(JSON.parse(last?.data_json ?? '{}').mergeInto, c.id);
    assert.equal((await audits(a.id)).at(-1)?.action, 'work_order.merge');
    const bump = (await events(c.id)).filter((x) => x.type === 'reprioritized').at(-1);
    assert.equal(JSON.parse(bump?.data_json ?? '{}').repeats, 2, 'C counts B and A');
  });

  it('a reopen tells the resident with the reopen message, not "accepted"', async () => {
    const resident = await ctx.residentLogin('13800000001');
    let o = await create(resident, '门禁坏了');
    o = await step(o, 'dispatch', dispatcher, { assigneeId: providerId });
    o = await step(o, 'resolve', provider, { note: '修了' });
    o = await step(o, 'reopen', resident, { reason: '还是坏的' });
    const templates = (await messages(o.id)).map((m) => m.template).filter((t) => t.startsWith('order_'));
    assert.ok(templates.includes('order_accepted_reopen'), templates.join(', '));
    assert.ok(!templates.includes('order_accepted'), templates.join(', '));
  });

  it('correcting the category keeps the priority the merged repeats gave', async () => {
    const b = await create(agent, '路灯坏了', { urgency: 'high' });
    for (let i = 0; i < 3; i++)
      await step(await create(agent, `路灯坏了${i}`), 'merge', agent, { mergeInto: b.id });
    const bumped = await row(b.id);
    assert.ok(bumped.priority_score > b.version, 'precondition');
    const r = await ctx.call('POST', `/api/v1/work-orders/${b.id}/classification`, dispatcher, {
      version: bumped.version,
      category: 'basic_living.property',
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.ok((await row(b.id)).priority_score >= bumped.priority_score);
  });

  it('a "not fixed" reopen counts as a repeat in the priority, recorded, and the answer carries the current version', async () => {
    let o = await create(agent, '下水道堵了', { urgency: 'normal' });
    const first = await row(o.id);
    o = await step(o, 'dispatch', dispatcher, { assigneeId: providerId });
    o = await step(o, 'resolve', provider, { note: '通了' });
    o = await step(o, 'reopen', agent, { reason: '又堵了' });
    const now = await row(o.id);
    assert.ok(now.priority_score > first.priority_score, `${first.priority_score} -> ${now.priority_score}`);
    assert.equal(o.version, now.version, 'the answer is the order as stored');
    const bump = (await events(o.id)).filter((x) => x.type === 'reprioritized').at(-1);
    assert.equal(JSON.parse(bump?.data_json ?? '{}').repeats, 1);
    assert.ok((await audits(o.id)).some((x) => x.action === 'work_order.reprioritized'));
    o = await step(o, 'dispatch', dispatcher, { assigneeId: providerId });
    assert.equal(o.status, 'dispatched');
  });

  it("resolving the target tells each duplicate's resident, naming their own order, without opening the target to them", async () => {
    const { resident, d, e } = await mergedPair('电梯停了');
    const t = await step(e, 'dispatch', dispatcher, { assigneeId: providerId });
    await step(t, 'resolve', provider, { note: '电梯已修复' });
    const dRow = await row(d.id);
    // Not the resolved message, which asks to confirm and rate: a duplicate is not theirs to rate.
    const told = (await messages(d.id)).filter((m) => m.template === 'order_duplicate_resolved');
    assert.equal(told.length, 1);
    assert.equal(told[0]?.recipient_id, dRow.reporter_id);
    const payload = JSON.parse(told[0]?.payload_json ?? '{}') as Record<string, unknown>;
    assert.equal(payload.number, d.number);
    assert.equal(payload.orderId, d.id);
    assert.ok(!JSON.stringify(payload).includes(e.id), 'nothing of the target in the message');
    const target = await ctx.call('GET', `/api/v1/work-orders/${e.id}`, resident);
    assert.equal(target.statusCode, 404);
    assert.equal((await row(d.id)).status, 'duplicate');
  });

  /** The SLA policy an order is timed by, and its first-response deadline. */
  const slaOf = (id: string) =>
    ctx.database.db
      .withTables<SlaTables>()
      .selectFrom('sla_order_metrics')
      .select(['policy_id', 'priority', 'first_response_due_at', 'resolution_due_at', 'sla_status'])
      .where('work_order_id', '=', id)
      .executeTakeFirstOrThrow();
  /** A high-urgency order for 王秀英 (elderly living alone, chronic illness: 16 points): 56, P2. */
  const nearP1 = async (description: string) => {
    const o = await create(agent, description, {
      urgency: 'high',
      residentId: await residentIdByPhone(ctx, '13800000001'),
    });
    assert.equal(o.priority, 'P2', 'precondition');
    assert.equal((await slaOf(o.id)).policy_id, 'default-p2', 'precondition');
    return o;
  };
  const minutesAfter = (from: string, to: string | null) =>
    (Date.parse(to ?? '') - Date.parse(from)) / 60_000;

  it('a merge that raises the target to P1 times it by the P1 policy: round the clock, 15 minutes to answer', async () => {
    const e = await nearP1('独居老人家门锁坏了进不了门');
    const d = await create(agent, '独居老人门锁坏了（邻居来电）');
    await step(d, 'merge', agent, { mergeInto: e.id });
    const now = await row(e.id);
    assert.equal(now.priority, 'P1');
    const sla = await slaOf(e.id);
    assert.equal(sla.policy_id, 'default-p1');
    assert.equal(sla.priority, 'P1');
    assert.equal(minutesAfter(now.created_at, sla.first_response_due_at), 15);
    assert.equal(minutesAfter(now.created_at, sla.resolution_due_at), 240);
  });

  it('a "not fixed" reopen that raises the order to P1 times the reopened work by the P1 policy', async () => {
    let o = await nearP1('独居老人家里暖气不热');
    o = await step(o, 'dispatch', dispatcher, { assigneeId: providerId });
    o = await step(o, 'resolve', provider, { note: '排了气' });
    o = await step(o, 'reopen', agent, { reason: '还是不热' });
    assert.equal(o.priority, 'P1');
    const sla = await slaOf(o.id);
    assert.equal(sla.policy_id, 'default-p1');
    assert.equal(sla.sla_status, 'open', 'its clocks run again');
    const armed = await ctx.database.db
      .withTables<SlaTables>()
      .selectFrom('sla_timers')
      .select('id')
      .where('work_order_id', '=', o.id)
      .where('status', '=', 'pending')
      .execute();
    assert.ok(armed.length > 0, 'a timer is armed for it');
  });
});

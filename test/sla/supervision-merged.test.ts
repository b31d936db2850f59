/**
 * A supervision (督办) open on an order merged into another as a duplicate follows the resident's
 * matter into the order it was merged into: moved there with its deadline and timer, or, when that
 * order is supervised already (one open supervision an order), folded into its supervision. Either
 * way on the target's timeline and in the audit chain, in the merge's transaction; nothing is
 * withdrawn. A cancelled order still withdraws its supervision (supervision-withdrawn.test.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { SlaTables } from '../../src/modules/sla/sla.tables.ts';
import { act, auditOk, createOrder, timelineTypes } from './sla-helpers.ts';
import type { OrderView } from './sla-helpers.ts';

const MINUTE = 60_000;

interface Supervision {
  id: string;
  orderId: string;
  status: string;
  dueAt: string;
}

describe('a supervision of a merged duplicate is carried over to the order it was merged into', () => {
  let ctx: TestContext;
  let agent: string;
  let manager: string;
  before(async () => {
    ctx = await createTestContext();
    agent = await ctx.login('agent');
    manager = await ctx.login('manager');
  });
  after(() => ctx.close());

  const report = (description: string) =>
    createOrder(ctx, agent, {
      channel: 'hotline',
      description,
      category: 'basic_living.appliance',
      urgency: 'normal',
    });
  const supervise = async (order: OrderView, dueInMinutes: number): Promise<Supervision> => {
    const res = await ctx.call('POST', `/api/v1/work-orders/${order.id}/supervisions`, manager, {
      reason: '居民多次反映，请尽快办理',
      dueInMinutes,
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as Supervision;
  };
  const supervisionsOf = async (orderId: string): Promise<Supervision[]> => {
    const res = await ctx.call('GET', `/api/v1/supervisions?order=${orderId}`, manager);
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Supervision[];
  };
  const audited = async (entityId: string, action: string) =>
    (
      await ctx.database.db
        .selectFrom('audit_entries')
        .select('payload_json')
        .where('entity_id', '=', entityId)
        .where('action', '=', action)
        .execute()
    ).map((r) => JSON.parse(r.payload_json) as Record<string, unknown>);
  const timerOf = (supervisionId: string) =>
    ctx.database.db
      .withTables<SlaTables>()
      .selectFrom('sla_timers')
      .select(['status', 'work_order_id', 'due_at'])
      .where('key', '=', `supervision:${supervisionId}`)
      .executeTakeFirstOrThrow();

  it('moves the open supervision, its deadline and timer, to a target that has none', async () => {
    const provider = await userId(ctx, 'provider');
    const target = await act(ctx, await ctx.login('dispatcher'), await report('楼道灯不亮'), 'dispatch', {
      assigneeId: provider,
    });
    const duplicate = await report('三楼楼道的灯坏了');
    const s = await supervise(duplicate, 120);
    await act(ctx, agent, duplicate, 'merge', { mergeInto: target.id });

    assert.deepEqual(await supervisionsOf(duplicate.id), []);
    const moved = await supervisionsOf(target.id);
    assert.deepEqual(
      moved.map((x) => [x.id, x.orderId, x.status, x.dueAt]),
      [[s.id, target.id, 'open', s.dueAt]],
    );
    const dupTypes = await timelineTypes(ctx, duplicate.id);
    assert.ok(!dupTypes.includes('supervision_withdrawn'), dupTypes.join());
    assert.ok((await timelineTypes(ctx, target.id)).includes('supervision_moved'));
    const entries = await audited(target.id, 'sla.supervision_moved');
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.supervisionId, s.id);
    assert.equal(entries[0]?.fromOrderId, duplicate.id);
    assert.equal((await audited(duplicate.id, 'sla.supervision_withdrawn')).length, 0);
    const timer = await timerOf(s.id);
    assert.deepEqual([timer.status, timer.work_order_id, timer.due_at], ['pending', target.id, s.dueAt]);
    // The target's assignee, who had not heard of it, is told, about the target.
    const told = await ctx.database.db
      .selectFrom('outbox')
      .select(['payload_json'])
      .where('recipient_id', '=', provider)
      .where('template', '=', 'supervision_issued')
      .execute();
    assert.deepEqual(
      told.map((m) => (JSON.parse(m.payload_json) as { orderId: string }).orderId),
      [target.id],
    );

    // It is the target's supervision now: unanswered by its deadline, it turns overdue there.
    ctx.clock.advance(121 * MINUTE);
    await ctx.services.sla.timers.runDue();
    assert.deepEqual(
      (await supervisionsOf(target.id)).map((x) => x.status),
      ['overdue'],
    );
    assert.ok((await timelineTypes(ctx, target.id)).includes('supervision_overdue'));
    const answered = await ctx.call('POST', `/api/v1/supervisions/${s.id}/respond`, manager, {
      response: '已派人维修',
    });
    assert.equal(answered.statusCode, 200, answered.body);
    await auditOk(ctx, target.communityId);
  });

  it("keeps the target's own open supervision and records the duplicate's as folded into it", async () => {
    const target = await report('电梯异响');
    const duplicate = await report('二号楼电梯有怪声');
    const kept = await supervise(target, 240);
    const folded = await supervise(duplicate, 60);
    await act(ctx, agent, duplicate, 'merge', { mergeInto: target.id });

    assert.deepEqual(
      (await supervisionsOf(target.id)).map((x) => [x.id, x.status, x.dueAt]),
      [[kept.id, 'open', kept.dueAt]],
      'one open supervision, the target’s, its deadline unchanged',
    );
    assert.deepEqual(
      (await supervisionsOf(duplicate.id)).map((x) => [x.id, x.status]),
      [[folded.id, 'folded']],
    );
    const open = (await ctx.call('GET', '/api/v1/supervisions?status=open', manager)).json() as Supervision[];
    assert.ok(!open.some((x) => x.id === folded.id));
    const folds = (
      await ctx.call('GET', '/api/v1/supervisions?status=folded', manager)
    ).json() as Supervision[];
    assert.deepEqual(
      folds.map((x) => x.id),
      [folded.id],
    );
    assert.ok((await timelineTypes(ctx, target.id)).includes('supervision_folded'));
    assert.ok(!(await timelineTypes(ctx, duplicate.id)).includes('supervision_withdrawn'));
    const entries = await audited(target.id, 'sla.supervision_folded');
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.supervisionId, folded.id);
    assert.equal(entries[0]?.intoSupervisionId, kept.id);
    assert.equal(entries[0]?.fromOrderId, duplicate.id);
    assert.equal((await timerOf(folded.id)).status, 'cancelled');
    assert.equal((await timerOf(kept.id)).status, 'pending');

    // The folded one is answered through the target's; its deadline alerts nobody.
    const answered = await ctx.call('POST', `/api/v1/supervisions/${folded.id}/respond`, manager, {
      response: '已处理',
    });
    assert.equal(answered.statusCode, 409, answered.body);
    assert.match(answered.body, /folded/);
    ctx.clock.advance(61 * MINUTE);
    await ctx.services.sla.timers.runDue();
    assert.ok(!(await timelineTypes(ctx, duplicate.id)).includes('supervision_overdue'));
    await auditOk(ctx, target.communityId);
  });
});

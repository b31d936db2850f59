/**
 * SLA metrics stored before orders that leave unresolved were told apart: the migration replays
 * the timelines of cancelled, merged, referred and not-actionable orders (on both databases, in
 * pages) and stores what the SLA code stores for them now; other orders are not touched.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { createTestContext, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { SlaTables } from '../../src/modules/sla/sla.tables.ts';
import { staffOverTime } from '../sla/sla-helpers.ts';
import type { OrderView as O } from '../sla/sla-helpers.ts';
import { recomputeUnresolvedClosures } from '../../src/platform/db/migrations/2026120610_sla_unresolved_closures.ts';

const DAY = 24 * 60 * 60_000;

describe('migration 2026120610: SLA metrics of orders closed unresolved', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext();
  });
  after(() => ctx.close());

  it('recomputes the rows the earlier code wrote for them, across pages, and leaves the rest', async () => {
    const { create, act } = staffOverTime(() => ctx);
    const providerId = await userId(ctx, 'provider');

    ctx.clock.advance(DAY);
    const late = [
      await create('超时后合并'),
      await create('超时后撤回'),
      await create('超时后转办'),
      await create('超时后不予受理'),
    ];
    const stillOpen = await create('仍在处理');
    const resolved = await act('dispatcher', await create('已办结'), 'dispatch', { assigneeId: providerId });
    ctx.clock.advance(8 * DAY); // past both deadlines of the office-hours policy
    await ctx.services.sla.timers.runDue();
    const [mergedLate, cancelledLate, referredLate, dismissedLate] = late as [O, O, O, O];
    await act('agent', mergedLate, 'merge', { mergeInto: stillOpen.id });
    await act('agent', cancelledLate, 'cancel', { reason: '撤回' });
    await act('agent', referredLate, 'refer', { referredTo: '区供电局' });
    await act('agent', dismissedLate, 'dismiss', { reason: '非社区职责' });
    await act('provider', resolved, 'resolve', { note: '已清理' });
    await act('agent', await create('及时撤回'), 'cancel', { reason: '撤回' });
    await act('agent', await create('及时合并'), 'merge', { mergeInto: stillOpen.id });
    await act('agent', await create('及时转办'), 'refer', { referredTo: '区供电局' });
    await act('agent', await create('及时不予受理'), 'dismiss', { reason: '非社区职责' });
    const answered = await act('dispatcher', await create('派单后撤回'), 'dispatch', {
      assigneeId: providerId,
    });
    ctx.clock.advance(10 * 60_000);
    await act('agent', answered, 'cancel', { reason: '住户自行解决' });

    const db = ctx.database.db.withTables<SlaTables>();
    const rows = () => db.selectFrom('sla_order_metrics').selectAll().orderBy('work_order_id').execute();
    const expected = await rows();
    const unresolved = await db
      .selectFrom('work_orders')
      .select(['id', 'status', 'closed_at'])
      .where('status', 'in', ['cancelled', 'duplicate', 'referred', 'not_actionable'])
      .execute();
    assert.ok(unresolved.length >= 9, 'more orders than a page of 2');

    // As the earlier code stored them: every clock stopped by the closure as met unless breached,
    // referred and dismissed orders closed like resolved ones.
    for (const o of unresolved) {
      const m = expected.find((r) => r.work_order_id === o.id);
      assert.ok(m && o.closed_at, o.id);
      const closed = o.status === 'referred' || o.status === 'not_actionable';
      const history = (JSON.parse(m.history_json) as { type: string; at: string }[]).map((h) =>
        h.type === 'closed_unresolved' ? { ...h, type: 'closed' } : h,
      );
      await db
        .updateTable('sla_order_metrics')
        .set({
          sla_status: closed ? 'closed' : 'cancelled',
          first_response_met: m.first_response_met ?? 1,
          first_response_at: m.first_response_at ?? (m.first_response_met === null ? o.closed_at : null),
          resolution_met: m.resolution_met ?? 1,
          resolution_at: m.resolution_met === null ? o.closed_at : null,
          history_json: JSON.stringify(history),
        })
        .where('work_order_id', '=', o.id)
        .execute();
    }
    const legacy = await rows();
    assert.notDeepEqual(legacy, expected);

    const changed = await recomputeUnresolvedClosures(db as unknown as Kysely<unknown>, 2);
    const differing = legacy.filter((r, i) => JSON.stringify(r) !== JSON.stringify(expected[i]));
    assert.ok(differing.length >= 9, 'the orders of this test at least');
    assert.equal(changed, differing.length, 'only rows that differ are written');
    assert.deepEqual(await rows(), expected);
    const byId = new Map(expected.map((r) => [r.work_order_id, r]));
    const flags = (o: O) => [byId.get(o.id)?.first_response_met, byId.get(o.id)?.resolution_met];
    assert.deepEqual(flags(mergedLate), [0, 0], 'breaches before the merge stand');
    assert.deepEqual(flags(referredLate), [0, 0], 'breaches before the referral stand');
    assert.deepEqual(flags(answered), [1, null], 'answered on time, then cancelled');
    assert.equal(byId.get(referredLate.id)?.sla_status, 'closed_unresolved');
    assert.equal(byId.get(referredLate.id)?.resolution_at, null);

    assert.equal(
      await recomputeUnresolvedClosures(db as unknown as Kysely<unknown>, 2),
      0,
      'again: nothing to do',
    );
  });
});

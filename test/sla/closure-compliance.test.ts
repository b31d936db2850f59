/**
 * SLA compliance of orders that leave without a resolution. A deadline already breached stays
 * breached whatever closes the order afterwards (merge, cancel, refer, dismiss); a deadline still
 * running when an order is cancelled or merged was never owed and is left out; a referred or
 * not-actionable order was answered (first response) but not resolved, so it is no resolution met
 * and no resolution time.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { staffOverTime } from './sla-helpers.ts';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

interface Tally {
  met: number;
  breached: number;
}
interface ComplianceRow {
  total: number;
  firstResponse: Tally;
  resolution: Tally;
  avgResolutionMinutes: number | null;
}

describe('SLA compliance of merged, cancelled, referred and dismissed orders', () => {
  let ctx: TestContext;
  let providerId: string;
  const { call, create, act } = staffOverTime(() => ctx);
  before(async () => {
    ctx = await createTestContext();
    providerId = await userId(ctx, 'provider');
  });
  after(() => ctx.close());

  /** A fresh window one day on, so each case counts only its own orders. */
  const nextWindow = () => {
    ctx.clock.advance(DAY);
    return ctx.clock.now().toISOString();
  };
  const compliance = async (from: string): Promise<ComplianceRow | undefined> => {
    const to = new Date(ctx.clock.now().getTime() + MIN).toISOString();
    const q = `by=category&community=taoyuan&from=${from}&to=${to}`;
    const res = await call('manager', 'GET', `/api/v1/sla/compliance?${q}`);
    assert.equal(res.statusCode, 200, res.body);
    const rows = res.json<{ rows: ComplianceRow[] }>().rows;
    assert.ok(rows.length <= 1, 'one category');
    return rows[0];
  };
  const tallies = (r: ComplianceRow | undefined) => ({
    firstResponse: r?.firstResponse,
    resolution: r?.resolution,
  });
  /** Eight days on: past both deadlines of the office-hours policy; the breach timers fire. */
  const breach = async () => {
    ctx.clock.advance(8 * DAY);
    await ctx.services.sla.timers.runDue();
  };

  for (const action of ['merge', 'cancel'] as const) {
    it(`keeps both breaches of an order ${action === 'merge' ? 'merged' : 'cancelled'} after it breached`, async () => {
      const from = nextWindow();
      const o = await create(`楼道堆物 ${action}`);
      await breach();
      const before = tallies(await compliance(from));
      assert.deepEqual(before, {
        firstResponse: { met: 0, breached: 1, rate: 0 },
        resolution: { met: 0, breached: 1, rate: 0 },
      });
      const body =
        action === 'merge' ? { mergeInto: (await create('楼道堆物又有了')).id } : { reason: '撤回' };
      await act('agent', o, action, body);
      const row = await compliance(from);
      assert.deepEqual(tallies(row), before, `${action} after the breach keeps the breaches`);
      assert.equal(row?.avgResolutionMinutes, null, 'nothing was resolved');
    });
  }

  it('leaves out deadlines not yet due when an order is cancelled or merged, and keeps a response already given', async () => {
    const from = nextWindow();
    await act('agent', await create('取消 未到期'), 'cancel', { reason: '撤回' });
    const target = await create('重复的目标');
    await act('agent', await create('重复 未到期'), 'merge', { mergeInto: target.id });
    // Dispatched (a first response on time), then cancelled before the resolution deadline.
    const answered = await act('dispatcher', await create('已派单后撤回'), 'dispatch', {
      assigneeId: providerId,
    });
    ctx.clock.advance(10 * MIN);
    await act('agent', answered, 'cancel', { reason: '住户自行解决' });
    const row = await compliance(from);
    assert.equal(row?.total, 2, 'the open merge target and the order that was answered');
    assert.deepEqual(row?.firstResponse, { met: 1, breached: 0, rate: 1 });
    assert.deepEqual(row?.resolution, { met: 0, breached: 0, rate: null });
    assert.equal(row?.avgResolutionMinutes, null);
  });

  it('counts referred and not-actionable orders as answered, not as resolved', async () => {
    const from = nextWindow();
    await act('agent', await create('供电线路问题'), 'refer', { referredTo: '区供电局' });
    await act('agent', await create('商业纠纷'), 'dismiss', { reason: '非社区职责' });
    const row = await compliance(from);
    assert.equal(row?.total, 2);
    assert.deepEqual(row?.firstResponse, { met: 2, breached: 0, rate: 1 });
    assert.deepEqual(row?.resolution, { met: 0, breached: 0, rate: null }, 'nobody resolved them');
    assert.equal(row?.avgResolutionMinutes, null, 'no resolution time');
    const to = new Date(ctx.clock.now().getTime() + MIN).toISOString();
    const dash = await call(
      'manager',
      'GET',
      `/api/v1/analytics/dashboard?community=taoyuan&from=${from}&to=${to}`,
    );
    assert.equal(dash.statusCode, 200, dash.body);
    const totals = dash.json<{
      totals: { orders: number; resolved: number; resolutionHours: number | null };
    }>().totals;
    assert.deepEqual(totals.orders, 2);
    assert.deepEqual([totals.resolved, totals.resolutionHours], [0, null], 'the dashboard agrees');
  });

  it('keeps the breaches of an order referred or dismissed after its deadlines passed', async () => {
    const from = nextWindow();
    const referred = await create('供电线路问题 超时');
    const dismissed = await create('商业纠纷 超时');
    await breach();
    await act('agent', referred, 'refer', { referredTo: '区供电局' });
    await act('agent', dismissed, 'dismiss', { reason: '非社区职责' });
    const row = await compliance(from);
    assert.deepEqual(tallies(row), {
      firstResponse: { met: 0, breached: 2, rate: 0 },
      resolution: { met: 0, breached: 2, rate: 0 },
    });
    assert.equal(row?.avgResolutionMinutes, null);
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { dispatchCalls } from './dispatch-helpers.ts';

const GAS = {
  channel: 'hotline',
  description: '3栋2单元楼道里有很重的煤气味',
  category: 'safety_emergency.gas_leak',
  urgency: 'critical',
  location: { lat: 22.5604, lng: 113.9436 },
};

interface Candidates {
  candidates: Array<{ code: string; staff: Array<{ userId: string }> }>;
  suggestion: { assigneeId: string } | null;
}

/**
 * A resource's staff list names people; the people's communities and roles change elsewhere (the
 * staff API). Automatic and emergency dispatch must name only someone who serves the order's
 * community now and can work an order, as a dispatcher's own choice must.
 */
describe('dispatch names only staff who still serve the community and can work the order', () => {
  let ctx: TestContext;
  let dispatcher: string;
  const { create, assignments } = dispatchCalls(
    () => ctx,
    () => dispatcher,
  );

  before(async () => {
    ctx = await createTestContext();
    dispatcher = await ctx.login('dispatcher');
  });
  after(() => ctx.close());

  it('the emergency lane never names a responder moved to another community', async () => {
    const streetAdmin = await ctx.login('street_admin');
    const moved = [
      await userId(ctx, 'taoyuan-gas-emergency-1'),
      await userId(ctx, 'taoyuan-gas-emergency-2'),
    ];
    for (const id of moved) {
      const res = await ctx.call('PATCH', `/api/v1/staff/${id}`, streetAdmin, { communityIds: ['longzhu'] });
      assert.equal(res.statusCode, 200, res.body);
    }
    const o = await create(GAS);
    assert.equal(o.status, 'dispatched', 'another responder on duty takes it');
    assert.ok(o.assignee && !moved.includes(o.assignee.id), 'not someone of another community');
    const serves = await ctx.database.db
      .selectFrom('user_communities')
      .innerJoin('communities', 'communities.id', 'user_communities.community_id')
      .select('communities.code')
      .where('user_communities.user_id', '=', o.assignee.id)
      .execute();
    assert.ok(
      serves.some((c) => c.code === 'taoyuan'),
      'the responder serves the order’s community',
    );
    const messaged = await ctx.database.db
      .selectFrom('outbox')
      .select('recipient_id')
      .where('payload_json', 'like', `%${o.id}%`)
      .where('recipient_id', 'in', moved)
      .execute();
    assert.deepEqual(messaged, [], 'no alert about the order goes to another community’s staff');

    const res = await ctx.call('GET', `/api/v1/work-orders/${o.id}/candidates?limit=50`, dispatcher);
    assert.equal(res.statusCode, 200, res.body);
    const listed = (res.json() as Candidates).candidates.flatMap((c) => c.staff.map((s) => s.userId));
    assert.ok(!listed.some((id) => moved.includes(id)), 'nor is listed among the candidates');
  });

  it('the emergency lane alerts no grid worker moved to another community', async () => {
    const streetAdmin = await ctx.login('street_admin');
    const worker = await userId(ctx, 'grid_worker');
    const moved = await ctx.call('PATCH', `/api/v1/staff/${worker}`, streetAdmin, {
      communityIds: ['longzhu'],
    });
    assert.equal(moved.statusCode, 200, moved.body);
    const o = await create({
      channel: 'hotline',
      description: '老人在家突然晕倒，呼吸困难',
      residentId: await residentIdByPhone(ctx, '13800000001'),
      category: 'safety_emergency.medical_emergency',
      urgency: 'critical',
    });
    assert.equal(o.status, 'dispatched');
    const booked = await assignments(o.id);
    assert.ok(!booked.some((a) => a.userId === worker), 'not named as the grid worker sent along');
    const alerts = await ctx.database.db
      .selectFrom('outbox')
      .select('channel')
      .where('payload_json', 'like', `%${o.id}%`)
      .where('recipient_id', '=', worker)
      .execute();
    assert.deepEqual(alerts, [], 'and not alerted');
  });

  it('the candidates list no deactivated account among a team’s people', async () => {
    const admin = await ctx.login('admin');
    const gone = await userId(ctx, 'taoyuan-water-electric-2');
    const off = await ctx.call('PATCH', `/api/v1/staff/${gone}`, admin, { active: false });
    assert.equal(off.statusCode, 200, off.body);
    const o = await create({
      channel: 'hotline',
      description: '厨房水管漏水，水龙头关不紧',
      category: 'basic_living.water_electric',
      urgency: 'normal',
      location: { lat: 22.5604, lng: 113.9436 },
    });
    const res = await ctx.call('GET', `/api/v1/work-orders/${o.id}/candidates`, dispatcher);
    assert.equal(res.statusCode, 200, res.body);
    const team = (res.json() as Candidates).candidates.find((c) => c.code === 'taoyuan-water-electric');
    assert.ok(team && team.staff.length > 0, 'the team is listed with its other people');
    assert.ok(!team.staff.some((s) => s.userId === gone), 'without the deactivated account');
  });

  it('automatic dispatch never names someone whose role can no longer work orders', async () => {
    const admin = await ctx.login('admin');
    const lift = [await userId(ctx, 'taoyuan-lift-1'), await userId(ctx, 'taoyuan-lift-2')];
    for (const id of lift) {
      const res = await ctx.call('PATCH', `/api/v1/staff/${id}`, admin, { role: 'dispatcher' });
      assert.equal(res.statusCode, 200, res.body);
    }
    // A lift fault of high urgency is dispatched automatically by the default rules.
    const o = await create({
      channel: 'hotline',
      description: '2栋电梯坏了，停在三楼不动',
      category: 'basic_living.elevator',
      urgency: 'high',
      location: { lat: 22.5604, lng: 113.9436 },
    });
    assert.ok(!o.assignee || !lift.includes(o.assignee.id), 'not a dispatcher');
    const booked = await assignments(o.id);
    assert.ok(!booked.some((a) => lift.includes(a.userId)));
    const res = await ctx.call('GET', `/api/v1/work-orders/${o.id}/candidates`, dispatcher);
    const view = res.json() as Candidates;
    assert.ok(!view.suggestion || !lift.includes(view.suggestion.assigneeId));
  });
});

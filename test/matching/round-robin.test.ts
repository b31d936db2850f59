import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { dispatchCalls } from './dispatch-helpers.ts';

/**
 * A rule's `round_robin` strategy rotates over equally good candidates: a dispatcher's
 * `{ auto: true }` takes its turn in the rotation, as the rules' own automatic dispatch does.
 */
describe('round robin among equals with a dispatcher’s { auto: true }', () => {
  let ctx: TestContext;
  let dispatcher: string;
  const { create, assignments } = dispatchCalls(
    () => ctx,
    () => dispatcher,
  );
  const AT = { lat: 22.5604, lng: 113.9436 };

  before(async () => {
    ctx = await createTestContext({ orders: 0 });
    dispatcher = await ctx.login('dispatcher');
    const manager = await ctx.login('manager');
    // Two teams alike in every way but their code and their people, with room for many orders,
    // so a few dispatches leave them equals.
    for (const [code, staff] of [
      ['taoyuan-rr-a', 'taoyuan-appliance-1'],
      ['taoyuan-rr-b', 'taoyuan-appliance-2'],
    ] as const) {
      const res = await ctx.call('POST', '/api/v1/resources?community=taoyuan', manager, {
        code,
        name: `轮值维修 ${code.slice(-1)}`,
        type: 'team',
        categories: ['basic_living.appliance'],
        keywords: ['轮值', '家电'],
        location: AT,
        serviceArea: { kind: 'radius', radiusM: 3000 },
        capacity: { concurrent: 100, dailyQuota: 500 },
        onDuty: true,
        staff: [staff],
      });
      assert.equal(res.statusCode, 201, res.body);
    }
    const rules = await ctx.call('PUT', '/api/v1/dispatch/rules?community=taoyuan', manager, {
      rules: [
        { name: '紧急通道', category: null, urgencies: ['critical'], mode: 'emergency', acceptTimeoutS: 120 },
        {
          name: '家电轮值',
          category: 'basic_living.appliance',
          mode: 'queue',
          strategy: 'round_robin',
          acceptTimeoutS: 600,
        },
      ],
    });
    assert.equal(rules.statusCode, 200, rules.body);
  });
  after(() => ctx.close());

  it('takes the equals in turn', async () => {
    const chosen: Array<string | null | undefined> = [];
    for (let i = 0; i < 4; i++) {
      const o = await create({
        channel: 'hotline',
        description: `轮值家电坏了 ${i}`,
        category: 'basic_living.appliance',
        urgency: 'normal',
        location: AT,
      });
      const res = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/dispatch`, dispatcher, {
        version: o.version,
        auto: true,
      });
      assert.equal(res.statusCode, 200, res.body);
      chosen.push((await assignments(o.id))[0]?.resourceCode);
    }
    assert.deepEqual(chosen, ['taoyuan-rr-a', 'taoyuan-rr-b', 'taoyuan-rr-a', 'taoyuan-rr-b']);
  });
});

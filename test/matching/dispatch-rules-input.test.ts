import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface ErrorBody {
  error: { code: string; details: { field?: string } };
}

/** A dispatch rule that could never apply is refused, naming its field, and changes nothing. */
describe('dispatch rules: what a rule names is checked', () => {
  let ctx: TestContext;
  let manager: string;
  const PATH = '/api/v1/dispatch/rules?community=taoyuan';
  const LANE = {
    name: '紧急通道',
    category: null,
    urgencies: ['critical'],
    mode: 'emergency',
    acceptTimeoutS: 120,
  };
  const rule = (over: Record<string, unknown>) => ({
    name: '养老服务自动派单',
    category: 'elderly_care',
    mode: 'auto',
    acceptTimeoutS: 600,
    ...over,
  });

  before(async () => {
    ctx = await createTestContext({ orders: 0 });
    manager = await ctx.login('manager');
  });
  after(() => ctx.close());

  for (const [what, bad, field] of [
    ['an unknown priority', rule({ priorities: ['P1', 'P9'] }), 'rules[2].priorities[1]'],
    ['a priority in words', rule({ priorities: ['urgent'] }), 'rules[2].priorities[0]'],
    ['a blank name', rule({ name: '   ' }), 'rules[2].name'],
  ] as const) {
    it(`refuses ${what}`, async () => {
      const before = (await ctx.call('GET', PATH, manager)).body;
      const res = await ctx.call('PUT', PATH, manager, { rules: [LANE, rule({}), bad] });
      assert.equal(res.statusCode, 400, res.body);
      const err = (res.json() as ErrorBody).error;
      assert.equal(err.code, 'invalid_input');
      assert.equal(err.details.field, field);
      assert.equal((await ctx.call('GET', PATH, manager)).body, before, 'the rules are unchanged');
    });
  }

  it('takes the priority bands, and a name with its spaces trimmed', async () => {
    const res = await ctx.call('PUT', PATH, manager, {
      rules: [LANE, rule({ name: '  P1 养老  ', priorities: ['P1', 'P2'] })],
    });
    assert.equal(res.statusCode, 200, res.body);
    const [, saved] = (res.json() as { rules: Array<{ name: string; priorities: string[] }> }).rules;
    assert.deepEqual(saved && { name: saved.name, priorities: saved.priorities }, {
      name: 'P1 养老',
      priorities: ['P1', 'P2'],
    });
  });

  // The emergency lane sends a named responder to a critical order in seconds: a rule list that
  // would leave any critical order to automatic dispatch or the queue is refused, not saved.
  for (const [what, rules, field, reason] of [
    ['no rules at all', [], 'rules', 'emergency_lane_missing'],
    ['no emergency rule', [rule({})], 'rules', 'emergency_lane_missing'],
    [
      'an emergency rule for one category only',
      [{ ...LANE, category: 'safety_emergency' }, rule({})],
      'rules',
      'emergency_lane_missing',
    ],
    ['an emergency rule for P1 only', [{ ...LANE, priorities: ['P1'] }], 'rules', 'emergency_lane_missing'],
    [
      'an automatic rule that catches critical orders first',
      [rule({ category: 'safety_emergency' }), LANE],
      'rules[0].mode',
      'emergency_lane_shadowed',
    ],
    [
      'a queue rule for everything before the lane',
      [rule({ category: null, mode: 'queue' }), LANE],
      'rules[0].mode',
      'emergency_lane_shadowed',
    ],
  ] as const) {
    it(`refuses a rule list with ${what}, and keeps the rules`, async () => {
      const before = (await ctx.call('GET', PATH, manager)).body;
      const res = await ctx.call('PUT', PATH, manager, { rules });
      assert.equal(res.statusCode, 400, res.body);
      const err = (
        res.json() as { error: { code: string; message: string; details: Record<string, unknown> } }
      ).error;
      assert.equal(err.code, 'invalid_input');
      assert.equal(err.details.field, field);
      assert.equal(err.details.reason, reason);
      assert.match(err.message, /emergency/);
      assert.equal((await ctx.call('GET', PATH, manager)).body, before, 'the rules are unchanged');
    });
  }

  it('takes a list whose emergency rules together cover every critical order', async () => {
    const res = await ctx.call('PUT', PATH, manager, {
      rules: [
        { ...LANE, name: '紧急：安全类', category: 'safety_emergency' },
        rule({ category: 'safety_emergency', mode: 'auto' }),
        { ...LANE, name: '紧急：其余' },
        rule({}),
      ],
    });
    assert.equal(res.statusCode, 200, res.body);
  });

  it('still sends a critical order through the emergency lane after the rules were replaced', async () => {
    const res = await ctx.call('PUT', PATH, manager, { rules: [rule({}), LANE] });
    assert.equal(res.statusCode, 400, res.body);
    const agent = await ctx.login('agent');
    const created = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '3号楼厨房煤气泄漏，闻到很浓的煤气味',
      location: { lat: 22.5604, lng: 113.9436 },
    });
    assert.equal(created.statusCode, 201, created.body);
    const order = created.json() as { id: string; urgency: string };
    assert.equal(order.urgency, 'critical');
    const dispatcher = await ctx.login('dispatcher');
    const history = await ctx.call('GET', `/api/v1/work-orders/${order.id}/assignments`, dispatcher);
    const lanes = (history.json() as { assignments: Array<{ lane: string }> }).assignments.map((a) => a.lane);
    assert.ok(lanes.includes('emergency'), `assigned through ${lanes.join(', ') || 'nothing'}`);
  });
});

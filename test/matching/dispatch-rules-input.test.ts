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
    ['an unknown priority', rule({ priorities: ['P1', 'P9'] }), 'rules[1].priorities[1]'],
    ['a priority in words', rule({ priorities: ['urgent'] }), 'rules[1].priorities[0]'],
    ['a blank name', rule({ name: '   ' }), 'rules[1].name'],
  ] as const) {
    it(`refuses ${what}`, async () => {
      const before = (await ctx.call('GET', PATH, manager)).body;
      const res = await ctx.call('PUT', PATH, manager, { rules: [rule({}), bad] });
      assert.equal(res.statusCode, 400, res.body);
      const err = (res.json() as ErrorBody).error;
      assert.equal(err.code, 'invalid_input');
      assert.equal(err.details.field, field);
      assert.equal((await ctx.call('GET', PATH, manager)).body, before, 'the rules are unchanged');
    });
  }

  it('takes the priority bands, and a name with its spaces trimmed', async () => {
    const res = await ctx.call('PUT', PATH, manager, {
      rules: [rule({ name: '  P1 养老  ', priorities: ['P1', 'P2'] })],
    });
    assert.equal(res.statusCode, 200, res.body);
    const [saved] = (res.json() as { rules: Array<{ name: string; priorities: string[] }> }).rules;
    assert.deepEqual(saved && { name: saved.name, priorities: saved.priorities }, {
      name: 'P1 养老',
      priorities: ['P1', 'P2'],
    });
  });
});

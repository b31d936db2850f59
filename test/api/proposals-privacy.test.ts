/**
 * Who reads a proposal's author: the author, and the staff who file for residents and call them
 * back (an agent, an admin). Roles that read phones for other work (dispatcher, grid worker,
 * provider) read the author masked and without a phone, as a manager and an auditor do.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface View {
  id: string;
  author: { name: string; phone: string | null; self: boolean };
}

describe('a proposal author’s name and phone, per role', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 2 });
  });
  after(() => ctx.close());

  const authors = async (token: string) =>
    (await ctx.call('GET', '/api/v1/proposals?limit=100', token)).json<{ items: View[] }>().items;

  it('shows them to an agent and an admin, and to nobody else of the staff', async () => {
    for (const [username, identified] of [
      ['agent', true],
      ['admin', true],
      ['dispatcher', false],
      ['grid_worker', false],
      ['provider', false],
      ['manager', false],
      ['auditor', false],
    ] as const) {
      const items = await authors(await ctx.login(username));
      assert.ok(items.length > 0, username);
      for (const v of items) {
        assert.equal(v.author.phone !== null, identified, `${username}: ${JSON.stringify(v.author)}`);
        assert.equal(v.author.name.includes('*'), !identified, `${username}: ${v.author.name}`);
      }
    }
  });

  it('shows the author their own, in full', async () => {
    const li = await ctx.residentLogin('13800000003');
    const own = (await authors(li)).filter((v) => v.author.self);
    assert.ok(own.length > 0);
    for (const v of own) assert.equal(v.author.phone, '13800000003');
  });
});

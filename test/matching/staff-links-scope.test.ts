import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface Resources {
  items: Array<{ id: string; code: string; staff: Array<{ userId: string }> }>;
}

/**
 * A resource's staff links and a grid's worker links outlive a person's move to another community
 * or their deactivation (the staff API changes the person, not the links). Whoever is shown a
 * team's or a grid's people (the catalogue, the grids, the directory, a worker's own grid scope)
 * sees only those who still serve the community and are active: nobody is offered from a stale link.
 */
describe('staff and grid worker links name only people who still serve the community', () => {
  let ctx: TestContext;
  let streetAdmin: string;
  let admin: string;

  before(async () => {
    ctx = await createTestContext({ orders: 0 });
    streetAdmin = await ctx.login('street_admin');
    admin = await ctx.login('admin');
  });
  after(() => ctx.close());

  const moveToLongzhu = async (id: string) => {
    const res = await ctx.call('PATCH', `/api/v1/staff/${id}`, streetAdmin, { communityIds: ['longzhu'] });
    assert.equal(res.statusCode, 200, res.body);
  };

  it('the resource catalogue lists no moved or deactivated staff', async () => {
    const list = async () =>
      (
        (await ctx.call('GET', '/api/v1/resources?community=taoyuan', admin)).json() as Resources
      ).items.flatMap((r) => r.staff.map((s) => ({ resource: r.code, userId: s.userId })));
    const before = await list();
    const teams = new Map<string, string[]>();
    for (const l of before) teams.set(l.resource, [...(teams.get(l.resource) ?? []), l.userId]);
    const [, [moved, deactivated] = []] = [...teams].find(([, ids]) => ids.length >= 2) ?? [];
    assert.ok(moved && deactivated, 'a team of two or more');
    await moveToLongzhu(moved);
    const off = await ctx.call('PATCH', `/api/v1/staff/${deactivated}`, admin, { active: false });
    assert.equal(off.statusCode, 200, off.body);
    const after = await list();
    assert.ok(!after.some((l) => l.userId === moved), 'the one moved away is not listed');
    assert.ok(!after.some((l) => l.userId === deactivated), 'the one deactivated is not listed');
    assert.equal(after.length, before.length - 2, 'everyone else still is');
  });

  it('the grids, the directory and the worker’s own scope drop a grid worker moved away', async () => {
    const resident = await residentIdByPhone(ctx, '13800000003');
    const home = await ctx.database.db
      .selectFrom('residents')
      .innerJoin('households', 'households.id', 'residents.household_id')
      .select('households.grid_id')
      .where('residents.id', '=', resident)
      .executeTakeFirstOrThrow();
    assert.ok(home.grid_id);
    const workers = (
      await ctx.database.db
        .selectFrom('grid_workers')
        .select('user_id')
        .where('grid_id', '=', home.grid_id)
        .execute()
    ).map((w) => w.user_id);
    assert.ok(workers.length > 0);
    const token = await ctx.residentLogin('13800000003');
    const directory = async () =>
      (await ctx.call('GET', '/api/v1/directory', token)).json() as { myGridWorker: { name: string } | null };
    assert.notEqual((await directory()).myGridWorker, null, 'the resident has a grid worker to call');
    const workerLogin = await ctx.database.db
      .selectFrom('users')
      .select('username')
      .where('id', '=', workers[0] ?? '')
      .executeTakeFirstOrThrow();

    for (const id of workers) await moveToLongzhu(id);

    assert.equal((await directory()).myGridWorker, null, 'no one moved away is offered to call');
    const grids = await ctx.call('GET', '/api/v1/communities/taoyuan/grids', admin);
    assert.equal(grids.statusCode, 200, grids.body);
    const coverage = await ctx.call('GET', '/api/v1/grids/coverage?community=taoyuan', admin);
    assert.equal(coverage.statusCode, 200, coverage.body);
    for (const id of workers) {
      assert.ok(!grids.body.includes(id), 'the grids list no worker moved away');
      assert.ok(!coverage.body.includes(id), 'nor does the coverage report');
    }
    const me = await ctx.call('GET', '/api/v1/me', await ctx.login(workerLogin.username));
    const gridIds = (me.json() as { gridIds?: string[] }).gridIds ?? [];
    assert.ok(!gridIds.includes(home.grid_id), 'the worker works no grid of the community left');
  });
});

/**
 * Filing for someone, acting on a household's orders, and what a resident record tells: a grid
 * worker files only for residents of their grids, an integration only as an SOS device for its
 * wearer, a household member reads but does not act on another member's order, a proxy caller's
 * relation is kept, a grid worker who left is not offered, and the consent flag is as private as
 * the groups it is given for.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface OrderView {
  id: string;
  version: number;
  status: string;
  beneficiary: { id: string; name: string; phone: string | null; tags: string[] | null } | null;
  allowedActions: string[];
  timeline?: { type: string; data: Record<string, unknown> | null }[];
}

describe('people: who may file for whom, and act on what', () => {
  let ctx: TestContext;
  let admin: string;
  let agent: string;
  let c1: string;
  before(async () => {
    ctx = await createTestContext({ orders: 20 });
    admin = await ctx.login('admin');
    agent = await ctx.login('agent');
    c1 = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
  });
  after(() => ctx.close());

  /** Residents of community 1 with consented groups, in a grid `grid_worker` works or not. */
  async function residentOfGrid(inMine: boolean): Promise<string> {
    const gw = await userId(ctx, 'grid_worker');
    const mine = (
      await ctx.database.db.selectFrom('grid_workers').select('grid_id').where('user_id', '=', gw).execute()
    ).map((g) => g.grid_id);
    const r = await ctx.database.db
      .selectFrom('residents')
      .innerJoin('households', 'households.id', 'residents.household_id')
      .select('residents.id')
      .where('residents.community_id', '=', c1)
      .where('households.grid_id', inMine ? 'in' : 'not in', mine)
      .where('residents.tags_consent', '=', 1)
      .executeTakeFirstOrThrow();
    return r.id;
  }

  it('a grid worker files for residents of their grids only: anyone else is answered as no one', async () => {
    const gw = await ctx.login('grid_worker');
    const outside = await residentOfGrid(false);
    assert.equal((await ctx.call('GET', `/api/v1/residents/${outside}`, gw)).statusCode, 404);
    const refused = await ctx.call('POST', '/api/v1/work-orders', gw, {
      channel: 'web',
      description: '上门走访',
      residentId: outside,
    });
    assert.equal(refused.statusCode, 404, refused.body);
    assert.equal(refused.json<{ error: { code: string } }>().error.code, 'resident_not_found');
    assert.doesNotMatch(refused.body, /1[3-9]\d{9}/, 'no phone in the refusal');
    const inside = await ctx.call('POST', '/api/v1/work-orders', gw, {
      channel: 'web',
      description: '上门走访',
      residentId: await residentOfGrid(true),
    });
    assert.equal(inside.statusCode, 201, inside.body);
  });

  it('an integration names a resident only as an SOS device filing for its wearer, and is not told the name', async () => {
    const elder = await residentIdByPhone(ctx, '13800000001');
    const open311 = await ctx.call(
      'POST',
      '/api/v1/work-orders',
      undefined,
      { channel: 'open311', description: '路灯不亮了', residentId: elder },
      { 'x-api-key': 'demo-open311-key' },
    );
    assert.equal(open311.statusCode, 404, open311.body);
    assert.equal(open311.json<{ error: { code: string } }>().error.code, 'resident_not_found');
    const key = (
      await ctx.call('POST', '/api/v1/api-keys', admin, {
        communityId: c1,
        name: 'SOS 手环',
        scopes: ['device'],
      })
    ).json<{ key: string }>().key;
    const sos = await ctx.call(
      'POST',
      '/api/v1/work-orders',
      undefined,
      { channel: 'device', description: 'SOS 一键呼救', residentId: elder },
      { 'x-api-key': key },
    );
    assert.equal(sos.statusCode, 201, sos.body);
    const o = sos.json<OrderView>();
    assert.equal(o.beneficiary?.id, elder);
    assert.equal(o.beneficiary?.name, '王**');
    assert.equal(o.beneficiary?.tags, null);
    assert.doesNotMatch(o.beneficiary?.phone ?? '', /^\d{11}$/);
  });

  it("a household member reads another member's order but does not withdraw, confirm or reopen it", async () => {
    const elder = await residentIdByPhone(ctx, '13800000001');
    const o = (
      await ctx.call('POST', '/api/v1/work-orders', agent, {
        channel: 'hotline',
        description: '老人家里水龙头坏了',
        residentId: elder,
        reporter: { name: '陈女士', phone: '13711112222', relation: '女儿' },
      })
    ).json<OrderView>();
    const { household_id } = await ctx.database.db
      .selectFrom('residents')
      .select('household_id')
      .where('id', '=', elder)
      .executeTakeFirstOrThrow();
    const other = await ctx.database.db
      .selectFrom('residents')
      .select('phone')
      .where('household_id', '=', household_id)
      .where('id', '!=', elder)
      .where('phone', 'is not', null)
      .executeTakeFirstOrThrow();
    const member = await ctx.residentLogin(other.phone as string);
    const read = await ctx.call('GET', `/api/v1/work-orders/${o.id}`, member);
    assert.equal(read.statusCode, 200, 'the household reads it');
    assert.deepEqual(read.json<OrderView>().allowedActions, []);
    const cancel = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/cancel`, member, {
      version: o.version,
    });
    assert.equal(cancel.statusCode, 403, cancel.body);
    const mine = await ctx.residentLogin('13800000001');
    const own = await ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/cancel`, mine, {
      version: o.version,
      reason: '已自行修好',
    });
    assert.equal(own.statusCode, 200, 'the person it is for may withdraw it');
  });

  it("a proxy caller's relation is kept on the order's first step and in the audit chain", async () => {
    const o = (
      await ctx.call('POST', '/api/v1/work-orders', agent, {
        channel: 'hotline',
        description: '老人家里灯不亮',
        residentId: await residentIdByPhone(ctx, '13800000001'),
        reporter: { name: '刘先生', phone: '13711113333', relation: '邻居' },
      })
    ).json<OrderView>();
    const full = (await ctx.call('GET', `/api/v1/work-orders/${o.id}`, agent)).json<OrderView>();
    assert.equal(full.timeline?.find((e) => e.type === 'created')?.data?.relation, '邻居');
    const audit = await ctx.database.db
      .selectFrom('audit_entries')
      .select('payload_json')
      .where('entity_id', '=', o.id)
      .where('action', '=', 'work_order.created')
      .executeTakeFirstOrThrow();
    assert.equal(JSON.parse(audit.payload_json).relation, '邻居');
  });

  it('a grid worker deactivated or given another role is no longer offered as "my grid worker"', async () => {
    const resident = await ctx.residentLogin('13800000001');
    const mineNow = async () =>
      (await ctx.call('GET', '/api/v1/directory', resident)).json<{ myGridWorker: { name: string } | null }>()
        .myGridWorker;
    const before = await mineNow();
    assert.ok(before, 'the demo resident has a grid worker');
    const gw = await userId(ctx, 'grid_worker');
    for (const patch of [{ active: false }, { role: 'agent' }]) {
      const changed = await ctx.call('PATCH', `/api/v1/staff/${gw}`, admin, patch);
      assert.equal(changed.statusCode, 200, changed.body);
      assert.notEqual((await mineNow())?.name, before.name, JSON.stringify(patch));
      const map = (await ctx.call('GET', '/api/v1/communities/taoyuan/grids', resident)).json<{
        features: { properties: { workers?: { id: string }[] } }[];
      }>();
      assert.ok(map.features.every((f) => (f.properties.workers ?? []).every((w) => w.id !== gw)));
      const back = await ctx.call(
        'PATCH',
        `/api/v1/staff/${gw}`,
        admin,
        'active' in patch ? { active: true } : { role: 'grid_worker' },
      );
      assert.equal(back.statusCode, 200, back.body);
    }
    assert.equal((await mineNow())?.name, before.name);
  });

  it('the consent flag is shown only to whom may see the groups it is given for', async () => {
    const rid = await residentIdByPhone(ctx, '13800000001');
    const as = async (token: string) =>
      (await ctx.call('GET', `/api/v1/residents/${rid}`, token)).json<{
        tags: string[] | null;
        tagsConsent: boolean | null;
      }>();
    const byManager = await as(await ctx.login('manager'));
    assert.equal(byManager.tags, null);
    assert.equal(byManager.tagsConsent, null);
    const byAgent = await as(agent);
    assert.ok(byAgent.tags?.length);
    assert.equal(byAgent.tagsConsent, true);
  });

  it('consent to special groups: the resident withdraws it (the groups go), staff who see groups record them again', async () => {
    const rid = await residentIdByPhone(ctx, '13800000001');
    const groups = (token: string, body: Record<string, unknown>) =>
      ctx.call('PATCH', `/api/v1/residents/${rid}/groups`, token, body);
    const mine = await ctx.residentLogin('13800000001');
    const before = (await ctx.call('GET', `/api/v1/residents/${rid}`, agent)).json<{
      tags: string[];
      updatedAt: string;
    }>();
    assert.deepEqual([...before.tags].sort(), ['chronic_illness', 'elderly_alone']);

    assert.equal((await groups(mine, { tags: ['low_income'] })).statusCode, 403, 'a resident only withdraws');
    assert.equal((await groups(await ctx.login('manager'), { tagsConsent: false })).statusCode, 403);
    const withdrawn = await groups(mine, { tagsConsent: false, updatedAt: before.updatedAt });
    assert.equal(withdrawn.statusCode, 200, withdrawn.body);
    const row = await ctx.database.db
      .selectFrom('residents')
      .select(['tags_json', 'tags_consent'])
      .where('id', '=', rid)
      .executeTakeFirstOrThrow();
    assert.deepEqual([row.tags_json, row.tags_consent], ['[]', 0], 'the groups are deleted with the consent');
    const order = (
      await ctx.call('POST', '/api/v1/work-orders', agent, {
        channel: 'hotline',
        description: '门口路灯坏了',
        urgency: 'high',
        residentId: rid,
      })
    ).json<{ priority: string; priorityScore: number }>();
    assert.equal(order.priorityScore, 40, 'a new order weighs no group');

    const stale = await groups(agent, {
      tagsConsent: true,
      tags: ['elderly_alone'],
      updatedAt: before.updatedAt,
    });
    assert.equal(stale.statusCode, 409, stale.body);
    assert.equal(
      (await groups(agent, { tags: ['elderly_alone'] })).statusCode,
      400,
      'no groups without consent',
    );
    assert.equal((await groups(agent, { tagsConsent: true, tags: ['rich'] })).statusCode, 400);
    assert.equal((await groups(agent, {})).statusCode, 400);
    const recorded = await groups(agent, { tagsConsent: true, tags: ['elderly_alone'] });
    assert.equal(recorded.statusCode, 200, recorded.body);
    assert.deepEqual(recorded.json<{ tags: string[] }>().tags, ['elderly_alone']);

    const audit = await ctx.database.db
      .selectFrom('audit_entries')
      .select(['action', 'payload_json'])
      .where('entity_id', '=', rid)
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['resident.consent_withdrawn', 'resident.groups_recorded'],
    );
    assert.ok(
      audit.every((a) => !/elderly|chronic/.test(a.payload_json)),
      'no group named in the chain',
    );
  });
});

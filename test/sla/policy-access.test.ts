/**
 * Who may read and change SLA policies, calendars and holiday files across communities, and in
 * whose audit chain each change lands. Community 1 (桃源) is served by `admin`, `dispatcher`…,
 * community 2 by `admin2`, `dispatcher2`…; `street_admin` (the demo's street administrator) administers both.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { SlaTables } from '../../src/modules/sla/sla.tables.ts';
import { deploymentAdmin } from './sla-helpers.ts';

interface Policy {
  id: string;
  communityId?: string;
  firstResponseMinutes: number;
  resolutionMinutes: number;
}

const POLICIES = '/api/v1/sla/policies';

describe('SLA settings are guarded per community; shared ones need an admin of every community', () => {
  let ctx: TestContext;
  let c1: string;
  let c2: string;
  let admin: string;
  let admin2: string;
  let adminAll: string;
  let dispatcher: string;
  let dispatcher2: string;

  const body = (over: Record<string, unknown> = {}) => ({
    category: 'basic_living.property',
    priorityBand: 'P4',
    communityId: c1,
    calendarId: '24x7',
    firstResponseMinutes: 120,
    resolutionMinutes: 900,
    escalationChain: ['dispatcher'],
    ...over,
  });
  const withoutCommunity = (b: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(b).filter(([k]) => k !== 'communityId'));

  /** The SLA entries of a community's audit chain, oldest first, as `action id`. */
  const audited = async (communityId: string): Promise<string[]> => {
    const rows = await ctx.database.db
      .selectFrom('audit_entries')
      .select(['action', 'entity_id', 'actor'])
      .where('community_id', '=', communityId)
      .where('entity_type', '=', 'sla_settings')
      .orderBy('seq')
      .execute();
    return rows.map((r) => `${r.action} ${r.entity_id} ${r.actor}`);
  };
  const sla = () => ctx.database.db.withTables<SlaTables>();
  const policyRow = (id: string) =>
    sla().selectFrom('sla_policies').selectAll().where('id', '=', id).executeTakeFirst();
  const calendarRow = (id: string) =>
    sla().selectFrom('sla_calendars').selectAll().where('id', '=', id).executeTakeFirst();

  const expectError = (res: LightMyRequestResponse, status: number, code: string) => {
    assert.equal(res.statusCode, status, res.body);
    const e = (res.json() as { error: { code: string; message: string; details?: unknown } }).error;
    assert.equal(e.code, code, res.body);
    assert.ok(e.message.length > 0);
    return e;
  };

  /** Runs a request that must be refused, and checks that neither the rows nor the audit chains moved. */
  const refusedWithoutChange = async (
    run: () => Promise<LightMyRequestResponse>,
    status: number,
    code: string,
    rows: { policy?: string; calendar?: string },
  ) => {
    const before = {
      policy: rows.policy ? await policyRow(rows.policy) : undefined,
      calendar: rows.calendar ? await calendarRow(rows.calendar) : undefined,
      a1: await audited(c1),
      a2: await audited(c2),
    };
    const e = expectError(await run(), status, code);
    assert.deepEqual(
      {
        policy: rows.policy ? await policyRow(rows.policy) : undefined,
        calendar: rows.calendar ? await calendarRow(rows.calendar) : undefined,
        a1: await audited(c1),
        a2: await audited(c2),
      },
      before,
    );
    return e;
  };

  before(async () => {
    ctx = await createTestContext({ orders: 2 });
    const [first, second] = ctx.seed.communities;
    assert.ok(first && second);
    c1 = first.id;
    c2 = second.id;
    admin = await ctx.login('admin');
    admin2 = await ctx.login('admin2');
    adminAll = await deploymentAdmin(ctx);
    dispatcher = await ctx.login('dispatcher');
    dispatcher2 = await ctx.login('dispatcher2');
  });
  after(() => ctx.close());

  it("an admin creates a policy of their community; it is audited in that community's chain only", async () => {
    const res = await ctx.call('POST', POLICIES, admin, body({ id: 'x-c1' }));
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(await audited(c1), ['sla.policy_created x-c1 user:admin']);
    assert.deepEqual(await audited(c2), []);
  });

  it("another community's admin can neither read, rewrite, make shared nor delete it", async () => {
    const gone = (run: () => Promise<LightMyRequestResponse>) =>
      refusedWithoutChange(run, 404, 'not_found', { policy: 'x-c1' });
    await gone(() => ctx.call('GET', `${POLICIES}/x-c1`, admin2));
    await gone(() =>
      ctx.call(
        'PUT',
        `${POLICIES}/x-c1`,
        admin2,
        withoutCommunity(body({ firstResponseMinutes: 1, resolutionMinutes: 2 })),
      ),
    );
    await gone(() =>
      ctx.call('PUT', `${POLICIES}/x-c1`, admin2, body({ communityId: c2, firstResponseMinutes: 1 })),
    );
    await gone(() => ctx.call('PUT', `${POLICIES}/x-c1`, admin2, body({ firstResponseMinutes: 1 })));
    await gone(() => ctx.call('DELETE', `${POLICIES}/x-c1`, admin2));
    assert.equal((await ctx.call('GET', `${POLICIES}/x-c1`, admin)).statusCode, 200);
  });

  it('nobody creates a policy for a community they do not administer', async () => {
    const e = await refusedWithoutChange(
      () => ctx.call('POST', POLICIES, admin2, body({ id: 'sneaky', communityId: c1 })),
      403,
      'forbidden',
      { policy: 'sneaky' },
    );
    assert.deepEqual(e.details, { field: 'communityId', communityId: c1 });
    assert.equal(await policyRow('sneaky'), undefined);
  });

  it("its own admin may not make it shared or move it to a community they don't administer", async () => {
    const shared = await refusedWithoutChange(
      () => ctx.call('PUT', `${POLICIES}/x-c1`, admin, withoutCommunity(body({ firstResponseMinutes: 1 }))),
      403,
      'forbidden',
      { policy: 'x-c1' },
    );
    assert.deepEqual(shared.details, { field: 'communityId', communityId: null });
    const moved = await refusedWithoutChange(
      () => ctx.call('PUT', `${POLICIES}/x-c1`, admin, body({ communityId: c2 })),
      403,
      'forbidden',
      { policy: 'x-c1' },
    );
    assert.deepEqual(moved.details, { field: 'communityId', communityId: c2 });
  });

  it("the community's other staff read it but do not change it", async () => {
    assert.equal((await ctx.call('GET', `${POLICIES}/x-c1`, dispatcher)).statusCode, 200);
    await refusedWithoutChange(
      () => ctx.call('PUT', `${POLICIES}/x-c1`, dispatcher, body({ firstResponseMinutes: 1 })),
      403,
      'forbidden',
      { policy: 'x-c1' },
    );
    await refusedWithoutChange(() => ctx.call('DELETE', `${POLICIES}/x-c1`, dispatcher), 403, 'forbidden', {
      policy: 'x-c1',
    });
  });

  it("its own admin changes it; the change is audited in that community's chain only", async () => {
    const res = await ctx.call('PUT', `${POLICIES}/x-c1`, admin, body({ firstResponseMinutes: 60 }));
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as Policy).firstResponseMinutes, 60);
    assert.deepEqual((await audited(c1)).slice(-1), ['sla.policy_updated x-c1 user:admin']);
    assert.deepEqual(await audited(c2), []);
  });

  it('the list shows the shared policies and those of my communities only', async () => {
    const res = await ctx.call(
      'POST',
      POLICIES,
      admin2,
      body({ id: 'y-c2', communityId: c2, priorityBand: 'P3' }),
    );
    assert.equal(res.statusCode, 201, res.body);
    const ids = async (token: string) => {
      const list = await ctx.call('GET', POLICIES, token);
      assert.equal(list.statusCode, 200, list.body);
      return (list.json() as Policy[]).map((p) => p.id);
    };
    for (const [token, mine, theirs] of [
      [dispatcher, 'x-c1', 'y-c2'],
      [admin, 'x-c1', 'y-c2'],
      [dispatcher2, 'y-c2', 'x-c1'],
      [admin2, 'y-c2', 'x-c1'],
    ] as const) {
      const seen = await ids(token);
      assert.ok(seen.includes('default-p2'), 'shared policies are listed to everyone');
      assert.ok(seen.includes(mine), `${mine} is listed to its own community`);
      assert.ok(!seen.includes(theirs), `${theirs} is not listed to another community`);
    }
    const all = await ids(adminAll);
    assert.ok(all.includes('x-c1') && all.includes('y-c2') && all.includes('default-p2'));
  });

  it('an admin of both communities moves a policy; the move is audited in both chains', async () => {
    const res = await ctx.call('PUT', `${POLICIES}/x-c1`, adminAll, body({ communityId: c2 }));
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as Policy).communityId, c2);
    assert.deepEqual((await audited(c1)).slice(-1), ['sla.policy_updated x-c1 user:street_admin']);
    assert.deepEqual((await audited(c2)).slice(-1), ['sla.policy_updated x-c1 user:street_admin']);
    expectError(await ctx.call('GET', `${POLICIES}/x-c1`, admin), 404, 'not_found');
    assert.equal((await ctx.call('GET', `${POLICIES}/x-c1`, admin2)).statusCode, 200);
  });

  it("a community's admin deletes its policy; the deletion is audited in that community only", async () => {
    const c1Before = await audited(c1);
    const res = await ctx.call('DELETE', `${POLICIES}/x-c1`, admin2);
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(await policyRow('x-c1'), undefined);
    assert.deepEqual((await audited(c2)).slice(-1), ['sla.policy_deleted x-c1 user:admin2']);
    assert.deepEqual(await audited(c1), c1Before);
  });

  it('shared policies are created, changed and deleted only by an admin of every community', async () => {
    const p2 = (await ctx.call('GET', `${POLICIES}/default-p2`, adminAll)).json() as Policy;
    const { id: _id, ...p2Body } = p2;
    const faster = { ...p2Body, firstResponseMinutes: 1, resolutionMinutes: 2 };
    for (const token of [admin, admin2]) {
      await refusedWithoutChange(
        () => ctx.call('PUT', `${POLICIES}/default-p2`, token, faster),
        403,
        'forbidden',
        { policy: 'default-p2' },
      );
      await refusedWithoutChange(
        () => ctx.call('DELETE', `${POLICIES}/default-p4`, token),
        403,
        'forbidden',
        {
          policy: 'default-p4',
        },
      );
      await refusedWithoutChange(
        () => ctx.call('POST', POLICIES, token, withoutCommunity(body({ id: 'shared-new' }))),
        403,
        'forbidden',
        { policy: 'shared-new' },
      );
    }
    // Nor may a community's admin take a shared policy into their community.
    await refusedWithoutChange(
      () => ctx.call('PUT', `${POLICIES}/default-p2`, admin, { ...faster, communityId: c1 }),
      403,
      'forbidden',
      { policy: 'default-p2' },
    );

    const ok = await ctx.call('PUT', `${POLICIES}/default-p2`, adminAll, {
      ...p2Body,
      resolutionMinutes: 420,
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal((ok.json() as Policy).communityId, undefined);
    for (const c of [c1, c2])
      assert.deepEqual((await audited(c)).slice(-1), ['sla.policy_updated default-p2 user:street_admin']);
  });

  it('shared calendars and holiday files change only by an admin of every community, audited in both chains', async () => {
    for (const token of [admin, admin2]) {
      await refusedWithoutChange(
        () => ctx.call('PUT', '/api/v1/sla/calendars/office', token, { name: '被改了', mode: '24x7' }),
        403,
        'forbidden',
        { calendar: 'office' },
      );
      await refusedWithoutChange(
        () => ctx.call('PUT', '/api/v1/sla/calendars/new-one', token, { name: '新', mode: '24x7' }),
        403,
        'forbidden',
        { calendar: 'new-one' },
      );
      await refusedWithoutChange(
        () =>
          ctx.call('PUT', '/api/v1/sla/holidays/cn/2029', token, {
            year: 2029,
            source: 'x',
            holidays: [{ date: '2029-01-01', name: '元旦' }],
            workdays: [],
          }),
        403,
        'forbidden',
        {},
      );
    }
    const office = (await calendarRow('office'))?.name;
    assert.notEqual(office, '被改了');

    const res = await ctx.call('PUT', '/api/v1/sla/calendars/weekend', adminAll, {
      name: '周末',
      mode: '24x7',
    });
    assert.equal(res.statusCode, 200, res.body);
    for (const c of [c1, c2])
      assert.deepEqual((await audited(c)).slice(-1), ['sla.calendar_created weekend user:street_admin']);
  });

  it("a chain continues only with a shared policy or its own community's, never another community's", async () => {
    const own = await ctx.call(
      'POST',
      POLICIES,
      admin,
      body({ id: 'c1-base', escalationChain: ['community_head', 'street'] }),
    );
    assert.equal(own.statusCode, 201, own.body);
    // Into its own community's policy, or a shared one: fine.
    const mine = await ctx.call(
      'POST',
      POLICIES,
      admin,
      body({ id: 'c1-chain', priorityBand: 'P3', escalationChain: ['dispatcher', { next: 'c1-base' }] }),
    );
    assert.equal(mine.statusCode, 201, mine.body);
    const shared = await ctx.call(
      'POST',
      POLICIES,
      admin,
      body({ id: 'c1-shared', priorityBand: 'P2', escalationChain: [{ next: 'default-p1' }] }),
    );
    assert.equal(shared.statusCode, 201, shared.body);
    // Community 2's admin cannot even learn that community 1's policy exists …
    const unknown = await refusedWithoutChange(
      () =>
        ctx.call(
          'POST',
          POLICIES,
          admin2,
          body({ id: 'c2-chain', communityId: c2, escalationChain: ['dispatcher', { next: 'c1-base' }] }),
        ),
      400,
      'validation_failed',
      { policy: 'c2-chain' },
    );
    assert.equal((unknown.details as { field?: string }).field, 'escalationChain.1.next');
    assert.match(unknown.message, /no SLA policy c1-base/);
    // … and an admin of both may not send community 2's escalations to community 1's people.
    await refusedWithoutChange(
      () =>
        ctx.call(
          'POST',
          POLICIES,
          adminAll,
          body({ id: 'c2-chain', communityId: c2, escalationChain: ['dispatcher', { next: 'c1-base' }] }),
        ),
      400,
      'validation_failed',
      { policy: 'c2-chain' },
    );
    for (const id of ['c1-chain', 'c1-shared', 'c1-base'])
      assert.equal((await ctx.call('DELETE', `${POLICIES}/${id}`, admin)).statusCode, 204, id);
  });

  it("policy ids are unique per community: two communities may name a policy alike, and neither learns of the other's", async () => {
    const rowsOf = (id: string) =>
      sla()
        .selectFrom('sla_policies')
        .select(['scope', 'community_id'])
        .where('id', '=', id)
        .orderBy('scope')
        .execute();
    const a = await ctx.call(
      'POST',
      POLICIES,
      admin,
      body({ category: 'social_culture', id: 'same-name', priorityBand: 'P1' }),
    );
    assert.equal(a.statusCode, 201, a.body);
    // Before ids were scoped, this answered 409 conflict: it told community 2 that the name was taken.
    const b = await ctx.call(
      'POST',
      POLICIES,
      admin2,
      body({ category: 'social_culture', id: 'same-name', communityId: c2, priorityBand: 'P1' }),
    );
    assert.equal(b.statusCode, 201, b.body);
    assert.deepEqual((await rowsOf('same-name')).map((r) => r.community_id).sort(), [c1, c2].sort());
    assert.equal(((await ctx.call('GET', `${POLICIES}/same-name`, admin)).json() as Policy).communityId, c1);
    assert.equal(((await ctx.call('GET', `${POLICIES}/same-name`, admin2)).json() as Policy).communityId, c2);

    // The same id twice in one community's view (its own or a shared one) is still refused: all visible.
    await refusedWithoutChange(
      () =>
        ctx.call(
          'POST',
          POLICIES,
          admin,
          body({ category: 'social_culture', id: 'same-name', priorityBand: 'P2' }),
        ),
      409,
      'conflict',
      {},
    );
    await refusedWithoutChange(
      () =>
        ctx.call(
          'POST',
          POLICIES,
          admin2,
          body({ category: 'social_culture', id: 'default-p2', communityId: c2, priorityBand: 'P2' }),
        ),
      409,
      'conflict',
      {},
    );
    // A shared one would join both views: refused to the admin of both, who sees both.
    await refusedWithoutChange(
      () =>
        ctx.call(
          'POST',
          POLICIES,
          adminAll,
          withoutCommunity(body({ category: 'social_culture', id: 'same-name', priorityBand: 'P2' })),
        ),
      409,
      'conflict',
      {},
    );
    // Nor may one of them move into the other's community.
    await refusedWithoutChange(
      () =>
        ctx.call(
          'PUT',
          `${POLICIES}/same-name?community=${c1}`,
          adminAll,
          body({ category: 'social_culture', communityId: c2, priorityBand: 'P2' }),
        ),
      409,
      'conflict',
      {},
    );

    // Who serves both says which community's policy is meant (by id or code); without it, a clear 400.
    const which = expectError(
      await ctx.call('GET', `${POLICIES}/same-name`, adminAll),
      400,
      'validation_failed',
    );
    assert.equal((which.details as { field?: string }).field, 'community');
    const byCode = await ctx.call('GET', `${POLICIES}/same-name?community=taoyuan`, adminAll);
    assert.equal(byCode.statusCode, 200, byCode.body);
    assert.equal((byCode.json() as Policy).communityId, c1);
    const changed = await ctx.call(
      'PUT',
      `${POLICIES}/same-name?community=${c2}`,
      adminAll,
      body({ category: 'social_culture', communityId: c2, priorityBand: 'P1', firstResponseMinutes: 30 }),
    );
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(
      ((await ctx.call('GET', `${POLICIES}/same-name`, admin)).json() as Policy).firstResponseMinutes,
      120,
    );
    assert.equal(
      ((await ctx.call('GET', `${POLICIES}/same-name`, admin2)).json() as Policy).firstResponseMinutes,
      30,
    );
    // A shared policy is found from either community's view; a community the caller does not serve finds nothing.
    assert.equal((await ctx.call('GET', `${POLICIES}/default-p2?community=${c2}`, admin2)).statusCode, 200);
    expectError(await ctx.call('GET', `${POLICIES}/same-name?community=${c1}`, admin2), 404, 'not_found');

    // A chain continues with its own community's policy of that name.
    const chain = await ctx.call(
      'POST',
      POLICIES,
      admin2,
      body({
        category: 'social_culture',
        id: 'c2-chain-same',
        communityId: c2,
        priorityBand: 'P3',
        escalationChain: ['grid_leader', { next: 'same-name' }],
      }),
    );
    assert.equal(chain.statusCode, 201, chain.body);
    const rt = await ctx.services.sla.catalog.runtime();
    assert.equal(rt.policyIn(c2, 'same-name')?.communityId, c2);
    assert.equal(rt.policyIn(c1, 'same-name')?.communityId, c1);
    assert.equal(rt.policyIn(c2, 'default-p2')?.communityId, undefined);
    // Community 2 deletes its own; community 1's stays, and its chain still holds community 2's back.
    const blocked = expectError(await ctx.call('DELETE', `${POLICIES}/same-name`, admin2), 409, 'conflict');
    assert.match(blocked.message, /continues with same-name/);
    assert.equal((await ctx.call('DELETE', `${POLICIES}/c2-chain-same`, admin2)).statusCode, 204);
    assert.equal((await ctx.call('DELETE', `${POLICIES}/same-name`, admin2)).statusCode, 204);
    assert.deepEqual(
      (await rowsOf('same-name')).map((r) => r.community_id),
      [c1],
    );
    assert.equal((await ctx.call('DELETE', `${POLICIES}/same-name`, admin)).statusCode, 204);
    assert.deepEqual(await rowsOf('same-name'), []);
  });

  it('both audit chains still verify', async () => {
    for (const [auditor, c] of [
      ['auditor', c1],
      ['auditor2', c2],
    ] as const) {
      const res = await ctx.call('GET', `/api/v1/audit/verify?community=${c}`, await ctx.login(auditor));
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((res.json() as { ok: boolean }).ok, true);
    }
  });
});

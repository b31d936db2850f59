import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface Staff {
  id: string;
  username: string;
  role: string;
  active: boolean;
  communityIds: string[];
}

describe('staff accounts: admins create and change the accounts of their own communities', () => {
  let ctx: TestContext;
  let c1: string;
  let c2: string;
  // Tokens taken once: sign-in is rate-limited per address (20 a minute).
  let admin: string;
  let admin2: string;
  let manager: string;
  let auditor: string;
  before(async () => {
    ctx = await createTestContext();
    [admin, admin2, manager, auditor] = (await Promise.all(
      ['admin', 'admin2', 'manager', 'auditor'].map((u) => ctx.login(u)),
    )) as [string, string, string, string];
    c1 = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
    c2 = ctx.seed.communities.find((c) => c.code !== 'taoyuan')?.id ?? '';
  });
  after(() => ctx.close());

  const auditCount = async (communityId: string, action: string) =>
    Number(
      (
        await ctx.database.db
          .selectFrom('audit_entries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('community_id', '=', communityId)
          .where('action', '=', action)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('creates an account with a temporary password that signs in, and audits it', async () => {
    const res = await ctx.call('POST', '/api/v1/staff', admin, {
      username: 'zhang.wei',
      name: '张伟',
      role: 'agent',
      communityIds: [c1],
    });
    assert.equal(res.statusCode, 201, res.body);
    const { staff, temporaryPassword } = res.json<{ staff: Staff; temporaryPassword: string }>();
    assert.deepEqual(
      [staff.username, staff.role, staff.active, staff.communityIds],
      ['zhang.wei', 'agent', true, [c1]],
    );
    assert.match(temporaryPassword, /^[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){3}$/);
    const token = await ctx.login('zhang.wei', temporaryPassword);
    const me = await ctx.call('GET', '/api/v1/me', token);
    assert.deepEqual(
      [me.json<{ role: string }>().role, me.json<{ mustChangePassword: boolean }>().mustChangePassword],
      ['agent', true],
    );
    // Until the person sets a password of their own, the API serves only who they are, the change and sign-out.
    const blocked = await ctx.call('GET', '/api/v1/work-orders', token);
    assert.equal(blocked.statusCode, 403);
    assert.equal(blocked.json<{ error: { code: string } }>().error.code, 'password_change_required');
    assert.equal(await auditCount(c1, 'user.created'), 1);
    assert.equal(await auditCount(c2, 'user.created'), 0);
    // The person sets a password of their own; the old one stops working.
    const changed = await ctx.call('POST', '/api/v1/me/password', token, {
      currentPassword: temporaryPassword,
      newPassword: 'xin mi ma 2026',
    });
    assert.equal(changed.statusCode, 204, changed.body);
    assert.equal(
      (await ctx.call('GET', '/api/v1/work-orders', token)).statusCode,
      200,
      'served in full once changed',
    );
    assert.equal(
      (await ctx.call('GET', '/api/v1/me', token)).json<{ mustChangePassword: boolean }>().mustChangePassword,
      false,
    );
    assert.equal(
      (
        await ctx.call('POST', '/api/v1/auth/login', undefined, {
          username: 'zhang.wei',
          password: temporaryPassword,
        })
      ).statusCode,
      401,
    );
    await ctx.login('zhang.wei', 'xin mi ma 2026');
    const wrong = await ctx.call('POST', '/api/v1/me/password', token, {
      currentPassword: 'nope',
      newPassword: 'another one 1',
    });
    assert.equal(wrong.statusCode, 400);
    assert.equal(
      wrong.json<{ error: { details: { field: string } } }>().error.details.field,
      'currentPassword',
    );
    // Why a new password is refused travels as `details.reason`, for the apps to say in their language.
    for (const [newPassword, reason] of [
      ['1234567890123', 'only_digits'],
      ['zhang.wei', 'too_short'],
      ['xin mi ma 2026', 'same_as_current'],
    ]) {
      const weak = await ctx.call('POST', '/api/v1/me/password', token, {
        currentPassword: 'xin mi ma 2026',
        newPassword,
      });
      assert.equal(weak.statusCode, 400, weak.body);
      assert.deepEqual(weak.json<{ error: { details: unknown } }>().error.details, {
        field: 'newPassword',
        reason,
      });
    }
  });

  it('refuses bad input with the field named and writes nothing', async () => {
    const before = await ctx.database.db.selectFrom('users').select('id').execute();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ username: 'Bad Name', name: 'x', role: 'agent', communityIds: [c1] }, 400, 'username'],
      [{ username: 'ok.name', name: 'x', role: 'overlord', communityIds: [c1] }, 400, 'role'],
      [{ username: 'ok.name', name: 'x', role: 'agent', communityIds: [] }, 400, 'communityIds'],
      [
        { username: 'ok.name', name: 'x', role: 'agent', communityIds: [c1], password: '12345678901' },
        400,
        'password',
      ],
      [{ username: 'agent', name: 'x', role: 'agent', communityIds: [c1] }, 409, 'username'],
      // A name of invisible characters and spaces only.
      [{ username: 'ok.name', name: '\u202e\u200b \ufeff', role: 'agent', communityIds: [c1] }, 400, 'name'],
    ];
    for (const [body, status, field] of cases) {
      const res = await ctx.call('POST', '/api/v1/staff', admin, body);
      assert.equal(res.statusCode, status, `${JSON.stringify(body)}: ${res.body}`);
      assert.equal(res.json<{ error: { details: { field: string } } }>().error.details.field, field);
    }
    assert.equal((await ctx.database.db.selectFrom('users').select('id').execute()).length, before.length);
    // A name typed with an invisible character and double spaces is kept as people read it.
    const made = await ctx.call('POST', '/api/v1/staff', admin, {
      username: 'tidy.name',
      name: ' 李\u200b  明 ',
      role: 'agent',
      communityIds: [c1],
    });
    assert.equal(made.statusCode, 201, made.body);
    const id = made.json<{ staff: { id: string; name: string } }>().staff.id;
    assert.equal(made.json<{ staff: { name: string } }>().staff.name, '李 明');
    const blank = await ctx.call('PATCH', `/api/v1/staff/${id}`, admin, { name: '\u200b' });
    assert.equal(blank.statusCode, 400, blank.body);
    assert.equal(blank.json<{ error: { details: { field: string } } }>().error.details.field, 'name');
  });

  it("takes a community by its code as by its id, and refuses another community's code as its id", async () => {
    const other = ctx.seed.communities.find((c) => c.id === c2)?.code ?? '';
    const byCode = await ctx.call('POST', '/api/v1/staff', admin, {
      username: 'by.code',
      name: '按代码',
      role: 'agent',
      communityIds: ['taoyuan'],
    });
    assert.equal(byCode.statusCode, 201, byCode.body);
    const made = byCode.json<{ staff: Staff }>().staff;
    assert.deepEqual(made.communityIds, [c1]);
    const again = await ctx.call('PATCH', `/api/v1/staff/${made.id}`, admin, {
      communityIds: ['taoyuan', c1],
    });
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual(again.json<Staff>().communityIds, [c1]);
    for (const ref of [other, c2]) {
      const refused = await ctx.call('PATCH', `/api/v1/staff/${made.id}`, admin, { communityIds: [c1, ref] });
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(
        refused.json<{ error: { details: { reason: string } } }>().error.details.reason,
        'foreign_community',
      );
    }
  });

  it("keeps each admin to their own communities' people", async () => {
    // Giving community 1 to anyone, or creating someone there: forbidden.
    const res = await ctx.call('POST', '/api/v1/staff', admin2, {
      username: 'li.na',
      name: '李娜',
      role: 'dispatcher',
      communityIds: [c1],
    });
    assert.equal(res.statusCode, 403);
    const reason = (r: { json: () => unknown }) =>
      (r.json() as { error: { details: { reason?: string } } }).error.details.reason;
    assert.equal(reason(res), 'foreign_community');
    // Community 1's agent is invisible to admin2: 404, as for an id that does not exist.
    const agentId = await userId(ctx, 'agent');
    const patch = await ctx.call('PATCH', `/api/v1/staff/${agentId}`, admin2, { role: 'admin' });
    assert.equal(patch.statusCode, 404);
    assert.equal((await ctx.call('POST', `/api/v1/staff/${agentId}/password-reset`, admin2)).statusCode, 404);
    // The street admin serves both communities: admin (community 1 only) sees but cannot touch them.
    const streetAdmin = await userId(ctx, 'street_admin');
    const out = await ctx.call('PATCH', `/api/v1/staff/${streetAdmin}`, admin, { active: false });
    assert.equal(out.statusCode, 403, out.body);
    assert.equal(reason(out), 'other_community');
    // Other roles may not manage staff.
    assert.equal(
      (await ctx.call('PATCH', `/api/v1/staff/${agentId}`, manager, { name: 'x' })).statusCode,
      403,
    );
    const me = await userId(ctx, 'admin');
    const self = await ctx.call('PATCH', `/api/v1/staff/${me}`, admin, { role: 'agent' });
    assert.equal(self.statusCode, 403);
    assert.equal(reason(self), 'own_role');
    const off = await ctx.call('PATCH', `/api/v1/staff/${me}`, admin, { active: false });
    assert.equal(off.statusCode, 403);
    assert.equal(reason(off), 'deactivate_self');
    const drop = await ctx.call('PATCH', `/api/v1/staff/${me}`, admin, { communityIds: [] });
    assert.equal(drop.statusCode, 400, 'at least one community, checked first');
  });

  it('deactivating ends the sessions at once; a role change applies on the next request; reset lifts a lockout', async () => {
    const id = await userId(ctx, 'grid_worker');
    const token = await ctx.login('grid_worker');
    assert.equal((await ctx.call('GET', '/api/v1/me', token)).statusCode, 200);

    const promoted = await ctx.call('PATCH', `/api/v1/staff/${id}`, admin, { role: 'dispatcher' });
    assert.equal(promoted.statusCode, 200, promoted.body);
    assert.equal((await ctx.call('GET', '/api/v1/me', token)).json<{ role: string }>().role, 'dispatcher');

    const off = await ctx.call('PATCH', `/api/v1/staff/${id}`, admin, { active: false });
    assert.equal(off.statusCode, 200, off.body);
    assert.equal(off.json<Staff>().active, false);
    assert.equal((await ctx.call('GET', '/api/v1/me', token)).statusCode, 401);
    const login = await ctx.call('POST', '/api/v1/auth/login', undefined, {
      username: 'grid_worker',
      password: 'demo1234',
    });
    assert.equal(login.statusCode, 401);
    assert.equal(await auditCount(c1, 'user.updated'), 2);

    // Lock an account out, then reset it.
    await ctx.call('PATCH', `/api/v1/staff/${id}`, admin, { active: true });
    for (let i = 0; i < 5; i++)
      await ctx.call('POST', '/api/v1/auth/login', undefined, { username: 'grid_worker', password: 'wrong' });
    const locked = await ctx.call('POST', '/api/v1/auth/login', undefined, {
      username: 'grid_worker',
      password: 'demo1234',
    });
    assert.equal(locked.statusCode, 423, 'locked out');
    const reset = await ctx.call('POST', `/api/v1/staff/${id}/password-reset`, admin);
    assert.equal(reset.statusCode, 200, reset.body);
    const afterReset = await ctx.login(
      'grid_worker',
      reset.json<{ temporaryPassword: string }>().temporaryPassword,
    );
    assert.equal(
      (await ctx.call('GET', '/api/v1/work-orders', afterReset)).json<{ error: { code: string } }>().error
        .code,
      'password_change_required',
      'a reset password is a temporary one too',
    );
    const audit = await ctx.call('GET', `/api/v1/audit/verify?community=${c1}`, auditor);
    assert.equal(audit.json<{ ok: boolean }>().ok, true);
  });

  it('lists active accounts for everyone, deactivated ones for admins who ask, with only their own community ids', async () => {
    const id = await userId(ctx, 'provider');
    const off = await ctx.call('PATCH', `/api/v1/staff/${id}`, admin, { active: false });
    assert.equal(off.statusCode, 200, off.body);
    type Row = {
      id: string;
      username: string;
      active: boolean;
      communityIds: string[];
      alsoServesOtherCommunities: boolean;
    };
    const list = async (token: string, extra = '') =>
      (await ctx.call('GET', `/api/v1/staff?community=${c1}${extra}`, token)).json<{ items: Row[] }>().items;
    assert.equal(
      (await list(admin)).find((u) => u.id === id),
      undefined,
      'dispatch lists active people only',
    );
    const all = await list(admin, '&includeInactive=true');
    assert.equal(all.find((u) => u.id === id)?.active, false);
    assert.equal(
      (await list(manager, '&includeInactive=true')).find((u) => u.id === id),
      undefined,
      'admins only',
    );
    const street = all.find((u) => u.username === 'street_admin');
    assert.deepEqual([street?.communityIds, street?.alsoServesOtherCommunities], [[c1], true]);
    assert.ok(!JSON.stringify(all).includes(c2), "another community's id is not shown");
    await ctx.call('PATCH', `/api/v1/staff/${id}`, admin, { active: true });
  });
});

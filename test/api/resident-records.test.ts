/**
 * A resident's record changes, and a household's orders stay with the household: a resident who
 * moves in reads the orders filed for their new household from the day they moved in, not
 * before; one who moves out reads their own orders only; who may change what; a rename keeps
 * the name it replaces (once) as a former name; and the migration that gave orders their
 * household (on both databases).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { migrateTo, migrateToLatest } from '../../src/platform/db/database.ts';

interface ResidentDetail {
  id: string;
  householdId: string | null;
  householdSince: string | null;
  name: string;
  phone: string | null;
  preferredChannel: string | null;
  emergencyContact: { name: string | null; phone: string | null } | null;
  updatedAt: string;
  household: { id: string; address: string; gridId: string | null } | null;
  recentOrders: { id: string }[];
}

const HOUR = 60 * 60_000;

describe('resident records, moves and household history', () => {
  let ctx: TestContext;
  let admin: string;
  let agent: string;
  let wang: string; // 13800000001, household A
  let li: string; // 13800000003, household B
  before(async () => {
    ctx = await createTestContext({ orders: 10 });
    admin = await ctx.login('admin');
    agent = await ctx.login('agent');
    wang = await residentIdByPhone(ctx, '13800000001');
    li = await residentIdByPhone(ctx, '13800000003');
  });
  after(() => ctx.close());

  const file = async (residentId: string, description: string) => {
    const r = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description,
      residentId,
    });
    assert.equal(r.statusCode, 201, r.body);
    return (r.json() as { id: string }).id;
  };
  const resident = async (id: string, token = admin) =>
    (await ctx.call('GET', `/api/v1/residents/${id}`, token)).json() as ResidentDetail;
  const patch = (id: string, token: string, body: Record<string, unknown>) =>
    ctx.call('PATCH', `/api/v1/residents/${id}`, token, body);
  const listed = async (token: string) =>
    (
      (await ctx.call('GET', '/api/v1/work-orders?limit=200', token)).json() as {
        items: { id: string }[];
      }
    ).items.map((o) => o.id);
  /** Signs in as the resident with the phone they have now (earlier tests change phones). */
  const signIn = async (id: string) => {
    const r = await ctx.database.db
      .selectFrom('residents')
      .select('phone')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return ctx.residentLogin(r.phone ?? '');
  };
  const reads = async (token: string, id: string) =>
    (await ctx.call('GET', `/api/v1/work-orders/${id}`, token)).statusCode === 200;

  it('a resident who moves in reads the household’s orders from that day on; one who moves out, only their own', async () => {
    const wangBefore = await file(wang, '王阿姨家水龙头漏水');
    const liBefore = await file(li, '李先生家门锁坏了');
    let liToken = await ctx.residentLogin('13800000003');
    const wangToken = await ctx.residentLogin('13800000001');
    assert.equal(await reads(liToken, wangBefore), false, 'another household');

    ctx.clock.advance(HOUR);
    const home = await resident(wang);
    const stale = (await resident(li)).updatedAt;
    const moved = await patch(li, admin, { home: { address: home.household?.address }, updatedAt: stale });
    assert.equal(moved.statusCode, 200, moved.body);
    const after = moved.json() as ResidentDetail;
    assert.equal(after.householdId, home.householdId, 'joined the household at that address');
    assert.equal(after.householdSince, ctx.clock.now().toISOString());

    liToken = await ctx.residentLogin('13800000003');
    assert.equal(await reads(liToken, wangBefore), false, 'filed for the household before Li moved in');
    assert.ok(!(await listed(liToken)).includes(wangBefore));
    assert.equal(await reads(liToken, liBefore), true, 'their own order goes with them');
    assert.equal(await reads(wangToken, liBefore), false, 'filed in Li’s old home');

    ctx.clock.advance(HOUR);
    const wangAfter = await file(wang, '王阿姨家暖气不热');
    assert.equal(await reads(liToken, wangAfter), true, 'filed since Li moved in');
    assert.ok((await listed(liToken)).includes(wangAfter));
    assert.ok((await listed(wangToken)).includes(wangAfter));

    // Moved away: no household; their own orders stay theirs, the household's do not.
    ctx.clock.advance(HOUR);
    const away = await patch(li, admin, { home: null });
    assert.equal(away.statusCode, 200, away.body);
    assert.equal((away.json() as ResidentDetail).householdId, null);
    liToken = await ctx.residentLogin('13800000003');
    assert.equal(await reads(liToken, wangAfter), false);
    assert.deepEqual(
      (await listed(liToken)).filter((id) => [wangBefore, wangAfter, liBefore].includes(id)),
      [liBefore],
    );
    // The household keeps what was filed there: Wang reads both of her orders still.
    assert.equal(await reads(wangToken, wangBefore), true);
    assert.equal(await reads(wangToken, wangAfter), true);

    const audit = await ctx.database.db
      .selectFrom('audit_entries')
      .select(['action', 'payload_json', 'actor'])
      .where('entity_id', '=', li)
      .where('action', '=', 'resident.updated')
      .orderBy('seq')
      .execute();
    assert.equal(audit.length, 2);
    assert.deepEqual(JSON.parse(audit[0]?.payload_json ?? '{}'), {
      fields: ['home'],
      householdBefore: JSON.parse(audit[0]?.payload_json ?? '{}').householdBefore,
      householdAfter: home.householdId,
    });
    assert.ok(
      !(audit[0]?.payload_json ?? '').includes(home.household?.address ?? '?'),
      'no address in the audit',
    );
  });

  it('a move to a new address makes the household, placed in its grid', async () => {
    const target = await ctx.database.db
      .selectFrom('households')
      .select(['lat', 'lng', 'grid_id'])
      .where('community_id', '=', ctx.seed.communities[0]?.id ?? '')
      .where('grid_id', 'is not', null)
      .where('lat', 'is not', null)
      .executeTakeFirstOrThrow();
    const r = await patch(li, admin, {
      home: {
        address: '桃源村99栋101',
        building: '99栋',
        room: '101',
        location: { lat: target.lat, lng: target.lng },
      },
    });
    assert.equal(r.statusCode, 200, r.body);
    const hh = (r.json() as ResidentDetail).household;
    assert.equal(hh?.address, '桃源村99栋101');
    assert.equal(hh?.gridId, target.grid_id);
  });

  it('who changes what: the register keepers, the phone only unmasked, the resident their contact ways', async () => {
    const before = await resident(wang);
    const count = async () =>
      Number(
        (
          await ctx.database.db
            .selectFrom('audit_entries')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('action', '=', 'resident.updated')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const audits = await count();
    const code = (r: { statusCode: number; body: string }) => [r.statusCode, JSON.parse(r.body).error?.code];

    assert.deepEqual(code(await patch(wang, agent, { name: '王秀兰' })), [403, 'forbidden']);
    const manager = await ctx.login('manager');
    assert.deepEqual(code(await patch(wang, manager, { phone: '13900000000' })), [403, 'forbidden']);
    const taken = await patch(wang, admin, { phone: '13800000003' });
    assert.deepEqual(code(taken), [409, 'conflict']);
    assert.equal(JSON.parse(taken.body).error.details.field, 'phone');
    assert.deepEqual(code(await patch(wang, admin, { phone: '12345' })), [400, 'invalid_input']);
    assert.deepEqual(code(await patch(wang, admin, {})), [400, 'invalid_input']);
    assert.deepEqual(code(await patch(wang, admin, { birthYear: 1800 })), [400, 'invalid_input']);
    assert.deepEqual(code(await patch(wang, admin, { emergencyContact: { phone: 'abc' } })), [
      400,
      'invalid_input',
    ]);
    assert.deepEqual(code(await patch(wang, admin, { preferredChannel: 'fax' })), [400, 'validation_failed']);
    assert.deepEqual(
      code(await patch(wang, admin, { name: '王秀兰', updatedAt: '2020-01-01T00:00:00.000Z' })),
      [409, 'version_conflict'],
    );
    // Not a time at all: a bad request naming the field, not a conflict.
    const garbage = await patch(wang, admin, { name: '王秀兰', updatedAt: 'garbage' });
    assert.deepEqual(code(garbage), [400, 'validation_failed']);
    assert.equal(garbage.json().error.details.field, 'updatedAt');
    const gw = await ctx.login('grid_worker2');
    assert.deepEqual(code(await patch(wang, gw, { name: 'x' })), [404, 'resident_not_found']);
    assert.deepEqual(await resident(wang), before, 'nothing refused changed anything');
    assert.equal(await count(), audits);

    const self = await ctx.residentLogin('13800000001');
    assert.deepEqual(code(await patch(wang, self, { name: '王秀兰' })), [403, 'forbidden']);
    const mine = await patch(wang, self, {
      preferredChannel: 'wechat',
      emergencyContact: { name: '女儿', phone: '0755-26601234' },
    });
    assert.equal(mine.statusCode, 200, mine.body);
    const changed = mine.json() as ResidentDetail;
    assert.equal(changed.preferredChannel, 'wechat');
    assert.deepEqual(changed.emergencyContact, { name: '女儿', phone: '0755-26601234' });
    const byManager = await patch(wang, manager, { name: '王秀兰', birthYear: 1951 });
    assert.equal(byManager.statusCode, 200, byManager.body);
    assert.equal((byManager.json() as ResidentDetail).name, '王秀兰');
    assert.equal((byManager.json() as ResidentDetail).phone, '138****0001', 'still masked for a manager');
    const byAdmin = await patch(wang, admin, { phone: '13800000009' });
    assert.equal((byAdmin.json() as ResidentDetail).phone, '13800000009');
    assert.equal(await count(), audits + 3);
    // Sending the values it already has records no field as changed.
    await patch(wang, admin, { phone: '13800000009', preferredChannel: 'wechat' });
    const last = await ctx.database.db
      .selectFrom('audit_entries')
      .select('payload_json')
      .where('action', '=', 'resident.updated')
      .where('entity_id', '=', wang)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(last.payload_json), { fields: [] });
  });

  it('a move takes effect at once for sessions already signed in (the session cache forgets them)', async () => {
    const home = await resident(wang);
    // Li back into Wang's household; both signed in and their sessions cached.
    assert.equal((await patch(li, admin, { home: { address: home.household?.address } })).statusCode, 200);
    const wangToken = await signIn(wang);
    const liToken = await signIn(li);
    assert.equal((await ctx.call('GET', '/api/v1/me', wangToken)).statusCode, 200);
    assert.equal((await ctx.call('GET', '/api/v1/me', liToken)).statusCode, 200);
    ctx.clock.advance(HOUR);
    const forLi = await file(li, '李先生家楼上漏水');
    assert.equal(await reads(wangToken, forLi), true, 'same household, filed since');
    // Wang moves out: her cached session must not read Li's orders or record any more.
    assert.equal((await patch(wang, admin, { home: null })).statusCode, 200);
    const later = await file(li, '李先生家门口堆物');
    assert.equal(await reads(wangToken, later), false);
    assert.equal(await reads(wangToken, forLi), false);
    assert.ok(!(await listed(wangToken)).includes(later));
    assert.equal((await ctx.call('GET', `/api/v1/residents/${li}`, wangToken)).statusCode, 404);
    assert.equal(
      ((await ctx.call('GET', '/api/v1/me', wangToken)).json() as { householdId: unknown }).householdId,
      null,
    );
  });

  it('null clears a field, a partial emergency contact keeps the other half, and typed names and addresses are tidied', async () => {
    const set = async (body: Record<string, unknown>) => {
      const r = await patch(li, admin, body);
      assert.equal(r.statusCode, 200, r.body);
      return r.json() as ResidentDetail & { birthYear: number | null };
    };
    assert.equal((await set({ birthYear: 1982 })).birthYear, 1982);
    assert.equal((await set({ birthYear: null })).birthYear, null);
    await set({ emergencyContact: { name: '李母', phone: '13700000001' } });
    assert.deepEqual((await set({ emergencyContact: { phone: '0755-26609999' } })).emergencyContact, {
      name: '李母',
      phone: '0755-26609999',
    });
    assert.deepEqual((await set({ emergencyContact: { name: '李父' } })).emergencyContact, {
      name: '李父',
      phone: '0755-26609999',
    });
    assert.equal((await set({ emergencyContact: null })).emergencyContact, null);
    assert.equal((await set({ phone: null })).phone, null);
    assert.equal((await set({ phone: '13800000003' })).phone, '13800000003');
    assert.equal((await set({ name: '  李\u200b建国  ' })).name, '李建国');
    const code = async (body: Record<string, unknown>) => (await patch(li, admin, body)).json().error?.code;
    assert.equal(await code({ name: '\u200b' }), 'invalid_input');
    const a = (await set({ home: { address: '桃源村 12栋  0301' } })).household;
    const b = (await set({ home: { address: '桃源村 12栋 0301' } })).household;
    assert.equal(a?.address, '桃源村 12栋 0301');
    assert.equal(b?.id, a?.id, 'the same address, however spaced, is one household');
  });

  it('two changes at once: one phone is one resident, one address one household', async () => {
    const ids = (
      await ctx.database.db
        .selectFrom('residents')
        .select('id')
        .where('community_id', '=', ctx.seed.communities[0]?.id ?? '')
        .where('phone', 'like', '139%')
        .limit(4)
        .execute()
    ).map((r) => r.id);
    assert.equal(ids.length, 4);
    const [a, b, c, d] = ids as [string, string, string, string];
    for (let round = 0; round < 3; round++) {
      const phone = `1371234567${round}`;
      const codes = (await Promise.all([a, b].map((id) => patch(id, admin, { phone })))).map(
        (r) => r.statusCode,
      );
      assert.deepEqual(codes.sort(), [200, 409], `round ${round}: ${codes}`);
      const holders = await ctx.database.db
        .selectFrom('residents')
        .select('id')
        .where('phone', '=', phone)
        .execute();
      assert.equal(holders.length, 1);
      const address = `竞速路${round}号`;
      const moved = await Promise.all([c, d].map((id) => patch(id, admin, { home: { address } })));
      assert.deepEqual(
        moved.map((r) => r.statusCode),
        [200, 200],
      );
      const homes = await ctx.database.db
        .selectFrom('households')
        .select('id')
        .where('address', '=', address)
        .execute();
      assert.equal(homes.length, 1, `round ${round}: one household at ${address}`);
    }
  });

  it('a move finds a household registered before addresses were tidied, by the address as stored', async () => {
    const c1 = ctx.seed.communities[0]?.id ?? '';
    const untidy = '桃源村 20栋  301';
    await ctx.database.db
      .insertInto('households')
      .values({
        id: 'hh-untidy',
        community_id: c1,
        grid_id: null,
        address: untidy,
        building: null,
        room: null,
        lat: null,
        lng: null,
        created_at: ctx.clock.now().toISOString(),
      })
      .execute();
    const r = await patch(li, admin, { home: { address: untidy } });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal((r.json() as ResidentDetail).householdId, 'hh-untidy');
    const homes = await ctx.database.db
      .selectFrom('households')
      .select('id')
      .where('address', 'in', [untidy, '桃源村 20栋 301'])
      .execute();
    assert.equal(homes.length, 1);
  });

  it('an order takes the household its beneficiary lives in when it commits: a move between reading the request and its commit counts', async () => {
    const [mover, host, left] = (
      await ctx.database.db
        .selectFrom('residents')
        .select('id')
        .where('community_id', '=', ctx.seed.communities[0]?.id ?? '')
        .where('phone', 'like', '139%')
        .orderBy('phone', 'desc')
        .limit(3)
        .execute()
    ).map((r) => r.id) as [string, string, string];
    // The mover lives with `left` at one address; `host` lives at another.
    const settle = async (id: string, address: string) => {
      const r = await patch(id, admin, { home: { address } });
      assert.equal(r.statusCode, 200, r.body);
      return (r.json() as ResidentDetail).householdId;
    };
    const oldHome = await settle(mover, '并发路1号');
    assert.equal(await settle(left, '并发路1号'), oldHome);
    const newHome = await settle(host, '并发路2号');
    assert.notEqual(newHome, oldHome);
    ctx.clock.advance(HOUR);

    // The order for the mover is read (beneficiary and household) first; while it is being
    // understood, the mover's move to the host's address commits; the order commits after it.
    // Two neighbours wait for the move too, so they are likely to commit in the same batch: one
    // for a resident who stays, one for no resident at all.
    const orders = ctx.services.workOrders;
    const understood = ctx.services.classification.port();
    let moved!: () => void;
    const moveCommitted = new Promise<void>((resolve) => (moved = resolve));
    orders.setClassifier({
      understand: async (text, communityId) => {
        if (text === '搬家途中报修：厨房漏水') {
          const r = await patch(mover, admin, { home: { address: '并发路2号' } });
          assert.equal(r.statusCode, 200, r.body);
          moved();
        } else await moveCommitted;
        return understood.understand(text, communityId);
      },
    });
    try {
      const filed = await Promise.all(
        [
          { residentId: mover, description: '搬家途中报修：厨房漏水' },
          { residentId: left, description: '并发路1号楼道灯不亮' },
          { description: '并发路路口井盖松动' },
        ].map(async (body) => {
          const r = await ctx.call('POST', '/api/v1/work-orders', agent, { channel: 'hotline', ...body });
          assert.equal(r.statusCode, 201, r.body);
          return (r.json() as { id: string }).id;
        }),
      );
      const households = await ctx.database.db
        .selectFrom('work_orders')
        .select(['id', 'household_id'])
        .where('id', 'in', filed)
        .execute();
      const of = (id: string | undefined) => households.find((h) => h.id === id)?.household_id;
      assert.equal(of(filed[0]), newHome, 'the household the mover lived in when the order committed');
      assert.equal(of(filed[1]), oldHome);
      assert.equal(of(filed[2]), null);

      const hostToken = await signIn(host);
      const leftToken = await signIn(left);
      assert.equal(await reads(hostToken, filed[0] ?? ''), true, 'filed for the host’s household');
      assert.equal(await reads(leftToken, filed[0] ?? ''), false, 'not for the home the mover had left');
      assert.equal(await reads(await signIn(mover), filed[0] ?? ''), true, 'their own order');
    } finally {
      orders.setClassifier(understood);
    }
  });

  it('two changes prepared against one record in the same millisecond: the second is stale', async () => {
    const other = await ctx.database.db
      .selectFrom('residents')
      .select('id')
      .where('id', 'not in', [wang, li])
      .where('community_id', '=', ctx.seed.communities[0]?.id ?? '')
      .where('erased_at', 'is', null)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    // The clock stands still: every change below happens in the same millisecond.
    const first = await patch(other.id, admin, { birthYear: 1950 });
    assert.equal(first.statusCode, 200, first.body);
    const seen = (first.json() as ResidentDetail).updatedAt;
    const second = await patch(other.id, admin, { birthYear: 1951, updatedAt: seen });
    assert.equal(second.statusCode, 200, second.body);
    assert.ok((second.json() as ResidentDetail).updatedAt > seen, 'a change moves updatedAt on');
    const stale = await patch(other.id, admin, { birthYear: 1952, updatedAt: seen });
    assert.equal(stale.statusCode, 409, stale.body);
    assert.equal(stale.json().error.code, 'version_conflict');
    assert.equal((await ctx.call('GET', `/api/v1/residents/${other.id}`, admin)).json().birthYear, 1951);
  });

  it('a rename keeps the name it replaces as a former name, once, however often it comes back; staff see none of it', async () => {
    const db = ctx.database.db;
    const other = await db
      .selectFrom('residents')
      .select(['id', 'name', 'community_id'])
      .where('id', 'not in', [wang, li])
      .where('community_id', '=', ctx.seed.communities[0]?.id ?? '')
      .where('erased_at', 'is', null)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const [a, b, c] = [other.name, '欧阳明远', '司徒明远'];
    const former = async () =>
      (
        await db
          .selectFrom('resident_former_names')
          .select(['name', 'community_id', 'ended_at'])
          .where('resident_id', '=', other.id)
          .orderBy('name')
          .execute()
      ).map((f) => [f.name, f.community_id, f.ended_at]);
    const times: string[] = [];
    const rename = async (name: string) => {
      ctx.clock.advance(1000);
      times.push(ctx.clock.now().toISOString());
      const r = await patch(other.id, admin, { name });
      assert.equal(r.statusCode, 200, r.body);
    };
    // a → b → a → b → c: each name once, with the last time it was left; today's name is none.
    for (const n of [b, a, b, c]) await rename(n);
    const expected = [
      [a, other.community_id, times[2]],
      [b, other.community_id, times[3]],
    ].sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    assert.deepEqual(await former(), expected);
    // The same name again, a stale change and a refused one record nothing.
    ctx.clock.advance(1000);
    assert.equal((await patch(other.id, admin, { name: c })).statusCode, 200);
    const stale = await patch(other.id, admin, { name: '令狐明远', updatedAt: '2020-01-01T00:00:00.000Z' });
    assert.equal(stale.statusCode, 409, stale.body);
    assert.equal((await patch(other.id, agent, { name: '令狐明远' })).statusCode, 403);
    assert.deepEqual(await former(), expected);
    // Staff reading the record, and the audit of the renames, see no former name.
    for (const token of [admin, agent, await ctx.login('manager')]) {
      const seen = await ctx.call('GET', `/api/v1/residents/${other.id}`, token);
      assert.equal(seen.statusCode, 200, seen.body);
      for (const n of [a, b]) assert.ok(!seen.body.includes(n), `the record shows ${n}`);
    }
    const audited = await db
      .selectFrom('audit_entries')
      .select('payload_json')
      .where('entity_id', '=', other.id)
      .execute();
    assert.ok(audited.length >= 4);
    for (const e of audited)
      for (const n of [a, b, c]) assert.ok(!e.payload_json.includes(n), e.payload_json);
  });

  it('migration 2026120640 gives orders already filed their beneficiary’s household, and residents their start', async () => {
    const db = ctx.database.db;

    await migrateTo(ctx.database, '2026120630_login_attempts');
    await migrateToLatest(ctx.database);
    const orders = await db
      .selectFrom('work_orders')
      .leftJoin('residents', 'residents.id', 'work_orders.beneficiary_id')
      .select([
        'work_orders.household_id as filed',
        'residents.household_id as now',
        'work_orders.beneficiary_id',
      ])
      .execute();
    assert.ok(orders.filter((o) => o.filed !== null).length >= 10);
    for (const o of orders) assert.equal(o.filed, o.beneficiary_id ? o.now : null);
    const residents = await db
      .selectFrom('residents')
      .select(['household_id', 'household_since', 'created_at'])
      .execute();
    for (const r of residents) assert.equal(r.household_since, r.household_id ? r.created_at : null);
  });
});

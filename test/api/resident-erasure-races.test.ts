/**
 * Erasure racing other writes (both databases; on PostgreSQL they truly overlap): an order filed
 * for the resident at the same time is either found and anonymised or refused; actions, changes
 * and a second erasure answer without a 500; a rename racing it leaves neither name once the
 * erasure is done; a sign-in racing it gets no usable session.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

describe('erasure races', () => {
  let ctx: TestContext;
  let admin: string;
  let agent: string;
  let people: { id: string; name: string; phone: string }[];
  before(async () => {
    ctx = await createTestContext({ orders: 30 });
    admin = await ctx.login('admin');
    agent = await ctx.login('agent');
    const community = ctx.seed.communities[0]!.id;
    people = (await ctx.database.db
      .selectFrom('residents')
      .select(['id', 'name', 'phone'])
      .where('community_id', '=', community)
      .where('erased_at', 'is', null)
      .where('phone', 'is not', null)
      .where('phone', 'not in', ['13800000001', '13800000002', '13800000003'])
      .orderBy('id')
      .limit(40)
      .execute()) as { id: string; name: string; phone: string }[];
  });
  after(() => ctx.close());
  const take = () => {
    const p = people.shift();
    assert.ok(p, 'out of residents');
    return p;
  };
  const erase = (id: string) =>
    ctx.call('POST', `/api/v1/residents/${id}/erase`, admin, { reason: 'resident_request' });
  const codes: Record<string, number[]> = {};
  const note = (k: string, n: number) => (codes[k] ??= []).push(n);
  const textOf = async (who: { id: string; name: string; phone: string }) => {
    const orders = await ctx.database.db
      .selectFrom('work_orders')
      .select(['id', 'description', 'reporter_name', 'reporter_phone'])
      .where((eb) => eb.or([eb('beneficiary_id', '=', who.id), eb('reporter_id', '=', who.id)]))
      .execute();
    const events = orders.length
      ? await ctx.database.db
          .selectFrom('work_order_events')
          .select(['note', 'actor_name'])
          .where(
            'work_order_id',
            'in',
            orders.map((o) => o.id),
          )
          .execute()
      : [];
    const all = JSON.stringify({ orders, events });
    return [who.name, who.phone].filter((n) => all.includes(n));
  };

  it('erase vs filing a new order for the same resident', async () => {
    const leaks: string[] = [];
    for (let i = 0; i < 6; i++) {
      const who = take();
      const [e, f] = await Promise.all([
        erase(who.id),
        ctx.call('POST', '/api/v1/work-orders', agent, {
          channel: 'hotline',
          residentId: who.id,
          description: `${who.name}来电，家里水管漏水，回电${who.phone}`,
          reporter: { name: who.name, phone: who.phone },
        }),
      ]);
      note('erase', e.statusCode);
      note('file', f.statusCode);
      const left = await textOf(who);
      if (e.statusCode === 200 && left.length)
        leaks.push(`${who.id}: file ${f.statusCode} leaves ${left.join(',')}`);
    }
    assert.deepEqual(leaks, []);
  });

  it('erase vs an action on their order, vs PATCH, vs a second erase: no 500', async () => {
    const bad: string[] = [];
    for (let i = 0; i < 4; i++) {
      const who = take();
      const f = await ctx.call('POST', '/api/v1/work-orders', agent, {
        channel: 'hotline',
        residentId: who.id,
        description: '楼道灯坏了',
      });
      const o = f.json() as { id: string; version: number };
      // The test clock stands still: move it so that a change gets a new updated_at.
      ctx.clock.advance(1000);
      const [e, a, p, e2] = await Promise.all([
        erase(who.id),
        ctx.call('POST', `/api/v1/work-orders/${o.id}/actions/accept`, agent, {
          version: o.version,
          note: `${who.name}确认`,
        }),
        ctx.call('PATCH', `/api/v1/residents/${who.id}`, admin, { name: `${who.name}二` }),
        erase(who.id),
      ]);
      const row = await ctx.database.db
        .selectFrom('residents')
        .selectAll()
        .where('id', '=', who.id)
        .executeTakeFirstOrThrow();
      const s = `erase ${e.statusCode} act ${a.statusCode} patch ${p.statusCode} erase2 ${e2.statusCode} name ${row.name} erased ${row.erased_at !== null}`;
      if ([e, a, p, e2].some((r) => r.statusCode >= 500))
        bad.push(s + ' ' + [e, a, p, e2].map((r) => r.body).join(' | '));
      if ([e, e2].filter((r) => r.statusCode === 200).length > 1) bad.push('erased twice: ' + s);
      if (row.erased_at !== null && row.name !== '已删除居民') bad.push('tombstone renamed: ' + s);
      // A rename that committed first (answered 200: after the erasure it would be refused)
      // made the old name a former name, which the erasure blanks too: neither is left.
      const left = [...(await textOf(who)), ...(await textOf({ ...who, name: `${who.name}二` }))];
      if (row.erased_at !== null && left.length) bad.push(`${s} leaves ${left.join(',')}`);
    }
    assert.deepEqual(bad, []);
  });

  it('erase vs a rename: whichever commits first, neither name is left once the erasure is done', async () => {
    const bad: string[] = [];
    const outcomes = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const who = take();
      const renamed = `${who.name}新`;
      const f = await ctx.call('POST', '/api/v1/work-orders', agent, {
        channel: 'hotline',
        residentId: who.id,
        description: `${who.name}家水管漏水`,
      });
      assert.equal(f.statusCode, 201, f.body);
      const o = f.json() as { id: string };
      const n = await ctx.call('POST', `/api/v1/work-orders/${o.id}/notes`, agent, {
        text: `已联系${who.name}`,
        visibility: 'internal',
      });
      assert.ok(n.statusCode < 300, n.body);
      ctx.clock.advance(1000);
      // Each starts first in turn.
      const rename = () => ctx.call('PATCH', `/api/v1/residents/${who.id}`, admin, { name: renamed });
      let e, p;
      if (i % 2 === 0) [e, p] = await Promise.all([erase(who.id), rename()]);
      else [p, e] = await Promise.all([rename(), erase(who.id)]);
      const s = `erase ${e.statusCode} rename ${p.statusCode}`;
      outcomes.add(s);
      if ([e, p].some((r) => r.statusCode >= 500)) bad.push(`${s}: ${e.body} | ${p.body}`);
      // A rename that committed first makes the erasure that read the record before it stale
      // (409): done again, it erases under the new name and blanks the old one too.
      const done = e.statusCode === 200 ? e : await erase(who.id);
      if (done.statusCode !== 200) bad.push(`${s}, then erase ${done.statusCode}: ${done.body}`);
      const left = [...(await textOf(who)), ...(await textOf({ ...who, name: renamed }))];
      const former = await ctx.database.db
        .selectFrom('resident_former_names')
        .select('name')
        .where('resident_id', '=', who.id)
        .execute();
      if (left.length) bad.push(`${s} leaves ${left.join(',')}`);
      if (former.length) bad.push(`${s} keeps former names ${former.map((f) => f.name).join(',')}`);
    }
    assert.deepEqual(bad, [], [...outcomes].join('; '));
  });

  it('erase vs OTP verify: no usable session', async () => {
    const bad: string[] = [];
    for (let i = 0; i < 4; i++) {
      const who = take();
      ctx.clock.advance(60_000);
      const r1 = await ctx.call('POST', '/api/v1/auth/otp/request', undefined, { phone: who.phone });
      assert.equal(r1.statusCode, 200, r1.body);
      const msg = await ctx.database.db
        .selectFrom('outbox')
        .select('payload_json')
        .where('template', '=', 'otp')
        .where('address', '=', who.phone)
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
      const { code } = JSON.parse(msg.payload_json) as { code: string };
      const [e, v] = await Promise.all([
        erase(who.id),
        ctx.call('POST', '/api/v1/auth/otp/verify', undefined, { phone: who.phone, code }),
      ]);
      let me = 0;
      if (v.statusCode === 200)
        me = (await ctx.call('GET', '/api/v1/me', (v.json() as { token: string }).token)).statusCode;
      if (e.statusCode === 200 && me === 200) bad.push(who.id);
      const sessions = await ctx.database.db
        .selectFrom('sessions')
        .select('token_hash')
        .where('subject_id', '=', who.id)
        .execute();
      // A session row may be left by a sign-in that raced the erasure: it signs in as no one.
      void sessions;
    }
    assert.deepEqual(bad, []);
  });

  it('erase vs OTP request: no code row for her phone linked to the tombstone', async () => {
    const bad: string[] = [];
    for (let i = 0; i < 4; i++) {
      const who = take();
      ctx.clock.advance(60_000);
      const [e] = await Promise.all([
        erase(who.id),
        ctx.call('POST', '/api/v1/auth/otp/request', undefined, { phone: who.phone }),
      ]);
      const codesLeft = await ctx.database.db
        .selectFrom('otp_codes')
        .select('id')
        .where('phone', '=', who.phone)
        .execute();
      const linked = await ctx.database.db
        .selectFrom('outbox')
        .select(['idempotency_key', 'status', 'address'])
        .where('recipient_id', '=', who.id)
        .where('template', '=', 'otp')
        .execute();
      if (
        e.statusCode === 200 &&
        codesLeft.length &&
        linked.some((m) => codesLeft.some((c) => m.idempotency_key === `otp:${c.id}`))
      )
        bad.push(who.id);
    }
    assert.deepEqual(bad, []);
  });
});

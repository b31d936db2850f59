/**
 * Erasing a resident's personal data (个人信息删除): the record becomes a tombstone, the orders
 * filed by or for them stay (counted) with their name and contact data blanked from every text,
 * their sessions, codes, pending messages and inbox go, the audit chain still verifies and holds
 * none of it; who may erase, and what a refused erasure leaves (nothing changed).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { createChannelAdapters } from '../../src/modules/notifications/adapters.ts';
import type { SmsProvider } from '../../src/modules/notifications/adapters.ts';
import { deliverDue } from '../../src/modules/notifications/outbox.worker.ts';
import { silentLogger } from '../../src/platform/context.ts';
import type { NotificationTables } from '../../src/modules/notifications/notifications.tables.ts';
import type { FeedbackTables } from '../../src/modules/feedback/feedback.tables.ts';

interface Order {
  id: string;
  version: number;
  status: string;
  description: string;
  reporter: { name: string | null; phone: string | null };
  beneficiary: { id: string; name: string; phone: string | null } | null;
  ratingComment: string | null;
  timeline: { actor: { name: string | null } | null; note: string | null }[];
}

const WANG_PHONE = '13800000001';
const STRANGER_ID = '110101199003074512';

describe('erasing a resident’s personal data', () => {
  let ctx: TestContext;
  let admin: string;
  let agent: string;
  let wang: string;
  before(async () => {
    ctx = await createTestContext({ orders: 10 });
    admin = await ctx.login('admin');
    agent = await ctx.login('agent');
    wang = await residentIdByPhone(ctx, WANG_PHONE);
  });
  after(() => ctx.close());

  const erase = (id: string, token: string, body: Record<string, unknown> = { reason: 'resident_request' }) =>
    ctx.call('POST', `/api/v1/residents/${id}/erase`, token, body);
  const order = async (id: string, token = admin) =>
    (await ctx.call('GET', `/api/v1/work-orders/${id}`, token)).json() as Order;
  const act = async (id: string, token: string, action: string, body: Record<string, unknown> = {}) => {
    const o = await order(id);
    const r = await ctx.call('POST', `/api/v1/work-orders/${id}/actions/${action}`, token, {
      version: o.version,
      ...body,
    });
    assert.equal(r.statusCode, 200, `${action}: ${r.body}`);
  };
  const residentRow = (id: string) =>
    ctx.database.db.selectFrom('residents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('refuses every role but admin, another community’s admin as no one, and a reason that is not a code; nothing changes', async () => {
    const before = await residentRow(wang);
    for (const who of ['manager', 'agent', 'dispatcher', 'grid_worker']) {
      const r = await erase(wang, await ctx.login(who));
      assert.equal(r.statusCode, 403, `${who}: ${r.body}`);
    }
    const other = await erase(wang, await ctx.login('admin2'));
    assert.equal(other.statusCode, 404, other.body);
    assert.equal((other.json() as { error: { code: string } }).error.code, 'resident_not_found');
    const self = await erase(wang, await ctx.residentLogin(WANG_PHONE));
    assert.equal(self.statusCode, 403, 'a resident asks the community; an admin erases');
    const bad = await erase(wang, admin, { reason: 'because' });
    assert.equal(bad.statusCode, 400, bad.body);
    const stale = await erase(wang, admin, {
      reason: 'resident_request',
      updatedAt: '2020-01-01T00:00:00.000Z',
    });
    assert.equal(stale.statusCode, 409, stale.body);
    assert.equal((stale.json() as { error: { code: string } }).error.code, 'version_conflict');
    assert.deepEqual(await residentRow(wang), before);
  });

  it('leaves a tombstone and anonymised orders, ends sessions and messages, and keeps the chain verifiable', async () => {
    // Wang files one herself (her phone, her name as neighbours say it, a stranger's ID number)
    // and confirms it with a comment; an agent files one for her from her call.
    const wangToken = await ctx.residentLogin(WANG_PHONE);
    const own = await ctx.call('POST', '/api/v1/work-orders', wangToken, {
      channel: 'web',
      description: `我是王秀英，楼道灯坏了，王阿姨腿脚不好，电话${WANG_PHONE}，邻居身份证${STRANGER_ID}`,
    });
    assert.equal(own.statusCode, 201, own.body);
    const ownId = (own.json() as { id: string }).id;
    // Staff write her name and her family's number into the timeline.
    const reply = await ctx.call('POST', `/api/v1/work-orders/${ownId}/notes`, agent, {
      text: `已联系王阿姨女儿，电话13712340001`,
      visibility: 'public',
    });
    assert.equal(reply.statusCode, 201, reply.body);
    const dispatcher = await ctx.login('dispatcher');
    const provider = await ctx.login('provider');
    const providerId = (
      await ctx.database.db
        .selectFrom('users')
        .select('id')
        .where('username', '=', 'provider')
        .executeTakeFirstOrThrow()
    ).id;
    await act(ownId, agent, 'accept');
    await act(ownId, dispatcher, 'dispatch', { assigneeId: providerId });
    await act(ownId, provider, 'start');
    await act(ownId, provider, 'resolve', { note: '已更换灯泡，王阿姨确认' });
    await act(ownId, wangToken, 'confirm', { rating: 5, comment: '谢谢，王秀英' });

    const call = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '老人来电：家里水管漏水',
      residentId: wang,
      reporter: { name: '王秀英', phone: WANG_PHONE },
    });
    assert.equal(call.statusCode, 201, call.body);
    const callId = (call.json() as { id: string }).id;
    // A neighbour who reported for her keeps their own name and phone.
    const neighbour = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '邻居来电：王阿姨家门口有积水',
      residentId: wang,
      reporter: { name: '张邻居', phone: '13955550000', relation: 'neighbour' },
    });
    assert.equal(neighbour.statusCode, 201, neighbour.body);
    const neighbourId = (neighbour.json() as { id: string }).id;

    const ordersBefore = await ctx.database.db
      .selectFrom('work_orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const pending = await ctx.database.db
      .selectFrom('outbox')
      .select(['id'])
      .where('recipient_type', '=', 'resident')
      .where('recipient_id', '=', wang)
      .where('status', '=', 'pending')
      .execute();
    assert.ok(pending.length > 0, 'messages to her are waiting to be sent');

    const r = await erase(wang, admin, { reason: 'resident_request' });
    assert.equal(r.statusCode, 200, r.body);
    const report = r.json() as {
      orders: number;
      events: number;
      sessions: number;
      messagesCancelled: number;
      inboxItems: number;
      erasedAt: string;
    };
    assert.ok(report.orders >= 3, `orders anonymised: ${report.orders}`);
    assert.ok(report.events >= 2, `events: ${report.events}`);
    assert.ok(report.sessions >= 1, `sessions: ${report.sessions}`);
    assert.equal(report.messagesCancelled, pending.length);

    // The tombstone.
    const tomb = (await ctx.call('GET', `/api/v1/residents/${wang}`, admin)).json() as Record<
      string,
      unknown
    >;
    assert.equal(tomb.name, '已删除居民');
    for (const k of [
      'phone',
      'idNumber',
      'birthYear',
      'emergencyContact',
      'preferredChannel',
      'householdId',
      'household',
    ])
      assert.equal(tomb[k], null, k);
    assert.equal(tomb.tags, null, 'no groups, and no consent');
    assert.equal(tomb.erasedAt, report.erasedAt);
    assert.ok((tomb.recentOrders as unknown[]).length >= 3, 'her orders are still hers');

    // Her orders stay, anonymised; nothing of her remains in their text.
    const countAfter = await ctx.database.db
      .selectFrom('work_orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(countAfter.n), Number(ordersBefore.n));
    const o = await order(ownId);
    assert.equal(o.status, 'closed');
    for (const text of [
      o.description,
      o.ratingComment ?? '',
      ...o.timeline.map((e) => `${e.actor?.name ?? ''} ${e.note ?? ''}`),
    ]) {
      assert.doesNotMatch(text, /王秀英|王阿姨|13800000001|13712340001|110101199003074512/, text);
    }
    assert.match(o.description, /楼道灯坏了/, 'what happened stays');
    assert.equal(o.beneficiary?.name, '已删除居民');
    assert.equal(o.beneficiary?.phone, null);
    const c = await order(callId);
    assert.deepEqual([c.reporter.name, c.reporter.phone], [null, null], 'her call');
    const n = await order(neighbourId);
    assert.deepEqual(
      [n.reporter.name, n.reporter.phone],
      ['张邻居', '13955550000'],
      'the neighbour keeps theirs',
    );
    assert.doesNotMatch(n.description, /王阿姨/);
    // Search finds her neither by phone nor by name.
    for (const q of [WANG_PHONE, '王秀英']) {
      const found = (
        await ctx.call('GET', `/api/v1/work-orders?q=${encodeURIComponent(q)}`, admin)
      ).json() as {
        items: unknown[];
      };
      assert.equal(found.items.length, 0, q);
    }
    // Nor do the rows behind the API: labels, surveys, events, messages.
    const labels = await ctx.database.db
      .selectFrom('classification_labels')
      .select('text')
      .where('work_order_id', 'in', [ownId, callId, neighbourId])
      .execute();
    for (const l of labels) assert.doesNotMatch(l.text, /王秀英|13800000001/);
    const fb = ctx.database.db.withTables<FeedbackTables & NotificationTables>();
    for (const s of await fb
      .selectFrom('satisfaction_surveys')
      .select('comment')
      .where('resident_id', '=', wang)
      .execute())
      assert.doesNotMatch(s.comment ?? '', /王秀英/);
    const msgs = await fb
      .selectFrom('outbox')
      .select(['status', 'address'])
      .where('recipient_type', '=', 'resident')
      .where('recipient_id', '=', wang)
      .execute();
    assert.ok(
      msgs.every((m) => m.address === null && m.status !== 'pending'),
      JSON.stringify(msgs),
    );
    const inbox = await fb.selectFrom('inbox_items').select('id').where('recipient_id', '=', wang).execute();
    assert.equal(inbox.length, 0);

    // She is signed out, and her phone signs in as no one (it may be registered again).
    assert.equal((await ctx.call('GET', '/api/v1/me', wangToken)).statusCode, 401);
    const lookup = (
      await ctx.call('GET', `/api/v1/residents?phone=${WANG_PHONE}`, agent)
    ).json() as unknown[];
    assert.equal(lookup.length, 0);

    // The chain verifies, records the erasure, and holds none of her data.
    const verify = (
      await ctx.call('GET', `/api/v1/audit/verify?community=${tomb.communityId as string}`, admin)
    ).json() as {
      ok: boolean;
    };
    assert.equal(verify.ok, true);
    // (The demo erased one of its own residents at seeding: only hers are counted.)
    const entries = (
      await ctx.database.db
        .selectFrom('audit_entries')
        .select(['action', 'entity_id', 'payload_json'])
        .where('action', 'in', ['resident.erased', 'work_order.anonymised'])
        .execute()
    ).filter((e) => e.entity_id === wang || e.payload_json.includes(wang));
    assert.equal(entries.filter((e) => e.action === 'resident.erased').length, 1);
    assert.equal(entries.filter((e) => e.action === 'work_order.anonymised').length, report.orders);
    for (const e of entries) assert.doesNotMatch(e.payload_json, /王秀英|13800000001/);
    assert.match(entries.find((e) => e.action === 'resident.erased')?.payload_json ?? '', /resident_request/);
  });

  it('refuses to change, erase again or file for an erased record', async () => {
    const again = await erase(wang, admin);
    assert.equal(again.statusCode, 409, again.body);
    assert.equal((again.json() as { error: { code: string } }).error.code, 'conflict');
    const patch = await ctx.call('PATCH', `/api/v1/residents/${wang}`, admin, { name: '王秀英' });
    assert.equal(patch.statusCode, 409, patch.body);
    const groups = await ctx.call('PATCH', `/api/v1/residents/${wang}/groups`, admin, {
      tagsConsent: true,
      tags: ['elderly_alone'],
    });
    assert.equal(groups.statusCode, 409, groups.body);
    const file = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '为已删除的居民报修',
      residentId: wang,
    });
    assert.equal(file.statusCode, 404, file.body);
    assert.equal((await residentRow(wang)).name, '已删除居民');
  });

  it('does not send a message enqueued for an erased resident after the erasure', async () => {
    // Her old order moves on: the resident is told, in principle; the worker cancels it.
    const [mine] = await ctx.database.db
      .selectFrom('work_orders')
      .select('id')
      .where('beneficiary_id', '=', wang)
      .where('status', '=', 'submitted')
      .execute();
    assert.ok(mine, 'an open order of hers');
    await act(mine.id, agent, 'accept');
    const sent: string[] = [];
    const sms: SmsProvider = {
      async send(to) {
        sent.push(to);
      },
    };
    const { adapters } = createChannelAdapters(ctx.database, ctx.clock, silentLogger, { sms });
    await deliverDue(ctx.database, ctx.clock, adapters, { limit: 500 });
    const fb = ctx.database.db.withTables<NotificationTables>();
    const hers = await fb
      .selectFrom('outbox')
      .select(['status', 'address'])
      .where('recipient_type', '=', 'resident')
      .where('recipient_id', '=', wang)
      .execute();
    assert.ok(hers.length > 0);
    assert.ok(
      hers.every((m) => m.status === 'cancelled' || m.status === 'delivered'),
      JSON.stringify(hers),
    );
    assert.ok(!sent.includes(WANG_PHONE));
    const inbox = await fb.selectFrom('inbox_items').select('id').where('recipient_id', '=', wang).execute();
    assert.equal(inbox.length, 0, 'no inbox item for an erased resident');
  });
});

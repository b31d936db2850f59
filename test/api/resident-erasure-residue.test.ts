/**
 * After erasing a resident whose orders went through referral, rejection, supervision (督办),
 * emergency alerts and family notices, every column of every table is scanned for their name,
 * phone, ID number and emergency contact's phone: none is left, and the API shows none. Likewise
 * for a resident renamed twice, with text naming them by each name written while it was theirs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createTestContext, residentIdByPhone, userId } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { createChannelAdapters } from '../../src/modules/notifications/adapters.ts';
import type { SmsProvider } from '../../src/modules/notifications/adapters.ts';
import { deliverDue } from '../../src/modules/notifications/outbox.worker.ts';
import { silentLogger } from '../../src/platform/context.ts';

const WANG_PHONE = '13800000001';

export async function scanDatabase(ctx: TestContext, needles: string[]) {
  const db = ctx.database.db;
  const tables =
    ctx.database.dialect === 'postgres'
      ? (
          await sql<{ name: string }>`select table_name as name from information_schema.tables
             where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)
        ).rows.map((r) => r.name)
      : (
          await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)
        ).rows.map((r) => r.name);
  const hits: string[] = [];
  for (const t of tables.sort()) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(t)}`.execute(db)).rows;
    for (const row of rows) {
      for (const [col, v] of Object.entries(row)) {
        if (v === null || v === undefined) continue;
        const s =
          Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : String(v);
        for (const n of needles)
          if (s.includes(n)) {
            const i = s.indexOf(n);
            hits.push(`${t}.${col} has "${n}": …${s.slice(Math.max(0, i - 60), i + 60)}…`);
          }
      }
    }
  }
  return hits;
}

describe('erasure: nothing of the person is left in any table', () => {
  let ctx: TestContext;
  let admin: string;
  let agent: string;
  let wang: string;
  let needles: string[];
  const sent: { to: string; text: string; key: string }[] = [];
  const sms: SmsProvider = {
    async send(to, text, key) {
      sent.push({ to, text, key });
    },
  };
  const deliver = () =>
    deliverDue(
      ctx.database,
      ctx.clock,
      createChannelAdapters(ctx.database, ctx.clock, silentLogger, { sms }).adapters,
      {
        limit: 1000,
      },
    );

  before(async () => {
    ctx = await createTestContext({ orders: 4 });
    admin = await ctx.login('admin');
    agent = await ctx.login('agent');
    wang = await residentIdByPhone(ctx, WANG_PHONE);
  });
  after(() => ctx.close());

  const order = async (id: string, token = admin) =>
    (await ctx.call('GET', `/api/v1/work-orders/${id}`, token)).json() as {
      id: string;
      version: number;
      status: string;
      assignee: { id: string } | null;
      timeline: { type: string; note: string | null; data: unknown }[];
    };
  const act = async (id: string, token: string, action: string, body: Record<string, unknown> = {}) => {
    const o = await order(id);
    const r = await ctx.call('POST', `/api/v1/work-orders/${id}/actions/${action}`, token, {
      version: o.version,
      ...body,
    });
    assert.equal(r.statusCode, 200, `${action}: ${r.body}`);
  };
  const file = async (description: string, extra: Record<string, unknown> = {}) => {
    const r = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      residentId: wang,
      description,
      ...extra,
    });
    assert.equal(r.statusCode, 201, r.body);
    return r.json() as { id: string; status: string; urgency: string; assignee: { id: string } | null };
  };

  it('nothing of her is stored anywhere after erasure', async () => {
    const row = await ctx.database.db
      .selectFrom('residents')
      .selectAll()
      .where('id', '=', wang)
      .executeTakeFirstOrThrow();
    needles = [row.name, WANG_PHONE, row.id_number ?? 'x-none', row.emergency_contact_phone ?? 'x-none'];

    // A: an emergency for her: the emergency lane alerts responder, grid worker and her family.
    const a = await file('王秀英在家摔倒了起不来');
    assert.equal(a.urgency, 'critical', 'precondition: emergency rule');
    // B: referred elsewhere with her name and number in "where to".
    const b = await file('家里水管漏水');
    await act(b.id, agent, 'refer', { referredTo: `区民政局（王秀英 ${WANG_PHONE}）` });
    // C: supervised, with her name in the reason and the answer.
    const c = await file('楼道灯坏了');
    const manager = await ctx.login('manager');
    const sup = await ctx.call('POST', `/api/v1/work-orders/${c.id}/supervisions`, manager, {
      reason: '王秀英多次来电催办',
      dueInMinutes: 60,
    });
    assert.equal(sup.statusCode, 201, sup.body);
    const supId = (sup.json() as { id: string }).id;
    const resp = await ctx.call('POST', `/api/v1/supervisions/${supId}/respond`, manager, {
      response: '已联系王秀英，明日上门',
    });
    assert.ok([200, 403].includes(resp.statusCode), resp.body);
    // D: dispatched to a provider who rejects it naming her.
    const d = await file('门锁坏了');
    await act(d.id, agent, 'accept').catch(() => undefined);
    const dispatcher = await ctx.login('dispatcher');
    const providerId = await userId(ctx, 'provider');
    const dd = await order(d.id);
    if (dd.status !== 'dispatched') await act(d.id, dispatcher, 'dispatch', { assigneeId: providerId });
    const assignee = (await order(d.id)).assignee?.id;
    const provider = await ctx.login(assignee === providerId ? 'provider' : 'provider');
    const rej = await ctx.call('POST', `/api/v1/work-orders/${d.id}/actions/reject`, provider, {
      version: (await order(d.id)).version,
      reason: `王秀英不在家，${WANG_PHONE}无人接`,
    });
    assert.equal(rej.statusCode, 200, rej.body);

    await deliver();
    const sentBefore = sent.length;

    const r = await ctx.call('POST', `/api/v1/residents/${wang}/erase`, admin, {
      reason: 'resident_request',
    });
    assert.equal(r.statusCode, 200, r.body);
    await deliver();

    const hits = await scanDatabase(ctx, needles);

    // What the API shows.
    const ob = await order(b.id);
    const sups = await ctx.call('GET', `/api/v1/work-orders/${c.id}/supervisions`, admin);
    const gridWorker = await ctx.login('grid_worker');
    const inbox = await ctx.call('GET', '/api/v1/inbox', gridWorker);
    const leaked = needles.filter((n) => inbox.body.includes(n));
    const sentAfter = sent.slice(sentBefore).filter((s) => needles.some((n) => s.text.includes(n)));
    assert.deepEqual(hits, []);
    for (const n of needles) {
      assert.ok(!JSON.stringify(ob).includes(n), `the order shows ${n}`);
      assert.ok(!sups.body.includes(n), `the supervisions show ${n}`);
    }
    assert.deepEqual(leaked, [], 'the grid worker’s inbox');
    assert.deepEqual(sentAfter, [], 'messages sent after the erasure');
  });

  it('nothing of a renamed resident is stored anywhere after erasure, under any name they had', async () => {
    const LI_PHONE = '13800000003';
    const li = await residentIdByPhone(ctx, LI_PHONE);
    const row = await ctx.database.db
      .selectFrom('residents')
      .selectAll()
      .where('id', '=', li)
      .executeTakeFirstOrThrow();
    const first = row.name;
    const [second, third] = ['欧阳明远', '司徒明远'];
    const names = [first, second, third];
    const rename = async (name: string) => {
      ctx.clock.advance(1000);
      const r = await ctx.call('PATCH', `/api/v1/residents/${li}`, admin, { name });
      assert.equal(r.statusCode, 200, r.body);
    };
    const note = async (orderId: string, text: string, visibility: 'public' | 'internal') => {
      const r = await ctx.call('POST', `/api/v1/work-orders/${orderId}/notes`, agent, { text, visibility });
      assert.ok(r.statusCode < 300, r.body);
    };
    const fileFor = async (description: string) => {
      const r = await ctx.call('POST', '/api/v1/work-orders', agent, {
        channel: 'hotline',
        residentId: li,
        description,
      });
      assert.equal(r.statusCode, 201, r.body);
      return (r.json() as { id: string }).id;
    };
    // While each name is theirs, text names them by it: an order's description, notes, a survey.
    const a = await fileFor(`${first}家门锁坏了，${first}说下午在家`);
    await note(a, `已联系${first}，明天上门`, 'public');
    await note(a, `${first}上次也报过`, 'internal');
    await rename(second);
    const b = await fileFor(`楼道灯坏了，${second}来电`);
    await note(b, `${second}催办`, 'internal');
    await note(a, `${second}又来电问门锁`, 'internal');
    await rename(third);
    // Before: the names are there (so the scan below has something to find), and two former names.
    const before = await scanDatabase(ctx, names);
    for (const n of [first, second])
      assert.ok(
        before.some((h) => h.includes(`"${n}"`) && h.startsWith('work_order')),
        `precondition: text names them ${n}`,
      );
    const formerRows = await ctx.database.db
      .selectFrom('resident_former_names')
      .select(['name', 'community_id'])
      .where('resident_id', '=', li)
      .orderBy('ended_at')
      .execute();
    assert.deepEqual(
      formerRows.map((f) => [f.name, f.community_id]),
      [
        [first, row.community_id],
        [second, row.community_id],
      ],
    );

    const r = await ctx.call('POST', `/api/v1/residents/${li}/erase`, admin, { reason: 'resident_request' });
    assert.equal(r.statusCode, 200, r.body);
    await deliver();

    assert.deepEqual(await scanDatabase(ctx, [...names, LI_PHONE]), []);
    const left = await ctx.database.db
      .selectFrom('resident_former_names')
      .select('name')
      .where('resident_id', '=', li)
      .execute();
    assert.deepEqual(left, [], 'the former names go with the erasure');
    for (const id of [a, b]) {
      const shown = JSON.stringify(await order(id));
      for (const n of names) assert.ok(!shown.includes(n), `order ${id} shows ${n}`);
    }
  });
});

describe('erasure: nothing of the person is left in the bytes of the database file', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 40 });
  });
  after(() => ctx.close());

  it('no freed cell, old page or old search token in the file or its log still holds their name or phone', async () => {
    const admin = await ctx.login('admin');
    const agent = await ctx.login('agent');
    const id = await residentIdByPhone(ctx, WANG_PHONE);
    const { name } = await ctx.database.db
      .selectFrom('residents')
      .select('name')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const created = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: `${name}（电话 ${WANG_PHONE}）家里水管漏水`,
      residentId: id,
    });
    assert.equal(created.statusCode, 201, created.body);
    const erased = await ctx.call('POST', `/api/v1/residents/${id}/erase`, admin, {
      reason: 'resident_request',
    });
    assert.equal(erased.statusCode, 200, erased.body);
    assert.deepEqual(await scanDatabase(ctx, [name, WANG_PHONE]), []);
    if (ctx.database.dialect !== 'sqlite') return; // PostgreSQL keeps old row versions until it vacuums.
    const file = join(ctx.dataDir, 'test.sqlite');
    const bytes = Buffer.concat([
      readFileSync(file),
      existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`) : Buffer.alloc(0),
    ]);
    assert.equal(bytes.indexOf(Buffer.from(WANG_PHONE)), -1, 'the phone is in the file');
    assert.equal(bytes.indexOf(Buffer.from(name)), -1, 'the name is in the file');
    // The search index held her order's old tokens (the pairs of her name and phone): none is
    // left in its segments, not even marked deleted. FTS5 marks a deleted row of a segment in
    // that segment's tombstone pages (`%_data` ids from 2^53 up), and drops the row only when it
    // merges the segment: with no tombstone page left, no deleted row is left either.
    const tombstones = await sql<{ n: number }>`select count(*) as n from work_order_search_tokens_data
      where id >= 9007199254740992`.execute(ctx.database.db);
    assert.equal(tombstones.rows[0]?.n, 0, 'the search index still holds deleted tokens');
  });
});

/**
 * A resident's copy of their personal data (个人信息副本): what it holds (the names they had
 * before a rename too), what it leaves out, who may download it, and that every copy is audited.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifyChain } from '../../src/modules/audit/audit.repository.ts';
import { createTestContext, residentIdByPhone } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { ProposalTables } from '../../src/modules/proposals/proposal.tables.ts';

interface Copy {
  format: string;
  exportedAt: string;
  resident: { id: string; name: string; phone: string | null; idNumber: string | null };
  formerNames: { name: string; until: string }[];
  household: { address: string | null; since: string | null } | null;
  orders: { id: string; description: string; timeline: { note?: string | null; type: string }[] }[];
  messages: { template: string; content: unknown; address: string | null }[];
  inbox: { title: string }[];
  sessions: { startedAt: string; expiresAt: string }[];
  surveys: unknown[];
  timeBank: {
    balance: number | null;
    pendingMinutes: number;
    records: { status: string; volunteer: { id: string; name: string }; allowed: string[] }[];
    postings: { kind: string; minutes: number }[];
  };
  proposals: { id: string; title: string; status: string }[];
  votes: { proposalId: string; title: string; votedAt: string }[];
}

describe('a resident’s copy of their personal data', () => {
  let ctx: TestContext;
  let admin: string;
  let agent: string;
  let wang: string; // 13800000001
  let li: string; // 13800000003, another household
  let wangOrder: string;
  let liOrder: string;
  before(async () => {
    ctx = await createTestContext({ orders: 5 });
    admin = await ctx.login('admin');
    agent = await ctx.login('agent');
    wang = await residentIdByPhone(ctx, '13800000001');
    li = await residentIdByPhone(ctx, '13800000003');
    const file = async (residentId: string, description: string) => {
      const r = await ctx.call('POST', '/api/v1/work-orders', agent, {
        channel: 'hotline',
        description,
        residentId,
      });
      assert.equal(r.statusCode, 201, r.body);
      return (r.json() as { id: string }).id;
    };
    wangOrder = await file(wang, '王阿姨家卫生间漏水，楼下天花板在滴水');
    liOrder = await file(li, '李先生家门锁坏了');
    const note = async (text: string, visibility: 'public' | 'internal') => {
      const r = await ctx.call('POST', `/api/v1/work-orders/${wangOrder}/notes`, agent, { text, visibility });
      assert.ok(r.statusCode < 300, r.body);
    };
    await note('内部备注：该住户上次投诉过物业', 'internal');
    await note('已联系物业，明天上午上门', 'public');
  });
  after(() => ctx.close());

  const auditCount = async () =>
    (
      await ctx.database.db
        .selectFrom('audit_entries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('action', '=', 'resident.data_exported')
        .executeTakeFirstOrThrow()
    ).n;

  it('the resident downloads everything held about them, whole, and nothing of others', async () => {
    const token = await ctx.residentLogin('13800000001');
    const before = Number(await auditCount());
    const r = await ctx.call('GET', '/api/v1/me/data', token);
    assert.equal(r.statusCode, 200, r.body);
    assert.match(
      String(r.headers['content-disposition']),
      /^attachment; filename="linli-resident-data-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    const copy = r.json() as Copy;
    assert.equal(copy.format, 'linli.resident-data/1');
    assert.equal(copy.resident.id, wang);
    assert.equal(copy.resident.phone, '13800000001', 'their own phone, unmasked');
    assert.ok(copy.household?.address, 'their household’s address');
    const mine = copy.orders.find((o) => o.id === wangOrder);
    assert.ok(mine, 'their order');
    assert.equal(mine.description, '王阿姨家卫生间漏水，楼下天花板在滴水');
    const notes = JSON.stringify(mine.timeline);
    assert.match(notes, /已联系物业，明天上午上门/, 'the public reply');
    assert.doesNotMatch(notes, /内部备注/, 'no internal note');
    assert.equal(
      copy.orders.some((o) => o.id === liOrder),
      false,
      'not another household’s order',
    );
    // The code they signed in with was sent to them: the message is listed, the code never.
    const codes = copy.messages.filter((m) => m.template === 'otp');
    assert.ok(codes.length >= 1);
    for (const m of codes) assert.equal(m.content, null);
    assert.doesNotMatch(JSON.stringify(copy.messages), /"code"/);
    assert.ok(copy.sessions.length >= 1, 'the session they are signed in with');
    assert.doesNotMatch(JSON.stringify(copy), new RegExp(token), 'no token');
    assert.equal(Number(await auditCount()), before + 1, 'audited');
    const entry = await ctx.database.db
      .selectFrom('audit_entries')
      .select(['actor', 'entity_id'])
      .where('action', '=', 'resident.data_exported')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(entry.entity_id, wang);
  });

  it('an admin downloads the same copy for the resident; other staff and other residents cannot', async () => {
    const token = await ctx.residentLogin('13800000001');
    const own = (await ctx.call('GET', `/api/v1/residents/${wang}/data`, token)).json() as Copy;
    const byAdmin = await ctx.call('GET', `/api/v1/residents/${wang}/data`, admin);
    assert.equal(byAdmin.statusCode, 200, byAdmin.body);
    const copy = byAdmin.json() as Copy;
    assert.deepEqual({ ...copy, exportedAt: '' }, { ...own, exportedAt: '' }, 'the resident’s copy, exactly');

    const before = Number(await auditCount());
    const code = (r: { statusCode: number; body: string }) => [r.statusCode, JSON.parse(r.body).error?.code];
    for (const role of ['agent', 'dispatcher', 'manager', 'grid_worker', 'auditor', 'provider']) {
      const t = await ctx.login(role);
      const res = await ctx.call('GET', `/api/v1/residents/${wang}/data`, t);
      assert.ok([403, 404].includes(res.statusCode), `${role}: ${res.statusCode}`);
      assert.deepEqual(code(await ctx.call('GET', '/api/v1/me/data', t)), [403, 'forbidden'], role);
    }
    assert.deepEqual(
      code(await ctx.call('GET', `/api/v1/residents/${wang}/data`, await ctx.login('admin2'))),
      [404, 'resident_not_found'],
      'another community’s admin',
    );
    const liToken = await ctx.residentLogin('13800000003');
    assert.deepEqual(
      code(await ctx.call('GET', `/api/v1/residents/${wang}/data`, liToken)),
      [404, 'resident_not_found'],
      'another household',
    );
    assert.deepEqual(code(await ctx.call('GET', '/api/v1/me/data', undefined)), [401, 'unauthenticated']);
    assert.equal(Number(await auditCount()), before, 'a refusal is not a copy');
  });

  it('lists the names they had before a rename, each until the rename; the API document says so', async () => {
    const token = await ctx.residentLogin('13800000003');
    const none = (await ctx.call('GET', '/api/v1/me/data', token)).json() as Copy;
    assert.deepEqual(none.formerNames, [], 'never renamed');
    const first = none.resident.name;
    const until: string[] = [];
    for (const name of ['欧阳建国', '司徒建国']) {
      ctx.clock.advance(60_000);
      until.push(ctx.clock.now().toISOString());
      const r = await ctx.call('PATCH', `/api/v1/residents/${li}`, admin, { name });
      assert.equal(r.statusCode, 200, r.body);
    }
    const own = await ctx.call('GET', '/api/v1/me/data', token);
    assert.equal(own.statusCode, 200, own.body);
    const copy = own.json() as Copy;
    assert.equal(copy.resident.name, '司徒建国');
    assert.deepEqual(copy.formerNames, [
      { name: first, until: until[0] },
      { name: '欧阳建国', until: until[1] },
    ]);
    const byAdmin = (await ctx.call('GET', `/api/v1/residents/${li}/data`, admin)).json() as Copy;
    assert.deepEqual(byAdmin.formerNames, copy.formerNames, 'the admin’s copy for them is theirs');
    const entry = await ctx.database.db
      .selectFrom('audit_entries')
      .select('payload_json')
      .where('action', '=', 'resident.data_exported')
      .where('entity_id', '=', li)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal((JSON.parse(entry.payload_json) as { formerNames: number }).formerNames, 2);
    assert.ok(!entry.payload_json.includes(first), 'the audit holds a count, no name');

    interface Schema {
      $ref?: string;
      properties?: Record<string, Schema>;
      items?: Schema;
      required?: string[];
    }
    const doc = (await ctx.call('GET', '/openapi.json')).json() as {
      paths: Record<
        string,
        { get?: { responses: Record<string, { content: Record<string, { schema: Schema }> }> } }
      >;
      components: { schemas: Record<string, Schema> };
    };
    const resolve = (s: Schema): Schema =>
      s.$ref ? resolve(doc.components.schemas[s.$ref.replace('#/components/schemas/', '')] ?? {}) : s;
    for (const path of ['/api/v1/me/data', '/api/v1/residents/{id}/data']) {
      const schema = doc.paths[path]?.get?.responses['200']?.content['application/json']?.schema;
      assert.ok(schema, path);
      const top = resolve(schema);
      assert.ok(top.required?.includes('formerNames'), path);
      const item = resolve(resolve(top.properties?.formerNames ?? {}).items ?? {});
      assert.deepEqual(Object.keys(item.properties ?? {}).sort(), ['name', 'until'], path);
    }
  });

  it('holds their time bank (balance, records, every posting) and their proposals and votes', async () => {
    const token = await ctx.residentLogin('13800000001');
    const copy = (await ctx.call('GET', '/api/v1/me/data', token)).json() as Copy;
    // The demo: 李建国's visit she verified, a walk awaiting her, his gift, her redemption, one reversed.
    assert.equal(copy.timeBank.balance, 30);
    assert.deepEqual(
      copy.timeBank.postings.map((p) => [p.kind, p.minutes]),
      [
        ['reversal', 30],
        ['redeem', -30],
        ['redeem', -30],
        ['transfer', 60],
      ],
    );
    assert.deepEqual(copy.timeBank.records.map((r) => r.status).sort(), ['pending', 'verified']);
    for (const r of copy.timeBank.records) {
      assert.match(r.volunteer.name, /^\S\*+$/, 'the volunteer is another resident: masked');
      assert.deepEqual(r.allowed, []);
    }
    assert.deepEqual([copy.proposals, copy.votes], [[], []], 'she filed none and has not voted');

    const liToken = await ctx.residentLogin('13800000003');
    const open = (await ctx.call('GET', '/api/v1/proposals?status=open_for_voting', liToken)).json<{
      items: { id: string; title: string; myVote: boolean }[];
    }>().items[0];
    assert.ok(open);
    if (!open.myVote)
      assert.equal((await ctx.call('PUT', `/api/v1/proposals/${open.id}/vote`, liToken)).statusCode, 200);
    const his = (await ctx.call('GET', '/api/v1/me/data', liToken)).json() as Copy;
    const filed = await ctx.database.db
      .withTables<ProposalTables>()
      .selectFrom('proposals')
      .select('id')
      .where('author_id', '=', li)
      .execute();
    assert.ok(filed.length > 0, 'the demo has proposals of his');
    assert.deepEqual(his.proposals.map((p) => p.id).sort(), filed.map((p) => p.id).sort());
    assert.ok(his.votes.some((v) => v.proposalId === open.id && v.title === open.title));
    assert.equal(his.timeBank.balance, 105);
    assert.ok(his.timeBank.postings.some((p) => p.kind === 'transfer' && p.minutes === -60));
    const adminCopy = (await ctx.call('GET', `/api/v1/residents/${li}/data`, admin)).json() as Copy;
    assert.deepEqual(
      [adminCopy.timeBank, adminCopy.proposals, adminCopy.votes],
      [his.timeBank, his.proposals, his.votes],
    );
  });

  it('an erased resident has no copy left to give', async () => {
    const erased = await ctx.database.db
      .selectFrom('residents')
      .select('id')
      .where('erased_at', 'is not', null)
      .where('community_id', '=', ctx.seed.communities[0]?.id ?? '')
      .executeTakeFirstOrThrow();
    const r = await ctx.call('GET', `/api/v1/residents/${erased.id}/data`, admin);
    assert.equal(r.statusCode, 409, r.body);
    assert.equal(r.json().error.code, 'conflict');
    for (const c of ctx.seed.communities) {
      const v = await verifyChain(ctx.database.db, c.id);
      assert.equal(v.ok, true, c.id);
    }
  });
});

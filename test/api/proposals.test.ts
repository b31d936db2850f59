import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { verifyChain } from '../../src/modules/audit/audit.repository.ts';
import { ProposalService } from '../../src/modules/proposals/proposal.service.ts';
import { residentPrincipalOf } from '../../src/platform/auth/principal.ts';
import { createTestContext, residentIdByPhone } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface View {
  id: string;
  status: string;
  version: number;
  votes: number;
  myVote: boolean | null;
  title: string;
  author: { name: string; phone: string | null; self: boolean };
  filedByStaff: boolean;
  progressPercent: number;
  voting: { phase: string; quorum: number } | null;
  actions: string[];
  updates?: { action: string; status: string; percent: number | null; note: string | null }[];
}
interface Err {
  error: { code: string; details?: { field?: string } };
}
const HOUR = 3_600_000;

describe('proposals (民生微实事): filing, review, one resident one vote, implementation', () => {
  let ctx: TestContext;
  let c1: string;
  let c2: string;
  let wang: string; // 王秀英, c1
  let li: string; // 李建国, c1
  let zhao: string; // 赵桂兰, c2
  let manager: string;
  let manager2: string;
  let agent: string;
  let auditor: string;
  let street: string;
  let wangId: string;
  let zhaoId: string;

  before(async () => {
    ctx = await createTestContext({ orders: 4 });
    c1 = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
    c2 = ctx.seed.communities.find((c) => c.code !== 'taoyuan')?.id ?? '';
    [manager, manager2, agent, auditor, street] = (await Promise.all(
      ['manager', 'manager2', 'agent', 'auditor', 'street_admin'].map((u) => ctx.login(u)),
    )) as [string, string, string, string, string];
    wang = await ctx.residentLogin('13800000001');
    li = await ctx.residentLogin('13800000003');
    zhao = await ctx.residentLogin('13800000002');
    wangId = await residentIdByPhone(ctx, '13800000001');
    zhaoId = await residentIdByPhone(ctx, '13800000002');
  });
  after(() => ctx.close());

  const auditCount = async () =>
    Number(
      (
        await ctx.database.db
          .selectFrom('audit_entries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const code = (res: { json: <T>() => T }) => res.json<Err>().error.code;
  const field = (res: { json: <T>() => T }) => res.json<Err>().error.details?.field;
  const act = (token: string, id: string, body: Record<string, unknown>) =>
    ctx.call('POST', `/api/v1/proposals/${id}/actions`, token, body);
  const view = async (token: string, id: string) => {
    const res = await ctx.call('GET', `/api/v1/proposals/${id}`, token);
    assert.equal(res.statusCode, 200, res.body);
    return res.json<View>();
  };

  it('the demo shows proposals of every state in the first community', async () => {
    const res = await ctx.call('GET', '/api/v1/proposals?limit=100', manager);
    assert.equal(res.statusCode, 200, res.body);
    const statuses = res.json<{ items: View[] }>().items.map((p) => p.status);
    for (const s of ['open_for_voting', 'implementing', 'completed', 'rejected', 'not_selected', 'submitted'])
      assert.ok(statuses.includes(s), s);
    const other = await ctx.call('GET', '/api/v1/proposals', manager2);
    assert.deepEqual(other.json<{ items: View[] }>().items, []);
  });

  let pid = '';
  it('a resident proposes; it stays between them and the staff until voting opens', async () => {
    const before = await auditCount();
    const res = await ctx.call('POST', '/api/v1/proposals', wang, {
      title: '  给2号楼门口装一个无障碍坡道 ',
      description: '轮椅和婴儿车进出不方便，联系我 13912345678',
      budgetEstimate: 8000,
    });
    assert.equal(res.statusCode, 201, res.body);
    const p = res.json<View>();
    pid = p.id;
    assert.deepEqual(
      [p.status, p.version, p.title, p.author.self, p.filedByStaff],
      ['submitted', 1, '给2号楼门口装一个无障碍坡道', true, false],
    );
    assert.equal(await auditCount(), before + 1);
    // Another resident of the community does not see a proposal under review; nor another community's.
    assert.equal(code(await ctx.call('GET', `/api/v1/proposals/${pid}`, li)), 'proposal_not_found');
    assert.equal(code(await ctx.call('GET', `/api/v1/proposals/${pid}`, zhao)), 'proposal_not_found');
    assert.equal(code(await ctx.call('GET', `/api/v1/proposals/${pid}`, manager2)), 'proposal_not_found');
    const liList = (await ctx.call('GET', '/api/v1/proposals?limit=100', li)).json<{ items: View[] }>().items;
    assert.ok(!liList.some((x) => x.id === pid));
    assert.ok(
      liList.every((x) => x.status !== 'rejected' && x.status !== 'submitted' && x.status !== 'under_review'),
    );
    // The manager's role does not need the author's name and phone; an agent's does.
    const m = await view(manager, pid);
    assert.deepEqual([m.author.name, m.author.phone], ['王**', null]);
    assert.ok(
      !JSON.stringify(m).includes('13912345678'),
      'contact data in the text is blanked for the manager',
    );
    const a = await view(agent, pid);
    assert.deepEqual([a.author.name, a.author.phone], ['王秀英', '13800000001']);
    assert.deepEqual(m.actions, ['review', 'reject']);
    assert.deepEqual(a.actions, []);
  });

  it('refuses reviews by residents, agents, auditors and another community, and writes nothing', async () => {
    const before = await auditCount();
    for (const [token, expected] of [
      [wang, 403],
      [agent, 403],
      [auditor, 403],
      [manager2, 404],
      [zhao, 404],
    ] as const) {
      const res = await act(token, pid, { action: 'review', version: 1 });
      assert.equal(res.statusCode, expected, res.body);
    }
    assert.equal(code(await act(manager, pid, { action: 'review', version: 2 })), 'version_conflict');
    assert.equal(code(await act(manager, pid, { action: 'decide', version: 1 })), 'invalid_transition');
    assert.equal(code(await act(manager, pid, { action: 'explode', version: 1 })), 'validation_failed');
    assert.equal(await auditCount(), before);
    assert.equal((await view(manager, pid)).status, 'submitted');
  });

  it('reviews, opens voting with a window and a quorum, naming the field of bad input', async () => {
    let res = await act(manager, pid, { action: 'review', version: 1 });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json<View>().status, 'under_review');
    const before = await auditCount();
    const ends = new Date(ctx.clock.now().getTime() + 3 * HOUR).toISOString();
    res = await act(manager, pid, { action: 'open_voting', version: 2, votingEndsAt: ends });
    assert.deepEqual([res.statusCode, code(res), field(res)], [400, 'invalid_input', 'quorum']);
    res = await act(manager, pid, {
      action: 'open_voting',
      version: 2,
      votingEndsAt: new Date(ctx.clock.now().getTime() - HOUR).toISOString(),
      quorum: 3,
    });
    assert.deepEqual([res.statusCode, field(res)], [400, 'votingEndsAt']);
    assert.equal(await auditCount(), before);
    res = await act(manager, pid, {
      action: 'open_voting',
      version: 2,
      votingStartsAt: new Date(ctx.clock.now().getTime() + HOUR).toISOString(),
      votingEndsAt: ends,
      quorum: 3,
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(
      [res.json<View>().status, res.json<View>().voting?.phase],
      ['open_for_voting', 'upcoming'],
    );
    // Now public: other residents of the community read it, another community still does not.
    assert.equal((await view(li, pid)).status, 'open_for_voting');
    assert.equal(code(await ctx.call('GET', `/api/v1/proposals/${pid}`, zhao)), 'proposal_not_found');
  });

  it('one resident, one vote, only inside the window, withdrawn while it is open', async () => {
    const vote = (token: string) => ctx.call('PUT', `/api/v1/proposals/${pid}/vote`, token);
    const unvote = (token: string) => ctx.call('DELETE', `/api/v1/proposals/${pid}/vote`, token);
    // Before the window.
    let res = await vote(wang);
    assert.deepEqual([res.statusCode, code(res)], [409, 'invalid_transition']);
    ctx.clock.advance(2 * HOUR);
    res = await vote(wang);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { voted: true, votes: 1 });
    const before = await auditCount();
    // A second vote changes nothing (and records nothing).
    assert.deepEqual((await vote(wang)).json(), { voted: true, votes: 1 });
    assert.equal(await auditCount(), before);
    // Staff do not vote; another community's resident does not find it.
    assert.equal((await vote(manager)).statusCode, 403);
    assert.equal(code(await vote(zhao)), 'proposal_not_found');
    assert.deepEqual((await vote(li)).json(), { voted: true, votes: 2 });
    assert.deepEqual((await unvote(li)).json(), { voted: false, votes: 1 });
    assert.deepEqual((await unvote(li)).json(), { voted: false, votes: 1 });
    assert.deepEqual((await vote(li)).json(), { voted: true, votes: 2 });
    const mine = await view(wang, pid);
    assert.deepEqual([mine.myVote, mine.votes, mine.actions], [true, 2, ['withdraw_vote']]);
    // Nobody reads who voted: no voter's id in what the author or the manager sees.
    const liId = await residentIdByPhone(ctx, '13800000003');
    for (const t of [wang, manager, agent])
      assert.ok(!(await ctx.call('GET', `/api/v1/proposals/${pid}`, t)).body.includes(liId));
    // Deciding waits for the window's end; after it no vote is taken.
    assert.equal(code(await act(manager, pid, { action: 'decide', version: 3 })), 'invalid_transition');
    ctx.clock.advance(3 * HOUR);
    assert.deepEqual([(await unvote(li)).statusCode, (await vote(zhao)).statusCode], [409, 404]);
    const late = await vote(await ctx.residentLogin('13800000003'));
    assert.deepEqual([late.statusCode, code(late)], [409, 'invalid_transition']);
    const after = await view(manager, pid);
    assert.deepEqual([after.votes, after.voting?.phase, after.actions], [2, 'closed', ['decide']]);
  });

  it('decides by the quorum, then records implementation to completion', async () => {
    let res = await act(manager, pid, { action: 'decide', version: 3 });
    assert.equal(res.statusCode, 200, res.body);
    // 2 votes < quorum 3.
    assert.equal(res.json<View>().status, 'not_selected');
    assert.equal(code(await act(manager, pid, { action: 'start', version: 4 })), 'invalid_transition');

    // A second proposal that reaches its quorum.
    const filed = await ctx.call('POST', '/api/v1/proposals', li, {
      title: '楼道加装感应灯',
      description: '晚上楼道太黑',
    });
    const id = filed.json<View>().id;
    await act(manager, id, { action: 'review', version: 1 });
    await act(manager, id, {
      action: 'open_voting',
      version: 2,
      votingEndsAt: new Date(ctx.clock.now().getTime() + HOUR).toISOString(),
      quorum: 2,
    });
    await ctx.call('PUT', `/api/v1/proposals/${id}/vote`, wang);
    await ctx.call('PUT', `/api/v1/proposals/${id}/vote`, li);
    ctx.clock.advance(HOUR);
    res = await act(manager, id, { action: 'decide', version: 3, note: '达到法定票数' });
    assert.equal(res.json<View>().status, 'selected');
    res = await act(manager, id, { action: 'start', version: 4 });
    assert.equal(res.json<View>().status, 'implementing');
    res = await act(manager, id, { action: 'progress', version: 5, percent: 50, note: '已采购灯具' });
    assert.equal(res.json<View>().progressPercent, 50);
    res = await act(manager, id, { action: 'progress', version: 6, percent: 30, note: '倒退' });
    assert.deepEqual([res.statusCode, field(res)], [400, 'percent']);
    res = await act(manager, id, { action: 'complete', version: 6, note: '已安装完毕' });
    assert.deepEqual([res.json<View>().status, res.json<View>().progressPercent], ['completed', 100]);
    const d = await view(li, id);
    assert.deepEqual(
      d.updates?.map((u) => [u.action, u.status, u.percent]),
      [
        ['submit', 'submitted', null],
        ['review', 'under_review', null],
        ['open_voting', 'open_for_voting', null],
        ['decide', 'selected', null],
        ['start', 'implementing', 0],
        ['progress', 'implementing', 50],
        ['complete', 'completed', 100],
      ],
    );
  });

  it('rejects with a reason the author reads', async () => {
    const filed = await ctx.call('POST', '/api/v1/proposals', li, {
      title: '建个游泳池',
      description: '夏天想游泳',
    });
    const id = filed.json<View>().id;
    let res = await act(manager, id, { action: 'reject', version: 1, reason: '  ' });
    assert.deepEqual([res.statusCode, field(res)], [400, 'reason']);
    res = await act(manager, id, { action: 'reject', version: 1, reason: '场地不足' });
    assert.equal(res.json<View>().status, 'rejected');
    assert.equal((await view(li, id)).status, 'rejected');
    assert.equal(code(await ctx.call('GET', `/api/v1/proposals/${id}`, wang)), 'proposal_not_found');
  });

  it('an agent files for a resident of their community only', async () => {
    let res = await ctx.call('POST', '/api/v1/proposals', agent, {
      title: '代办：增加一处快递柜',
      description: '窗口代居民提交',
      residentId: wangId,
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual([res.json<View>().filedByStaff, res.json<View>().author.name], [true, '王秀英']);
    assert.equal((await view(wang, res.json<View>().id)).author.self, true);
    res = await ctx.call('POST', '/api/v1/proposals', agent, {
      title: '跨社区',
      description: 'x',
      residentId: zhaoId,
    });
    assert.equal(code(res), 'resident_not_found');
    res = await ctx.call('POST', '/api/v1/proposals', agent, { title: '没有居民', description: 'x' });
    assert.deepEqual([code(res), field(res)], ['invalid_input', 'residentId']);
    res = await ctx.call('POST', '/api/v1/proposals', auditor, {
      title: '审计员',
      description: 'x',
      residentId: wangId,
    });
    assert.equal(res.statusCode, 403);
    res = await ctx.call('POST', '/api/v1/proposals', wang, {
      title: '替别人',
      description: 'x',
      residentId: zhaoId,
    });
    assert.equal(res.statusCode, 403);
    res = await ctx.call('POST', '/api/v1/proposals', wang, { title: ' ', description: 'x' });
    assert.deepEqual([code(res), field(res)], ['invalid_input', 'title']);
  });

  it('pages with a cursor and refuses a forged one', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/proposals?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await ctx.call('GET', url, manager);
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json<{ items: View[]; nextCursor: string | null }>();
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    const all = (await ctx.call('GET', '/api/v1/proposals?limit=100', manager)).json<{ items: View[] }>()
      .items;
    assert.deepEqual(
      seen,
      all.map((p) => p.id),
    );
    assert.equal(new Set(seen).size, seen.length);
    const forged = await ctx.call('GET', '/api/v1/proposals?cursor=AAAA', manager);
    assert.deepEqual([forged.statusCode, field(forged)], [400, 'cursor']);
  });

  it('counts concurrent votes exactly: many residents at once, and one resident many times at once', async () => {
    const filed = await ctx.call('POST', '/api/v1/proposals', li, { title: '同时投票', description: '并发' });
    const id = filed.json<View>().id;
    await act(manager, id, { action: 'review', version: 1 });
    await act(manager, id, {
      action: 'open_voting',
      version: 2,
      votingEndsAt: new Date(ctx.clock.now().getTime() + HOUR).toISOString(),
      quorum: 10,
    });
    const residents = await ctx.database.db
      .selectFrom('residents')
      .selectAll()
      .where('community_id', '=', c1)
      .where('erased_at', 'is', null)
      .orderBy('id')
      .limit(40)
      .execute();
    const svc = new ProposalService(ctx.deps);
    const voters = residents.map(residentPrincipalOf);
    const one = voters[0];
    assert.ok(one && voters.length === 40);
    const results = await Promise.all([
      ...voters.map((p) => svc.vote(p, id)),
      ...Array.from({ length: 10 }, () => svc.vote(one, id)),
      ...voters.slice(30).map((p) => svc.withdraw(p, id).then(() => svc.vote(p, id))),
    ]);
    assert.ok(results.every((r) => r.voted));
    const rows = await sql<{
      n: number | string;
    }>`select count(*) as n from proposal_votes where proposal_id = ${id}`.execute(ctx.database.db);
    const stored = (await view(manager, id)).votes;
    assert.deepEqual([Number(rows.rows[0]?.n), stored], [40, 40]);
    // Each change is in the chain: 40 votes plus the withdrawals and re-votes that changed something.
    const entries = await sql<{
      action: string;
      n: number | string;
    }>`select action, count(*) as n from audit_entries
      where entity_id = ${id} and action in ('proposal.voted', 'proposal.vote_withdrawn') group by action`.execute(
      ctx.database.db,
    );
    const by = Object.fromEntries(entries.rows.map((r) => [r.action, Number(r.n)]));
    assert.equal((by['proposal.voted'] ?? 0) - (by['proposal.vote_withdrawn'] ?? 0), 40);
  });

  it('ranks the participation index across the communities the caller serves', async () => {
    const res = await ctx.call('GET', '/api/v1/participation', street);
    assert.equal(res.statusCode, 200, res.body);
    const report = res.json<{
      communities: {
        communityId: string;
        rank: number;
        residents: number;
        participants: number;
        votes: number;
        index: number;
        participationRate: number;
        grids: { residents: number; participants: number }[];
      }[];
    }>();
    assert.deepEqual(
      report.communities.map((c) => c.communityId),
      [c1, c2],
    );
    const [first, second] = report.communities;
    assert.ok(first && second);
    assert.deepEqual([first.rank, second.rank], [1, 2]);
    assert.ok(first.participants >= 40 && first.index > second.index, JSON.stringify(report));
    assert.equal(
      first.participationRate,
      Math.round((first.participants / first.residents) * 10_000) / 10_000,
    );
    assert.equal(
      first.grids.reduce((s, g) => s + g.participants, 0),
      first.participants,
    );
    assert.equal(
      first.grids.reduce((s, g) => s + g.residents, 0),
      first.residents,
    );
    // Participants in the period are the distinct authors and voters, counted here from the tables.
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from (
        select author_id as r from proposals where community_id = ${c1}
        union select resident_id from proposal_votes where community_id = ${c1}) u
      join residents on residents.id = u.r where residents.erased_at is null`.execute(ctx.database.db);
    assert.equal(first.participants, Number(rows[0]?.n));
    const own = (await ctx.call('GET', '/api/v1/participation', manager2)).json<typeof report>();
    assert.deepEqual(
      own.communities.map((c) => c.communityId),
      [c2],
    );
    assert.equal((await ctx.call('GET', `/api/v1/participation?community=${c1}`, manager2)).statusCode, 403);
    assert.equal((await ctx.call('GET', '/api/v1/participation', wang)).statusCode, 403);
    const bad = await ctx.call(
      'GET',
      '/api/v1/participation?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z',
      manager,
    );
    assert.deepEqual([bad.statusCode, field(bad)], [400, 'from']);
  });

  it('an erasure anonymises the words of the resident’s proposals; their proposals and votes stay', async () => {
    const filed = await ctx.call('POST', '/api/v1/proposals', li, {
      title: '李建国建议修缮车棚',
      description: '车棚漏雨，有事请打 13800000003 找李建国',
    });
    assert.equal(filed.statusCode, 201, filed.body);
    const liId = await residentIdByPhone(ctx, '13800000003');
    const admin = await ctx.login('admin');
    const erased = await ctx.call('POST', `/api/v1/residents/${liId}/erase`, admin, {
      reason: 'resident_request',
    });
    assert.equal(erased.statusCode, 200, erased.body);
    const rows = await sql<Record<string, unknown>>`select p.title, p.description, p.reject_reason, u.note
      from proposals p left join proposal_updates u on u.proposal_id = p.id where p.author_id = ${liId}`.execute(
      ctx.database.db,
    );
    assert.ok(rows.rows.length >= 4);
    const text = JSON.stringify(rows.rows);
    for (const needle of ['李建国', '13800000003']) assert.ok(!text.includes(needle), `${needle} in ${text}`);
    const audit = await sql<{ payload_json: string }>`select payload_json from audit_entries
      where entity_type = 'proposal'`.execute(ctx.database.db);
    assert.ok(!JSON.stringify(audit.rows).includes('13800000003'));
    const v = await view(manager, filed.json<View>().id);
    assert.ok(!v.author.name.includes('李'), v.author.name);
  });

  it('leaves every community’s audit chain verifiable', async () => {
    for (const c of [c1, c2]) assert.equal((await verifyChain(ctx.database.db, c)).ok, true);
  });
});

/**
 * The close pass (`ProposalService.closeDue`, a background loop of every app node): proposals
 * whose voting window has ended are decided by the quorum rule, once, whichever nodes run it at
 * the same time; proposals still in their window stay open; a vote after the end is refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { verifyChain } from '../../src/modules/audit/audit.repository.ts';
import { ProposalService } from '../../src/modules/proposals/proposal.service.ts';
import { SYSTEM } from '../../src/platform/auth/principal.ts';
import { createTestContext, spareResidentPhones } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface View {
  id: string;
  status: string;
  version: number;
  votes: number;
  decidedAt: string | null;
}
const HOUR = 3_600_000;

describe('the close pass of proposals’ voting', () => {
  let ctx: TestContext;
  let c1: string;
  let manager: string;
  const voters: string[] = [];
  let author: string;

  before(async () => {
    ctx = await createTestContext({ orders: 2 });
    c1 = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
    manager = await ctx.login('manager');
    author = await ctx.residentLogin('13800000003');
    const others = await spareResidentPhones(ctx, c1, 3);
    for (const phone of others) voters.push(await ctx.residentLogin(phone));
  });
  after(() => ctx.close());

  /** A proposal filed, reviewed and opened for voting until `hours` from now, with `votes` votes. */
  const opened = async (title: string, hours: number, quorum: number, votes: number): Promise<View> => {
    const filed = await ctx.call('POST', '/api/v1/proposals', author, { title, description: `${title}。` });
    assert.equal(filed.statusCode, 201, filed.body);
    const id = filed.json<View>().id;
    await ctx.call('POST', `/api/v1/proposals/${id}/actions`, manager, { action: 'review', version: 1 });
    const open = await ctx.call('POST', `/api/v1/proposals/${id}/actions`, manager, {
      action: 'open_voting',
      version: 2,
      votingEndsAt: new Date(ctx.clock.now().getTime() + hours * HOUR).toISOString(),
      quorum,
    });
    assert.equal(open.statusCode, 200, open.body);
    for (const v of voters.slice(0, votes)) {
      const r = await ctx.call('PUT', `/api/v1/proposals/${id}/vote`, v);
      assert.equal(r.statusCode, 200, r.body);
    }
    return open.json<View>();
  };
  const view = async (id: string) => (await ctx.call('GET', `/api/v1/proposals/${id}`, manager)).json<View>();

  it('decides each ended proposal once, with several nodes closing at once, and leaves open ones open', async () => {
    assert.ok(voters.length >= 2, 'the demo has the voters');
    const reached = await opened('加装楼道扶手', 2, 2, 2);
    const short = await opened('增设快递柜', 2, 5, 1);
    const later = await opened('小区健身角翻新', 48, 1, 1);
    const nodes = [new ProposalService(ctx.deps), new ProposalService(ctx.deps)];
    assert.equal(await nodes[0]?.closeDue(SYSTEM), 0, 'nothing ends before its window');

    ctx.clock.advance(3 * HOUR);
    const late = await ctx.call('PUT', `/api/v1/proposals/${short.id}/vote`, voters[2] ?? voters[0]);
    assert.equal(late.statusCode, 409, 'no vote after the window, closed or not yet decided');

    const runs = await Promise.all(nodes.flatMap((n) => [n.closeDue(SYSTEM), n.closeDue(SYSTEM)]));
    assert.equal(
      runs.reduce((s, n) => s + n, 0),
      2,
      `each proposal decided by one run: ${runs.join(',')}`,
    );
    const [a, b, c] = [await view(reached.id), await view(short.id), await view(later.id)];
    assert.deepEqual([a.status, a.votes, a.version], ['selected', 2, 4]);
    assert.deepEqual([b.status, b.votes, b.version], ['not_selected', 1, 4]);
    assert.equal(a.decidedAt, ctx.clock.now().toISOString());
    assert.equal(c.status, 'open_for_voting');
    assert.equal(await nodes[1]?.closeDue(SYSTEM), 0, 'a second pass finds nothing to do');

    const entries = await ctx.database.db
      .selectFrom('audit_entries')
      .select(['entity_id', 'actor'])
      .where('action', '=', 'proposal.decide')
      .where('entity_id', 'in', [reached.id, short.id, later.id])
      .execute();
    assert.deepEqual(
      entries.map((e) => [e.entity_id, e.actor]).sort(),
      [
        [reached.id, 'system:system'],
        [short.id, 'system:system'],
      ].sort(),
    );
    const chain = await verifyChain(ctx.database.db, c1);
    assert.ok(chain.ok, JSON.stringify(chain));
  });

  it('the demo shows a proposal the close pass decided', async () => {
    const list = (await ctx.call('GET', '/api/v1/proposals?status=not_selected&limit=100', manager)).json<{
      items: { id: string; title: string }[];
    }>().items;
    const square = list.find((p) => p.title === '夜间广场舞音量管理公约');
    assert.ok(square, 'the demo’s proposal whose window ended');
    const decided = await ctx.database.db
      .selectFrom('audit_entries')
      .select('actor')
      .where('action', '=', 'proposal.decide')
      .where('entity_id', '=', square.id)
      .execute();
    assert.deepEqual(
      decided.map((d) => d.actor),
      ['system:system'],
    );
  });

  it('still lets no one but the system and stewards decide', async () => {
    const p = await opened('路灯维修', 1, 1, 0);
    ctx.clock.advance(2 * HOUR);
    const byResident = await ctx.call('POST', `/api/v1/proposals/${p.id}/actions`, author, {
      action: 'decide',
      version: 3,
    });
    assert.equal(byResident.statusCode, 403);
    const svc = new ProposalService(ctx.deps);
    await assert.rejects(
      svc.act(SYSTEM, p.id, 'start', { version: 3 }),
      (e: { code?: string }) => e.code === 'forbidden',
      'the system only closes voting',
    );
    assert.equal(await svc.closeDue(SYSTEM), 1);
    assert.equal((await view(p.id)).status, 'not_selected');
  });
});

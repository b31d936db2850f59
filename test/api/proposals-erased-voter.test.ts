/**
 * Voting and proposing race an erasure: an app node keeps a resolved principal until its next read
 * of the cache invalidations (up to a second in a server), so a resident erased on another node can
 * still be signed in there for that long; and an erasure may commit between a request's checks and
 * its transaction. The vote, the withdrawal and the new proposal check the resident in their own
 * transaction and answer as for any erased resident (`404 resident_not_found`), writing nothing.
 * Two app nodes on one database; both databases.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../src/platform/http/app.ts';
import type { BuiltApp } from '../../src/platform/http/app.ts';
import { verifyChain } from '../../src/modules/audit/audit.repository.ts';
import { ProposalService } from '../../src/modules/proposals/proposal.service.ts';
import { residentPrincipalOf } from '../../src/platform/auth/principal.ts';
import {
  createTestContext,
  pausedAtNextTransaction,
  residentIdByPhone,
  spareResidentPhones,
} from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

const HOUR = 3_600_000;
/** An error body; absent when the request was answered as if it had worked. */
type Err = { error?: { code: string } };

describe('proposals: a resident erased on one node votes and proposes on another', () => {
  let ctx: TestContext;
  let other: BuiltApp;
  let c1: string;
  let admin: string;
  let manager: string;
  let proposalId: string;
  let spare: string[];
  const onOther = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token: string, body?: unknown) =>
    other.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body !== undefined ? { payload: body as Record<string, unknown> } : {}),
    });
  const tables = () =>
    ctx.database.db.withTables<{
      proposal_votes: { proposal_id: string; resident_id: string };
      proposals: { author_id: string };
    }>();
  /** The resident's votes on the proposal of these tests. */
  const votesOf = async (residentId: string) =>
    Number(
      (
        await tables()
          .selectFrom('proposal_votes')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('proposal_id', '=', proposalId)
          .where('resident_id', '=', residentId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const proposalsOf = async (authorId: string) =>
    Number(
      (
        await tables()
          .selectFrom('proposals')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('author_id', '=', authorId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const auditOf = async (action: string, actor: string) =>
    Number(
      (
        await ctx.database.db
          .selectFrom('audit_entries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('action', '=', action)
          .where('actor', '=', actor)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const votes = async () =>
    (await ctx.call('GET', `/api/v1/proposals/${proposalId}`, manager)).json<{ votes: number }>().votes;
  /** A resident signed in on the other node (their principal cached there), then erased here. */
  const erasedOnThisNode = async (prepare?: (token: string) => Promise<void>) => {
    const phone = spare.shift();
    assert.ok(phone, 'out of residents');
    const id = await residentIdByPhone(ctx, phone);
    const token = await ctx.residentLogin(phone);
    assert.equal((await onOther('GET', `/api/v1/proposals/${proposalId}`, token)).statusCode, 200);
    await prepare?.(token);
    const erased = await ctx.call('POST', `/api/v1/residents/${id}/erase`, admin, {
      reason: 'resident_request',
    });
    assert.equal(erased.statusCode, 200, erased.body);
    assert.equal((await ctx.call('GET', '/api/v1/me', token)).statusCode, 401, 'signed out here');
    assert.equal(
      (await onOther('GET', `/api/v1/proposals/${proposalId}`, token)).statusCode,
      200,
      'still signed in on the other node until it reads the invalidations',
    );
    return { id, token, actor: `resident:${id}` };
  };

  before(async () => {
    ctx = await createTestContext({ orders: 1 });
    other = await buildApp(ctx.deps);
    await other.app.ready();
    c1 = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
    [admin, manager] = (await Promise.all(['admin', 'manager'].map((u) => ctx.login(u)))) as [string, string];
    spare = await spareResidentPhones(ctx, c1, 8);
    const author = await ctx.residentLogin(spare.shift() ?? '');
    const filed = await ctx.call('POST', '/api/v1/proposals', author, {
      title: '楼下增设快递柜',
      description: '方便老人取件',
    });
    assert.equal(filed.statusCode, 201, filed.body);
    proposalId = filed.json<{ id: string }>().id;
    const act = async (body: Record<string, unknown>) => {
      const r = await ctx.call('POST', `/api/v1/proposals/${proposalId}/actions`, manager, body);
      assert.equal(r.statusCode, 200, r.body);
    };
    await act({ action: 'review', version: 1 });
    await act({
      action: 'open_voting',
      version: 2,
      votingEndsAt: new Date(ctx.clock.now().getTime() + 24 * HOUR).toISOString(),
      quorum: 3,
    });
  });
  after(async () => {
    await other.app.close();
    await ctx.close();
  });

  it('refuses the vote and records nothing', async () => {
    const before = await votes();
    const who = await erasedOnThisNode();
    const r = await onOther('PUT', `/api/v1/proposals/${proposalId}/vote`, who.token);
    assert.deepEqual([r.statusCode, r.json<Err>().error?.code], [404, 'resident_not_found'], r.body);
    assert.equal(await votesOf(who.id), 0, 'no vote row');
    assert.equal(await votes(), before, 'the tally did not move');
    assert.equal(await auditOf('proposal.voted', who.actor), 0, 'nothing audited');
  });

  it('refuses withdrawing a vote cast before the erasure: the vote stays, counted', async () => {
    const who = await erasedOnThisNode(async (token) => {
      const cast = await onOther('PUT', `/api/v1/proposals/${proposalId}/vote`, token);
      assert.equal(cast.statusCode, 200, cast.body);
    });
    const before = await votes();
    const r = await onOther('DELETE', `/api/v1/proposals/${proposalId}/vote`, who.token);
    assert.deepEqual([r.statusCode, r.json<Err>().error?.code], [404, 'resident_not_found'], r.body);
    assert.equal(await votesOf(who.id), 1);
    assert.equal(await votes(), before);
    assert.equal(await auditOf('proposal.vote_withdrawn', who.actor), 0);
  });

  it('refuses a new proposal and records nothing', async () => {
    const who = await erasedOnThisNode();
    const filed = await proposalsOf(who.id);
    const r = await onOther('POST', '/api/v1/proposals', who.token, {
      title: '增设长椅',
      description: '小区花园里多放几张长椅',
    });
    assert.deepEqual([r.statusCode, r.json<Err>().error?.code], [404, 'resident_not_found'], r.body);
    assert.equal(await proposalsOf(who.id), filed, 'no proposal row');
    assert.equal(await auditOf('proposal.submitted', who.actor), 0, 'nothing audited');
    // Once the other node has read the invalidations, the token is no one there either.
    await other.services.coherence.poll();
    assert.equal((await onOther('GET', `/api/v1/proposals/${proposalId}`, who.token)).statusCode, 401);
  });

  /** The service, its next transaction opening once the resident's erasure has committed. */
  const erasedWhenTransactionOpens = (residentId: string) => {
    const state = { erased: false };
    const db = pausedAtNextTransaction(ctx.database.db, async () => {
      const r = await ctx.call('POST', `/api/v1/residents/${residentId}/erase`, admin, {
        reason: 'resident_request',
      });
      assert.equal(r.statusCode, 200, r.body);
      state.erased = true;
    });
    return { svc: new ProposalService({ ...ctx.deps, database: { ...ctx.database, db } }), state };
  };
  const spareResident = async () => {
    const phone = spare.shift();
    assert.ok(phone, 'out of residents');
    const id = await residentIdByPhone(ctx, phone);
    const row = await ctx.database.db
      .selectFrom('residents')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return { id, principal: residentPrincipalOf(row) };
  };

  it('refuses a vote whose resident is erased between the checks and the transaction', async () => {
    const who = await spareResident();
    const { svc, state } = erasedWhenTransactionOpens(who.id);
    const before = await votes();
    await assert.rejects(svc.vote(who.principal, proposalId), { code: 'resident_not_found' });
    assert.ok(state.erased, 'the erasure committed inside the window');
    assert.equal(await votesOf(who.id), 0, 'no vote row');
    assert.equal(await votes(), before);
  });

  it('refuses a proposal whose author is erased between the checks and the transaction', async () => {
    const who = await spareResident();
    const { svc, state } = erasedWhenTransactionOpens(who.id);
    // The demo's stories may have filed one for them already.
    const filed = await proposalsOf(who.id);
    await assert.rejects(svc.propose(who.principal, { title: '修缮凉亭', description: '凉亭顶棚漏雨' }), {
      code: 'resident_not_found',
    });
    assert.ok(state.erased, 'the erasure committed inside the window');
    assert.equal(await proposalsOf(who.id), filed, 'no proposal row');
  });

  it('leaves the audit chain whole', async () => {
    const chain = await verifyChain(ctx.database.db, c1);
    assert.ok(chain.ok, JSON.stringify(chain));
  });
});

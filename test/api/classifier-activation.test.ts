/**
 * A community has at most one active classifier model, however many app nodes switch it at once.
 * Activations and rollbacks of one community take turns (an advisory lock on PostgreSQL, the one
 * writer on SQLite), each reading the models inside its own transaction; a unique partial index
 * refuses a second active row should anything else try. The shipped default has a row of its own
 * once a community returns to it, so that a rollback undoes whatever switch came last.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { newId } from '../../src/platform/ids.ts';
import { activeModel } from '../../src/modules/classification/classification.repository.ts';

/** Candidates as training leaves them; switching never reads the model itself. */
async function insertCandidates(ctx: TestContext, communityId: string, versions: number[]) {
  for (const version of versions) {
    await ctx.database.db
      .insertInto('classifier_models')
      .values({
        id: newId(),
        community_id: communityId,
        version,
        taxonomy_id: 'default',
        status: 'candidate',
        metrics_json: '{}',
        model_json: '{}',
        created_at: ctx.clock.now().toISOString(),
        activated_at: null,
      })
      .execute();
  }
}

describe('classifier models: activations at once leave exactly one active model', () => {
  let ctx: TestContext;
  let communityId: string;
  const code = 'taoyuan';
  /** The active rows' versions; the default's row (version 0) as `default`. */
  const actives = async () =>
    (
      await ctx.database.db
        .selectFrom('classifier_models')
        .select('version')
        .where('community_id', '=', communityId)
        .where('status', '=', 'active')
        .execute()
    ).map((r) => (r.version === 0 ? 'default' : r.version));
  /** The `active` named by the community's last classifier audit entry: the switch that committed last. */
  const lastAudited = async () => {
    const row = await ctx.database.db
      .selectFrom('audit_entries')
      .select('payload_json')
      .where('community_id', '=', communityId)
      .where('action', 'like', 'classifier.%')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    return (JSON.parse(row.payload_json) as { active: number | 'default' }).active;
  };

  before(async () => {
    ctx = await createTestContext({ orders: 0 });
    communityId = ctx.seed.communities.find((c) => c.code === code)?.id ?? '';
    await insertCandidates(ctx, communityId, [1, 2, 3, 4]);
  });
  after(() => ctx.close());

  it('several activations at once, round after round: one active model, the one audited last', async () => {
    const svc = ctx.services.classification;
    for (let round = 0; round < 6; round++) {
      const versions = round % 2 === 0 ? [1, 2, 3, 4] : [4, 3, 2, 1];
      const results = await Promise.all(versions.map((v) => svc.activate(code, v)));
      assert.deepEqual(
        results.map((r) => r.active),
        versions,
      );
      const now = await actives();
      assert.equal(now.length, 1, `round ${round}: active versions ${now.join(', ')}`);
      assert.equal(now[0], await lastAudited(), 'the switch that committed last is the one in force');
    }
  });

  it('activations, a return to the default and rollbacks at once: exactly one active row', async () => {
    const svc = ctx.services.classification;
    for (let round = 0; round < 4; round++) {
      const settled = await Promise.allSettled([
        svc.activate(code, 1),
        svc.rollback(code),
        svc.activate(code, 0),
        svc.activate(code, 2),
        svc.rollback(code),
      ]);
      // The community switched before: even a rollback that finds the default in force undoes something.
      for (const s of settled)
        assert.equal(s.status, 'fulfilled', String(s.status === 'rejected' && s.reason));
      // The default in force is its row (`default` here), so one row is active whatever won.
      assert.deepEqual(await actives(), [await lastAudited()], `round ${round}`);
    }
  });

  it('the database refuses a second active model of a community', async () => {
    await ctx.services.classification.activate(code, 3);
    await assert.rejects(
      ctx.database.db
        .updateTable('classifier_models')
        .set({ status: 'active' })
        .where('community_id', '=', communityId)
        .where('version', '=', 4)
        .execute(),
    );
    assert.deepEqual(await actives(), [3]);
  });

  it('rollback returns to the model active before, also when activations share a millisecond', async () => {
    const svc = ctx.services.classification;
    // The test clock stands still: every switch here happens in the same millisecond.
    await svc.activate(code, 1);
    await svc.activate(code, 2);
    await svc.activate(code, 4);
    assert.deepEqual(await svc.rollback(code), { community: code, active: 2 });
    assert.deepEqual(await svc.rollback(code), { community: code, active: 4 });
    await svc.activate(code, 3);
    assert.deepEqual(await svc.rollback(code), { community: code, active: 4 });
    const models = await svc.models(code);
    assert.deepEqual(
      models.filter((m) => m.status === 'active').map((m) => m.version),
      [4],
    );
  });
});

describe('classifier models: a rollback undoes the last switch, a return to the default included', () => {
  let ctx: TestContext;
  let communityId: string;
  const code = 'longzhu';
  const rollback = () => ctx.services.classification.rollback(code);
  const activate = (version: number) => ctx.services.classification.activate(code, version);
  /** The model that classifies the community's orders now, as the classifier reads it (null: the default). */
  const inUse = async () => (await activeModel(ctx.database.db, communityId))?.version ?? null;

  before(async () => {
    ctx = await createTestContext({ orders: 0 });
    communityId = ctx.seed.communities.find((c) => c.code === code)?.id ?? '';
    await insertCandidates(ctx, communityId, [1, 2, 3]);
  });
  after(() => ctx.close());

  it('before any switch there is nothing to roll back; after A then B, a rollback brings back A', async () => {
    await assert.rejects(rollback(), /nothing to roll back/);
    await activate(1);
    await activate(2);
    assert.deepEqual(await rollback(), { community: code, active: 1 });
    assert.equal(await inUse(), 1);
    // The rollback was a switch too: rolling it back returns to B.
    assert.deepEqual(await rollback(), { community: code, active: 2 });
  });

  it('after A, B and a return to the default, a rollback brings back B, and another the default', async () => {
    await activate(1);
    await activate(2);
    assert.deepEqual(await activate(0), { community: code, active: 'default' });
    assert.equal(await inUse(), null);
    assert.deepEqual(await rollback(), { community: code, active: 2 });
    assert.equal(await inUse(), 2);
    assert.deepEqual(await rollback(), { community: code, active: 'default' });
    assert.equal(await inUse(), null);
    const audit = await ctx.database.db
      .selectFrom('audit_entries')
      .select(['action', 'payload_json'])
      .where('community_id', '=', communityId)
      .where('action', 'like', 'classifier.%')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(audit.action, 'classifier.rolled_back');
    assert.deepEqual(JSON.parse(audit.payload_json), { active: 'default', previous: 2 });
    // The default's row is bookkeeping: the community's listed versions are its own models.
    const listed = await ctx.services.classification.models(code);
    assert.deepEqual(
      listed.map((m) => [m.version, m.status]),
      [
        [3, 'candidate'],
        [2, 'retired'],
        [1, 'retired'],
      ],
    );
  });

  it('a model activated after a return to the default rolls back to the default, not to B', async () => {
    await activate(1);
    await activate(2);
    await activate(0);
    await activate(3);
    assert.deepEqual(await rollback(), { community: code, active: 'default' });
    assert.equal(await inUse(), null);
  });

  it('a return to the default that an older release left without a trace is still undone', async () => {
    await activate(1);
    await activate(2);
    // As a release before the default had a row left it: the active model retired, nothing else.
    const untrace = async () => {
      await ctx.database.db
        .updateTable('classifier_models')
        .set({ status: 'retired' })
        .where('community_id', '=', communityId)
        .where('status', '=', 'active')
        .execute();
      await ctx.database.db
        .deleteFrom('classifier_models')
        .where('community_id', '=', communityId)
        .where('version', '=', 0)
        .execute();
    };
    await untrace();
    assert.deepEqual(await rollback(), { community: code, active: 2 });
    await untrace();
    await activate(3);
    assert.deepEqual(await rollback(), { community: code, active: 'default' });
    assert.deepEqual(await rollback(), { community: code, active: 3 });
  });
});

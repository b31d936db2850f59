/**
 * A community has at most one active classifier model, however many app nodes switch it at once.
 * Activations and rollbacks of one community take turns (an advisory lock on PostgreSQL, the one
 * writer on SQLite), each reading the models inside its own transaction; a unique partial index
 * refuses a second active row should anything else try.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { newId } from '../../src/platform/ids.ts';

describe('classifier models: activations at once leave exactly one active model', () => {
  let ctx: TestContext;
  let communityId: string;
  const code = 'taoyuan';
  const actives = async () =>
    (
      await ctx.database.db
        .selectFrom('classifier_models')
        .select('version')
        .where('community_id', '=', communityId)
        .where('status', '=', 'active')
        .execute()
    ).map((r) => r.version);
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
    // Candidates as training leaves them; switching never reads the model itself.
    for (const version of [1, 2, 3, 4]) {
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

  it('activations, a return to the default and rollbacks at once: at most one active model', async () => {
    const svc = ctx.services.classification;
    for (let round = 0; round < 4; round++) {
      const settled = await Promise.allSettled([
        svc.activate(code, 1),
        svc.rollback(code),
        svc.activate(code, 0),
        svc.activate(code, 2),
        svc.rollback(code),
      ]);
      for (const s of settled) {
        // A rollback that finds the default in force has nothing to undo; nothing else may fail.
        if (s.status === 'rejected') assert.match(String(s.reason), /nothing to roll back/);
      }
      const now = await actives();
      assert.ok(now.length <= 1, `round ${round}: active versions ${now.join(', ')}`);
      const audited = await lastAudited();
      assert.deepEqual(now, audited === 'default' ? [] : [audited]);
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

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { verifyChain } from '../../src/modules/audit/audit.repository.ts';
import { GENESIS_HASH, buildEntry } from '../../src/modules/audit/audit.chain.ts';

/** Each case tampers with a copy of the stored chain in the database and restores it afterwards. */
describe('audit chain in the database: tampering is detected and located', () => {
  let ctx: TestContext;
  let communityId: string;
  before(async () => {
    ctx = await createTestContext({ orders: 10 });
    communityId = ctx.seed.communities[0]?.id ?? '';
  });
  after(() => ctx.close());

  const db = () => ctx.database.db;
  async function withSnapshot(fn: () => Promise<void>) {
    const rows = await db()
      .selectFrom('audit_entries')
      .selectAll()
      .where('community_id', '=', communityId)
      .execute();
    const head = await db()
      .selectFrom('audit_heads')
      .selectAll()
      .where('community_id', '=', communityId)
      .executeTakeFirstOrThrow();
    try {
      await fn();
    } finally {
      await db().deleteFrom('audit_entries').where('community_id', '=', communityId).execute();
      for (let i = 0; i < rows.length; i += 100)
        await db()
          .insertInto('audit_entries')
          .values(rows.slice(i, i + 100))
          .execute();
      await db().deleteFrom('audit_heads').where('community_id', '=', communityId).execute();
      await db().insertInto('audit_heads').values(head).execute();
    }
  }

  it('the seeded chain verifies', async () => {
    const r = await verifyChain(db(), communityId);
    assert.equal(r.ok, true);
    assert.ok(r.entries > 10);
  });

  it('an edited row', () =>
    withSnapshot(async () => {
      await db()
        .updateTable('audit_entries')
        .set({ actor: 'user:intruder' })
        .where('community_id', '=', communityId)
        .where('seq', '=', 5)
        .execute();
      assert.deepEqual(await verifyChain(db(), communityId), {
        ok: false,
        entries: 4,
        firstBadSeq: 5,
        problem: 'entry',
        anchors: 0,
      });
    }));

  it('an edited payload', () =>
    withSnapshot(async () => {
      await db()
        .updateTable('audit_entries')
        .set({ payload_json: '{"to":"closed"}' })
        .where('community_id', '=', communityId)
        .where('seq', '=', 7)
        .execute();
      assert.equal((await verifyChain(db(), communityId)).firstBadSeq, 7);
    }));

  it('a deleted row', () =>
    withSnapshot(async () => {
      await db()
        .deleteFrom('audit_entries')
        .where('community_id', '=', communityId)
        .where('seq', '=', 3)
        .execute();
      assert.equal((await verifyChain(db(), communityId)).firstBadSeq, 3);
    }));

  it('a deleted tail (the head remembers)', () =>
    withSnapshot(async () => {
      const { seq } = await db()
        .selectFrom('audit_heads')
        .select('seq')
        .where('community_id', '=', communityId)
        .executeTakeFirstOrThrow();
      await db()
        .deleteFrom('audit_entries')
        .where('community_id', '=', communityId)
        .where('seq', '>=', Number(seq) - 1)
        .execute();
      const r = await verifyChain(db(), communityId);
      assert.equal(r.ok, false);
      assert.equal(r.firstBadSeq, Number(seq) - 1);
      assert.equal(r.problem, 'head');
    }));

  it('an edited head alone is named as the head', () =>
    withSnapshot(async () => {
      await db()
        .updateTable('audit_heads')
        .set({ entry_hash: 'f'.repeat(64) })
        .where('community_id', '=', communityId)
        .execute();
      const r = await verifyChain(db(), communityId);
      assert.deepEqual([r.ok, r.problem], [false, 'head']);
    }));

  it('a payload stored in another form than its canonical one (keys reordered, a duplicate key)', () =>
    withSnapshot(async () => {
      const row = await db()
        .selectFrom('audit_entries')
        .select(['payload_json'])
        .where('community_id', '=', communityId)
        .where('seq', '=', 3)
        .executeTakeFirstOrThrow();
      const parsed = JSON.parse(row.payload_json) as Record<string, unknown>;
      const reordered = JSON.stringify(Object.fromEntries(Object.entries(parsed).reverse()), null, 1);
      assert.notEqual(reordered, row.payload_json);
      await db()
        .updateTable('audit_entries')
        .set({ payload_json: reordered })
        .where('community_id', '=', communityId)
        .where('seq', '=', 3)
        .execute();
      const r = await verifyChain(db(), communityId);
      assert.deepEqual([r.ok, r.firstBadSeq, r.problem], [false, 3, 'entry']);
    }));

  it('a chain removed whole, head and all, while the community has work orders', () =>
    withSnapshot(async () => {
      await db().deleteFrom('audit_entries').where('community_id', '=', communityId).execute();
      await db().deleteFrom('audit_heads').where('community_id', '=', communityId).execute();
      const r = await verifyChain(db(), communityId);
      assert.deepEqual(r, { ok: false, entries: 0, firstBadSeq: 1, problem: 'missing', anchors: 0 });
    }));

  it('reordered rows (two entries swap seq)', () =>
    withSnapshot(async () => {
      await db()
        .updateTable('audit_entries')
        .set({ seq: -1 })
        .where('community_id', '=', communityId)
        .where('seq', '=', 4)
        .execute();
      await db()
        .updateTable('audit_entries')
        .set({ seq: 4 })
        .where('community_id', '=', communityId)
        .where('seq', '=', 5)
        .execute();
      await db()
        .updateTable('audit_entries')
        .set({ seq: 5 })
        .where('community_id', '=', communityId)
        .where('seq', '=', -1)
        .execute();
      assert.equal((await verifyChain(db(), communityId)).firstBadSeq, 4);
    }));

  it('an inserted row (later rows shifted)', () =>
    withSnapshot(async () => {
      await db()
        .updateTable('audit_entries')
        .set({ seq: sql<number>`seq + 1000000` })
        .where('community_id', '=', communityId)
        .where('seq', '>=', 6)
        .execute();
      await db()
        .updateTable('audit_entries')
        .set({ seq: sql<number>`seq - 999999` })
        .where('community_id', '=', communityId)
        .where('seq', '>=', 1000000)
        .execute();
      const copy = await db()
        .selectFrom('audit_entries')
        .selectAll()
        .where('community_id', '=', communityId)
        .where('seq', '=', 5)
        .executeTakeFirstOrThrow();
      await db()
        .insertInto('audit_entries')
        .values({ ...copy, seq: 6, payload_json: '{"forged":true}' })
        .execute();
      assert.equal((await verifyChain(db(), communityId)).firstBadSeq, 6);
    }));

  /** The head as it stands: what an anchor records. */
  const headNow = async () => {
    const h = await db()
      .selectFrom('audit_heads')
      .select(['seq', 'entry_hash'])
      .where('community_id', '=', communityId)
      .executeTakeFirstOrThrow();
    return { seq: Number(h.seq), entryHash: h.entry_hash };
  };
  /** What someone who can write the tables does to hide a change: hash every entry from `from` on again, and the head. */
  async function rehashFrom(from: number) {
    const rows = await db()
      .selectFrom('audit_entries')
      .selectAll()
      .where('community_id', '=', communityId)
      .orderBy('seq')
      .execute();
    let prev = rows.find((r) => Number(r.seq) === from - 1)?.entry_hash ?? GENESIS_HASH;
    for (const r of rows.filter((x) => Number(x.seq) >= from)) {
      const e = buildEntry(
        {
          communityId,
          seq: Number(r.seq),
          createdAt: r.created_at,
          actor: r.actor,
          action: r.action,
          entityType: r.entity_type,
          entityId: r.entity_id,
        },
        JSON.parse(r.payload_json),
        prev,
      );
      await db()
        .updateTable('audit_entries')
        .set({ payload_digest: e.payloadDigest, prev_hash: e.prevHash, entry_hash: e.entryHash })
        .where('community_id', '=', communityId)
        .where('seq', '=', r.seq)
        .execute();
      prev = e.entryHash;
    }
    await db()
      .updateTable('audit_heads')
      .set({ entry_hash: prev })
      .where('community_id', '=', communityId)
      .execute();
  }

  it('a chain edited and hashed again verifies on its own; an anchor kept outside finds it', () =>
    withSnapshot(async () => {
      const anchor = await headNow();
      const early = { seq: 3, entryHash: (await entryAt(3)).entry_hash };
      await db()
        .updateTable('audit_entries')
        .set({ actor: 'user:intruder' })
        .where('community_id', '=', communityId)
        .where('seq', '=', 5)
        .execute();
      await rehashFrom(5);
      // The limit of a hash chain alone: the rewrite is consistent.
      assert.equal((await verifyChain(db(), communityId)).ok, true);
      // An anchor before the edit still holds; the head's anchor does not.
      assert.deepEqual(await verifyChain(db(), communityId, { anchors: [early] }), {
        ok: true,
        entries: anchor.seq,
        firstBadSeq: null,
        problem: null,
        anchors: 1,
      });
      const r = await verifyChain(db(), communityId, { anchors: [early, anchor] });
      assert.deepEqual([r.ok, r.problem, r.firstBadSeq, r.anchors], [false, 'anchor', anchor.seq, 2]);
      // Anchored between the edit and the head: found at that entry, however long the chain.
      const mid = { seq: 7, entryHash: 'c'.repeat(64) };
      const m = await verifyChain(db(), communityId, { anchors: [mid], pageSize: 2 });
      assert.deepEqual([m.ok, m.problem, m.firstBadSeq, m.entries], [false, 'anchor', 7, 6]);
    }));

  it('a tail cut with its head rewritten to match verifies on its own; an anchor finds it', () =>
    withSnapshot(async () => {
      const anchor = await headNow();
      const keep = anchor.seq - 3;
      await db()
        .deleteFrom('audit_entries')
        .where('community_id', '=', communityId)
        .where('seq', '>', keep)
        .execute();
      const last = await entryAt(keep);
      await db()
        .updateTable('audit_heads')
        .set({ seq: keep, entry_hash: last.entry_hash })
        .where('community_id', '=', communityId)
        .execute();
      assert.equal((await verifyChain(db(), communityId)).ok, true);
      const r = await verifyChain(db(), communityId, { anchors: [anchor] });
      assert.deepEqual([r.ok, r.problem, r.firstBadSeq, r.entries], [false, 'anchor', keep + 1, keep]);
    }));

  it('two anchors that disagree on one entry cannot both hold', async () => {
    const e = await entryAt(2);
    const r = await verifyChain(db(), communityId, {
      anchors: [
        { seq: 2, entryHash: e.entry_hash },
        { seq: 2, entryHash: 'd'.repeat(64) },
      ],
    });
    assert.deepEqual([r.ok, r.problem, r.firstBadSeq], [false, 'anchor', 2]);
    assert.equal(
      (await verifyChain(db(), communityId, { anchors: [{ seq: 2, entryHash: e.entry_hash }] })).ok,
      true,
    );
  });

  const entryAt = (seq: number) =>
    db()
      .selectFrom('audit_entries')
      .selectAll()
      .where('community_id', '=', communityId)
      .where('seq', '=', seq)
      .executeTakeFirstOrThrow();

  it('the CLI verifies too and exits non-zero on a broken chain', async () => {
    const { spawnSync } = await import('node:child_process');
    const env = { ...process.env, LINLI_DATA_DIR: ctx.dataDir };
    if (!process.env.DATABASE_URL) {
      // The test database file is not the CLI's default file name: point the CLI at a copy.
      const { copyFileSync } = await import('node:fs');
      const { join } = await import('node:path');
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db());
      copyFileSync(join(ctx.dataDir, 'test.sqlite'), join(ctx.dataDir, 'linli.sqlite'));
      const ok = spawnSync(process.execPath, ['bin/linli.mjs', 'audit', 'verify'], { env, encoding: 'utf8' });
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(ok.stdout, /taoyuan\tok/);
      const Sqlite = (await import('better-sqlite3')).default;
      const raw = new Sqlite(join(ctx.dataDir, 'linli.sqlite'));
      raw
        .prepare("update audit_entries set action = 'x' where seq = 2 and community_id = ?")
        .run(communityId);
      raw.close();
      const bad = spawnSync(
        process.execPath,
        ['bin/linli.mjs', 'audit', 'verify', '--community', 'taoyuan'],
        { env, encoding: 'utf8' },
      );
      assert.equal(bad.status, 1);
      assert.match(bad.stdout, /BROKEN.*first bad seq 2/);
    } else {
      const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(db())).rows[0]?.s ?? '';
      const ok = spawnSync(process.execPath, ['bin/linli.mjs', 'audit', 'verify'], {
        env: { ...env, LINLI_DB_SCHEMA: schema },
        encoding: 'utf8',
      });
      assert.equal(ok.status, 0, ok.stderr);
      assert.match(ok.stdout, /taoyuan\tok/);
    }
  });
});

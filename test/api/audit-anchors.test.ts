/**
 * Audit anchors end to end: the node's anchor file, `audit.anchor` webhooks, the head and verify
 * endpoints, and the command line — on the database the suite runs on.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { anchorHeads } from '../../src/modules/audit/audit.anchoring.ts';
import { readAnchorFile } from '../../src/modules/audit/audit.anchor-file.ts';

describe('audit anchors', () => {
  let ctx: TestContext;
  let taoyuan: string;
  let longzhu: string;
  let file: string;
  before(async () => {
    ctx = await createTestContext({ orders: 6 });
    taoyuan = ctx.seed.communities[0]?.id ?? '';
    longzhu = ctx.seed.communities[1]?.id ?? '';
    file = ctx.deps.config.auditAnchorFile ?? '';
    assert.ok(file);
  });
  after(() => ctx.close());

  const db = () => ctx.database.db;
  const at = () => ctx.clock.now().toISOString();
  const head = async (communityId: string) => {
    const h = await db()
      .selectFrom('audit_heads')
      .select(['seq', 'entry_hash'])
      .where('community_id', '=', communityId)
      .executeTakeFirstOrThrow();
    return { seq: Number(h.seq), entryHash: h.entry_hash };
  };

  it('anchors every head once, then only the heads that moved, to the file and to subscribers', async () => {
    const admin = await ctx.login('admin');
    const sub = await ctx.call('POST', '/api/v1/webhooks', admin, {
      url: 'https://witness.example.org/linli',
      events: ['audit.anchor'],
    });
    assert.equal(sub.statusCode, 201, sub.body);

    const first = await anchorHeads(db(), { file, at: at() });
    assert.deepEqual(first.anchored.map((a) => a.communityId).sort(), [taoyuan, longzhu].sort());
    assert.equal(first.webhooks, 1, 'one subscriber, in taoyuan');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const lines = readAnchorFile(file);
    assert.deepEqual(
      lines.find((a) => a.communityId === taoyuan),
      { communityId: taoyuan, code: 'taoyuan', ...(await head(taoyuan)), at: at() },
    );

    // Nothing moved: nothing written, nothing sent.
    const again = await anchorHeads(db(), { file, at: at() });
    assert.deepEqual(again, { anchored: [], webhooks: 0, wentBack: [] });
    assert.equal(readAnchorFile(file).length, 2);

    // A new order moves taoyuan's head only.
    const agent = await ctx.login('agent');
    const created = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '楼道灯坏了',
    });
    assert.equal(created.statusCode, 201);
    const moved = await anchorHeads(db(), { file, at: at() });
    assert.deepEqual(
      moved.anchored.map((a) => [a.communityId, a.seq]),
      [[taoyuan, (await head(taoyuan)).seq]],
    );

    // The subscriber's deliveries: one per head, whatever anchors it again (another node, `force`).
    await anchorHeads(db(), { file, at: at(), force: true });
    const outbox = await db()
      .selectFrom('outbox')
      .select(['template', 'payload_json'])
      .where('channel', '=', 'webhook')
      .where('template', '=', 'audit.anchor')
      .execute();
    const sent = outbox.map((o) => JSON.parse(o.payload_json) as { seq: number; communityId: string });
    assert.equal(sent.length, 2);
    assert.ok(sent.every((p) => p.communityId === taoyuan));
    assert.deepEqual(
      sent.map((p) => p.seq).sort((a, b) => a - b),
      [first.anchored.find((a) => a.communityId === taoyuan)?.seq, (await head(taoyuan)).seq],
    );
  });

  it('with no anchor file, the heads go to subscribers once each, remembered from run to run', async () => {
    const sent = new Map();
    const first = await anchorHeads(db(), { file: null, at: at(), sent });
    assert.equal(first.anchored.length, 2);
    assert.equal(first.webhooks, 1, 'offered to the one subscriber, which has these heads already');
    assert.deepEqual(await anchorHeads(db(), { file: null, at: at(), sent }), {
      anchored: [],
      webhooks: 0,
      wentBack: [],
    });
  });

  it('GET /audit/head gives the head to keep; verify checks the kept anchor and the node file', async () => {
    const auditor = await ctx.login('auditor');
    const h = await ctx.call('GET', `/api/v1/audit/head?community=taoyuan`, auditor);
    assert.equal(h.statusCode, 200, h.body);
    const kept = h.json() as { communityId: string; code: string; seq: number; entryHash: string };
    // (Its signature has tests of its own: audit-checkpoints.test.ts.)
    assert.deepEqual(
      { ...kept, at: undefined, keyId: undefined, signature: undefined },
      {
        communityId: taoyuan,
        code: 'taoyuan',
        ...(await head(taoyuan)),
        at: undefined,
        keyId: undefined,
        signature: undefined,
      },
    );

    const ok = await ctx.call(
      'GET',
      `/api/v1/audit/verify?community=${taoyuan}&anchorSeq=${kept.seq}&anchorHash=${kept.entryHash}`,
      auditor,
    );
    assert.equal(ok.statusCode, 200);
    const fileCount = readAnchorFile(file).filter((a) => a.communityId === taoyuan).length;
    assert.deepEqual(ok.json(), {
      ok: true,
      entries: kept.seq,
      firstBadSeq: null,
      problem: null,
      anchors: fileCount + 1,
    });

    // A kept anchor the chain does not hold.
    const wrong = await ctx.call(
      'GET',
      `/api/v1/audit/verify?community=${taoyuan}&anchorSeq=2&anchorHash=${'e'.repeat(64)}`,
      auditor,
    );
    assert.deepEqual([wrong.json().ok, wrong.json().problem, wrong.json().firstBadSeq], [false, 'anchor', 2]);
    const beyond = await ctx.call(
      'GET',
      `/api/v1/audit/verify?community=${taoyuan}&anchorSeq=${kept.seq + 5}&anchorHash=${'e'.repeat(64)}`,
      auditor,
    );
    assert.deepEqual([beyond.json().problem, beyond.json().firstBadSeq], ['anchor', kept.seq + 1]);
  });

  it('refuses half an anchor, a malformed one, other roles and other communities', async () => {
    const auditor = await ctx.login('auditor');
    const half = await ctx.call('GET', `/api/v1/audit/verify?community=${taoyuan}&anchorSeq=3`, auditor);
    assert.equal(half.statusCode, 400);
    assert.equal(half.json().error.code, 'validation_failed');
    assert.equal(half.json().error.details.field, 'anchorHash');
    const bad = await ctx.call(
      'GET',
      `/api/v1/audit/verify?community=${taoyuan}&anchorSeq=3&anchorHash=XYZ`,
      auditor,
    );
    assert.equal(bad.statusCode, 400);
    const zero = await ctx.call(
      'GET',
      `/api/v1/audit/verify?community=${taoyuan}&anchorSeq=0&anchorHash=${'a'.repeat(64)}`,
      auditor,
    );
    assert.equal(zero.statusCode, 400);

    const agent = await ctx.login('agent');
    assert.equal((await ctx.call('GET', `/api/v1/audit/head?community=${taoyuan}`, agent)).statusCode, 403);
    const auditor2 = await ctx.login('auditor2');
    const other = await ctx.call('GET', `/api/v1/audit/head?community=${taoyuan}`, auditor2);
    assert.equal(other.statusCode, 404);
    assert.equal(other.json().error.code, 'community_not_found');
    assert.equal((await ctx.call('GET', `/api/v1/audit/head?community=taoyuan`, auditor2)).statusCode, 404);
    assert.equal((await ctx.call('GET', `/api/v1/audit/head?community=longzhu`, auditor2)).statusCode, 200);
    assert.equal((await ctx.call('GET', `/api/v1/audit/head?community=${longzhu}`)).statusCode, 401);
  });

  /**
   * Cuts taoyuan's last `n` entries and rewrites its head to match (what someone who can write
   * the tables does), runs `fn` with the head's seq before the cut, then puts both back.
   */
  async function withCutTail(n: number, fn: (seq: number) => Promise<void>) {
    const { seq } = await head(taoyuan);
    const rows = await db()
      .selectFrom('audit_entries')
      .selectAll()
      .where('community_id', '=', taoyuan)
      .where('seq', '>', seq - n)
      .execute();
    const headRow = await db()
      .selectFrom('audit_heads')
      .selectAll()
      .where('community_id', '=', taoyuan)
      .executeTakeFirstOrThrow();
    try {
      await db()
        .deleteFrom('audit_entries')
        .where('community_id', '=', taoyuan)
        .where('seq', '>', seq - n)
        .execute();
      const kept = await db()
        .selectFrom('audit_entries')
        .select('entry_hash')
        .where('community_id', '=', taoyuan)
        .where('seq', '=', seq - n)
        .executeTakeFirstOrThrow();
      await db()
        .updateTable('audit_heads')
        .set({ seq: seq - n, entry_hash: kept.entry_hash })
        .where('community_id', '=', taoyuan)
        .execute();
      await fn(seq);
    } finally {
      await db().insertInto('audit_entries').values(rows).execute();
      await db()
        .updateTable('audit_heads')
        .set({ seq: headRow.seq, entry_hash: headRow.entry_hash })
        .where('community_id', '=', taoyuan)
        .execute();
    }
  }

  it("finds a tail cut with its head rewritten, through this node's anchor file, until then unseen", async () => {
    const auditor = await ctx.login('auditor');
    await anchorHeads(db(), { file, at: at() });
    await withCutTail(2, async (seq) => {
      const r = (await ctx.call('GET', `/api/v1/audit/verify?community=${taoyuan}`, auditor)).json();
      assert.deepEqual([r.ok, r.problem, r.firstBadSeq, r.entries], [false, 'anchor', seq - 1, seq - 2]);
      // Without the node's file, the cut would pass: that is what the file is for.
      writeFileSync(`${file}.aside`, readFileSync(file));
      writeFileSync(file, '');
      assert.equal(
        (await ctx.call('GET', `/api/v1/audit/verify?community=${taoyuan}`, auditor)).json().ok,
        true,
      );
      writeFileSync(file, readFileSync(`${file}.aside`));
    });
    assert.equal(
      (await ctx.call('GET', `/api/v1/audit/verify?community=${taoyuan}`, auditor)).json().ok,
      true,
    );
  });

  it('a damaged anchor file is reported, not half-used', async () => {
    const auditor = await ctx.login('auditor');
    const text = readFileSync(file, 'utf8');
    try {
      writeFileSync(file, text + 'garbage line\n' + text);
      const r = await ctx.call('GET', `/api/v1/audit/verify?community=${taoyuan}`, auditor);
      assert.equal(r.statusCode, 503);
      assert.equal(r.json().error.code, 'service_unavailable');
      assert.match(r.json().error.message, /anchor file is damaged \(line \d+: not JSON\)/);
      assert.doesNotMatch(r.json().error.message, /\//, 'no server path in the answer');
    } finally {
      writeFileSync(file, text);
    }
    assert.ok(existsSync(file));
  });

  it('a file that cannot be read is reported like a damaged one; anchors kept under the community code count too', async () => {
    const auditor = await ctx.login('auditor');
    const text = readFileSync(file, 'utf8');
    try {
      rmSync(file);
      mkdirSync(file);
      const r = await ctx.call('GET', `/api/v1/audit/verify?community=${taoyuan}`, auditor);
      assert.equal(r.statusCode, 503);
      assert.match(r.json().error.message, /anchor file is unreadable \(cannot read it \(EISDIR\)\)/);
      rmSync(file, { recursive: true });
      // Someone gave the community a new id and wrote its chain again: the anchors kept under
      // its code still hold it to what was published.
      writeFileSync(
        file,
        text +
          JSON.stringify({
            v: 1,
            communityId: 'an-old-id',
            code: 'taoyuan',
            seq: 2,
            entryHash: 'e'.repeat(64),
            at: at(),
          }) +
          '\n',
      );
      const v = (await ctx.call('GET', `/api/v1/audit/verify?community=${taoyuan}`, auditor)).json();
      assert.deepEqual([v.ok, v.problem, v.firstBadSeq], [false, 'anchor', 2]);
      const other = (
        await ctx.call('GET', `/api/v1/audit/verify?community=longzhu`, await ctx.login('auditor2'))
      ).json();
      assert.equal(other.ok, true, 'another community is not held to it');
    } finally {
      rmSync(file, { recursive: true, force: true });
      writeFileSync(file, text);
    }
  });

  it('a head behind an earlier anchor (a restore, a cut) is written once and named', async () => {
    await anchorHeads(db(), { file, at: at() });
    const lines = readFileSync(file, 'utf8');
    try {
      await withCutTail(2, async (seq) => {
        const run = await anchorHeads(db(), { file, at: at() });
        assert.deepEqual(
          run.wentBack.map((a) => [a.code, a.seq]),
          [['taoyuan', seq - 2]],
        );
        assert.deepEqual(
          run.anchored.map((a) => a.seq),
          [seq - 2],
        );
        // Not again at the next run, although an anchor of a higher seq is in the file.
        assert.deepEqual(await anchorHeads(db(), { file, at: at() }), {
          anchored: [],
          webhooks: 0,
          wentBack: [],
        });
      });
    } finally {
      writeFileSync(file, lines);
    }
  });
});

/**
 * The text search index: a search answers what reading every order with its `LIKE` answers
 * (random texts and queries, masked and unmasked, with other filters, past the candidate bound),
 * the index is what finds the orders (an order without tokens is not found until it is indexed
 * again), every way an order is written indexes it, and an erasure's rewrite leaves no candidate
 * for the erased name.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import {
  insertOrders,
  listOrders,
  withTextCandidates,
  type ListFilter,
} from '../../src/modules/work-orders/work-order.repository.ts';
import {
  indexUnindexedOrders,
  reindexOrders,
  searchCandidates,
} from '../../src/modules/work-orders/work-order.search-index.ts';
import { queryTokens } from '../../src/modules/work-orders/work-order.search-tokens.ts';
import { searchPatterns } from '../../src/modules/work-orders/work-order.filters.ts';
import { newId } from '../../src/platform/ids.ts';
import { migrateTo, migrateToLatest } from '../../src/platform/db/database.ts';
import { sql } from 'kysely';

const postgres = !!process.env.DATABASE_URL;

/** The migrations applied up to the index's purge, the last this file is about. */
const upToPurge = (applied: string[]) => applied.filter((m) => m <= '2026120710_search_index_purge');
describe('the text search index', () => {
  let ctx: TestContext;
  let taoyuan = '';
  let longzhu = '';
  before(async () => {
    ctx = await createTestContext({ orders: 30 });
    taoyuan = ctx.seed.communities.find((c) => c.code === 'taoyuan')?.id ?? '';
    longzhu = ctx.seed.communities.find((c) => c.code === 'longzhu')?.id ?? '';
  });
  after(() => ctx.close());

  const db = () => ctx.database.db;
  const indexed = async () =>
    Number(
      (
        await sql<{ n: number }>`select count(*) as n from ${sql.table(
          postgres ? 'work_order_search_tokens' : 'work_order_search_keys',
        )}`.execute(db())
      ).rows[0]!.n,
    );
  const orderCount = async () =>
    Number(
      (
        await db()
          .selectFrom('work_orders')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** Adds orders to a community with these descriptions and addresses, a minute apart. */
  let added = 0;
  async function addOrders(communityId: string, texts: { description: string; address?: string | null }[]) {
    const tmpl = await db()
      .selectFrom('work_orders')
      .selectAll()
      .where('community_id', '=', communityId)
      .executeTakeFirstOrThrow();
    const base = Date.parse('2025-06-01T00:00:00Z');
    const rows = texts.map((t, i) => {
      const k = added + i;
      const at = new Date(base + k * 60_000).toISOString();
      return {
        ...tmpl,
        id: newId(base + k * 60_000),
        number: `IDX-${String(k).padStart(6, '0')}`,
        description: t.description,
        search_text: null,
        description_folded: null,
        address: t.address ?? null,
        address_folded: null,
        status: k % 3 === 0 ? 'closed' : 'submitted',
        created_at: at,
        updated_at: at,
      };
    });
    added += texts.length;
    await db()
      .transaction()
      .execute((trx) => insertOrders(trx, rows));
    return rows.map((r) => r.id);
  }

  const scope = (over: Partial<ListFilter> = {}): ListFilter => ({
    communityIds: [taoyuan, longzhu],
    limit: 5000,
    ...over,
  });
  /** The list through the index, and the list read without it (every order's LIKE). */
  const both = async (f: ListFilter) => {
    const through = (await listOrders(db(), f)).map((o) => o.id);
    const read = (await listOrders(db(), { ...f, textCandidates: new Map() })).map((o) => o.id);
    return { through, read };
  };

  it('indexes every order the demo wrote, and every order intake takes', async () => {
    assert.equal(await indexed(), await orderCount());
    const admin = await ctx.login('agent');
    const r = await ctx.call('POST', '/api/v1/work-orders', admin, {
      channel: 'hotline',
      description: '西门口的垃圾桶满了没人清理，气味很大',
    });
    assert.equal(r.statusCode, 201, r.body);
    const id = (r.json() as { id: string }).id;
    assert.equal(await indexed(), await orderCount());
    const found = await ctx.call('GET', `/api/v1/work-orders?q=${encodeURIComponent('垃圾桶满')}`, admin);
    assert.deepEqual(
      (found.json() as { items: { id: string }[] }).items.map((o) => o.id),
      [id],
    );
  });

  it('finds what reading every order finds, for random texts and queries, masked or not, with other filters', async () => {
    const alphabet = '楼道灯坏漏水电梯停一二号栋老人独居aAbB01１，。-'.split('');
    const texts = fc.sample(
      fc.record({
        description: fc
          .array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 14 })
          .map((c) => c.join('')),
        address: fc.option(fc.array(fc.constantFrom(...alphabet), { maxLength: 6 }).map((c) => c.join(''))),
      }),
      { numRuns: 240, seed: 7 },
    );
    await addOrders(taoyuan, texts.slice(0, 160));
    await addOrders(longzhu, texts.slice(160));
    let narrowed = 0;
    const queries = fc.sample(
      fc.oneof(
        fc.tuple(fc.nat(239), fc.nat(), fc.nat(4)).map(([i, s, n]) => {
          const d = Array.from(texts[i]!.description);
          const from = s % d.length;
          return d.slice(from, from + 1 + n).join('');
        }),
        fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 4 }).map((c) => c.join('')),
      ),
      { numRuns: 120, seed: 11 },
    );
    for (const [k, q] of queries.entries()) {
      const f = scope({
        text: q,
        textMasked: k % 2 === 1,
        ...(k % 5 === 0 ? { statuses: ['closed'] } : {}),
        ...(k % 7 === 0 ? { communityIds: [taoyuan] } : {}),
      });
      const { through, read } = await both(f);
      assert.deepEqual(through, read, `q=${JSON.stringify(q)}`);
      if ((await withTextCandidates(db(), f)).textCandidates?.size) narrowed += 1;
    }
    assert.ok(narrowed > queries.length / 3, `the index narrowed ${narrowed} of ${queries.length} searches`);
  });

  it('is what finds an order: without its tokens it is not found, indexed again it is', async () => {
    const [id] = await addOrders(taoyuan, [
      { description: '阳台外墙瓷砖松动快掉下来了', address: '桃源村3栋' },
    ]);
    const f = scope({ text: '瓷砖松动' });
    assert.deepEqual((await both(f)).through, [id]);
    if (postgres) await db().deleteFrom('work_order_search_tokens').where('order_id', '=', id!).execute();
    else {
      const key = await db()
        .selectFrom('work_order_search_keys')
        .select('rowid')
        .where('order_id', '=', id!)
        .executeTakeFirstOrThrow();
      await sql`delete from work_order_search_tokens where rowid = ${key.rowid}`.execute(db());
      await db().deleteFrom('work_order_search_keys').where('order_id', '=', id!).execute();
    }
    assert.deepEqual((await both(f)).through, [], 'the list asked the index');
    assert.deepEqual((await both(f)).read, [id]);
    assert.equal(await indexUnindexedOrders(db()), 1);
    assert.deepEqual((await both(f)).through, [id]);
    assert.equal(await indexed(), await orderCount());
  });

  it('past the candidate bound reads the community’s orders, and still answers alike', async () => {
    const many = Array.from({ length: 2_050 }, (_, i) => ({
      description: `井盖松动 第${i}处`,
      address: i % 2 ? '桃源村' : null,
    }));
    await addOrders(taoyuan, many);
    const alternatives = queryTokens(searchPatterns('井盖松动'))!;
    assert.equal(await searchCandidates(db(), taoyuan, alternatives, 2_000), null);
    assert.equal((await searchCandidates(db(), longzhu, alternatives, 2_000))?.length, 0);
    const f = scope({ text: '井盖松动', limit: 20 });
    const narrowed = await withTextCandidates(db(), f);
    assert.equal(narrowed.textCandidates?.has(taoyuan), false, 'taoyuan is read');
    assert.equal(narrowed.textCandidates?.has(longzhu), true, 'longzhu is narrowed (to none)');
    const { through, read } = await both(f);
    assert.equal(through.length, 20);
    assert.deepEqual(through, read);
    // One community: a common word's page comes from its newest 2,000 orders, a rare one's from
    // the index; every page, cursor after cursor, as reading every order gives it.
    for (const text of ['井盖松动', '第17处', '松动 第', '阳台外墙']) {
      let cursor: ListFilter['cursor'];
      for (let page = 0; page < 4; page++) {
        const f1 = scope({ communityIds: [taoyuan], text, limit: 25, cursor });
        const { through: t1, read: r1 } = await both(f1);
        assert.deepEqual(t1, r1, `${text}, page ${page}`);
        const last = (await listOrders(db(), f1)).at(-1);
        if (!last) break;
        cursor = { createdAt: last.created_at, id: last.id };
      }
    }
    // A rarer query among them is narrowed again.
    const rare = scope({ text: '第2049处' });
    assert.equal((await withTextCandidates(db(), rare)).textCandidates?.get(taoyuan)?.length, 1);
    assert.equal((await both(rare)).through.length, 1);
  });

  it('the migration indexes the orders of a database made before the index, telling how far it is', async () => {
    await migrateTo(ctx.database, '2026120680_resident_former_names');
    const meters: { label: string; unit: string; total?: number; done: number[]; finished: boolean }[] = [];
    const applied = await migrateToLatest(ctx.database, {
      progress: (label, unit, total) => {
        const m = { label, unit, total, done: [] as number[], finished: false };
        meters.push(m);
        return { update: (n) => m.done.push(n), finish: () => (m.finished = true) };
      },
    });
    // Migrations after these (of other modules) may follow.
    assert.deepEqual(upToPurge(applied), [
      '2026120690_search_index',
      '2026120700_open311_token_orders',
      '2026120710_search_index_purge',
    ]);
    const orders = await orderCount();
    assert.equal(await indexed(), orders);
    // The index's migration has one meter (later migrations may have their own): the orders read
    // page by page up to all of them.
    const indexing = meters.filter((m) => m.label === 'indexing the text of the orders');
    assert.equal(indexing.length, 1, JSON.stringify(meters.map((m) => m.label)));
    const [meter] = indexing;
    assert.equal(meter?.unit, 'orders');
    assert.equal(meter?.total, orders);
    assert.ok(orders > 1000, `${orders} orders: more than one page`);
    assert.ok((meter?.done.length ?? 0) >= 2, JSON.stringify(meter?.done));
    assert.equal(meter?.done.at(-1), orders);
    assert.ok(meter?.finished);
    const f = scope({ text: '瓷砖松动' });
    assert.equal((await withTextCandidates(db(), f)).textCandidates?.get(taoyuan)?.length, 1);
    assert.equal((await both(f)).through.length, 1);
  });

  it('an erasure re-indexes the rewritten text: the erased name is no candidate', async () => {
    const admin = await ctx.login('admin');
    const resident = await db()
      .selectFrom('residents')
      .select(['id', 'name'])
      .where('community_id', '=', taoyuan)
      .where('phone', '=', '13800000003')
      .executeTakeFirstOrThrow();
    const agent = await ctx.login('agent');
    const r = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: `${resident.name}家的下水道堵了，请尽快处理`,
      residentId: resident.id,
    });
    assert.equal(r.statusCode, 201, r.body);
    const id = (r.json() as { id: string }).id;
    const alternatives = queryTokens(searchPatterns(resident.name))!;
    assert.ok((await searchCandidates(db(), taoyuan, alternatives, 2_000))?.includes(id));
    const erased = await ctx.call('POST', `/api/v1/residents/${resident.id}/erase`, admin, {
      reason: 'resident_request',
    });
    assert.equal(erased.statusCode, 200, erased.body);
    assert.equal((await searchCandidates(db(), taoyuan, alternatives, 2_000))?.includes(id), false);
    // The rest of the text is still found.
    assert.deepEqual((await both(scope({ text: '下水道堵了' }))).through, [id]);
    assert.equal(await indexed(), await orderCount());
  });
  it('the migration after an erasure drops the old tokens a past erasure left in the index', async () => {
    await migrateTo(ctx.database, '2026120700_open311_token_orders');
    const erased = await db()
      .selectFrom('residents')
      .select('id')
      .where('erased_at', 'is not', null)
      .executeTakeFirst();
    assert.ok(erased, 'precondition: the last test erased a resident');
    // What an erasure before this version did: an order re-indexed (its old row marked deleted
    // in its segment), nothing merged.
    const order = await db()
      .selectFrom('work_orders')
      .selectAll()
      .where('community_id', '=', taoyuan)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await reindexOrders(db(), [order]);
    const tombstones = async () =>
      ctx.database.dialect === 'sqlite'
        ? Number(
            (
              await sql<{ n: number }>`select count(*) as n from work_order_search_tokens_data
                where id >= 9007199254740992`.execute(db())
            ).rows[0]?.n,
          )
        : 0;
    if (ctx.database.dialect === 'sqlite')
      assert.ok((await tombstones()) > 0, 'precondition: rows marked deleted');
    assert.deepEqual(upToPurge(await migrateToLatest(ctx.database)), ['2026120710_search_index_purge']);
    assert.equal(await tombstones(), 0);
    assert.equal(await indexed(), await orderCount());
    const words = order.description.match(/[\p{L}\p{N}]{4,}/u)?.[0];
    assert.ok(words, order.description);
    assert.ok((await both(scope({ text: words }))).through.includes(order.id), words);
  });
});

/**
 * Lookups by a list of keys bind one parameter per key; SQLite refuses a statement with more
 * than 32,766 and PostgreSQL one with more than 65,535. Lists built from data go in slices.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import {
  lockOrders,
  residentsByIds,
  usersByIds,
} from '../../src/modules/work-orders/work-order.repository.ts';
import { loadContext } from '../../src/modules/work-orders/work-order.presenter.ts';
import { namesAtAddresses, registeredIdentities } from '../../src/modules/people/resident.repository.ts';
import { selectInChunks } from '../../src/platform/db/in-chunks.ts';

/** More keys than either database binds in one statement. */
const MANY = 70_000;
const junk = (prefix: string) => Array.from({ length: MANY }, (_, i) => `${prefix}${i}`);

describe('lookups by long lists of keys', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ orders: 5 });
  });
  after(() => ctx.close());

  it('finds the people of a list of 70,000 ids', async () => {
    const db = ctx.database.db;
    const resident = await db.selectFrom('residents').select(['id', 'phone']).executeTakeFirstOrThrow();
    const user = await db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    const residents = await residentsByIds(db, [...junk('r'), resident.id]);
    assert.deepEqual(
      residents.map((r) => r.id),
      [resident.id],
    );
    const users = await usersByIds(db, [user.id, ...junk('u')]);
    assert.deepEqual(
      users.map((u) => u.id),
      [user.id],
    );
    const order = await db.selectFrom('work_orders').selectAll().executeTakeFirstOrThrow();
    const orders = junk('o').map((id, i) => ({
      ...order,
      id,
      beneficiary_id: `r${i}`,
      assignee_id: `u${i}`,
    }));
    orders.push({ ...order, beneficiary_id: resident.id, assignee_id: user.id });
    const context = await loadContext(db, orders);
    assert.deepEqual([...context.residents.keys()], [resident.id]);
    assert.deepEqual([...context.users.keys()], [user.id]);
  });

  it('checks 70,000 phones, ID numbers and addresses of an import against the register', async () => {
    const db = ctx.database.db;
    const communityId = ctx.seed.communities[0]?.id ?? '';
    const resident = await db
      .selectFrom('residents')
      .innerJoin('households', 'households.id', 'residents.household_id')
      .select(['residents.name', 'residents.phone', 'residents.id_number', 'households.address'])
      .where('households.community_id', '=', communityId)
      .where('residents.phone', 'is not', null)
      .where('residents.id_number', 'is not', null)
      .executeTakeFirstOrThrow();
    const taken = await registeredIdentities(
      db,
      [...junk('1'), resident.phone ?? ''],
      [...junk('2'), resident.id_number ?? ''],
    );
    assert.deepEqual([...taken.phones.keys()], [resident.phone]);
    assert.deepEqual([...taken.idNumbers.keys()], [resident.id_number]);
    const names = await namesAtAddresses(db, communityId, [...junk('地址'), resident.address]);
    assert.ok(names.has(`${resident.name}\u0000${resident.address}`));
  });

  it('runs one statement per slice, in order', async () => {
    const calls: number[][] = [];
    const rows = await selectInChunks(
      Array.from({ length: 1001 }, (_, i) => i),
      async (chunk) => {
        calls.push(chunk);
        return chunk.filter((k) => k % 250 === 0);
      },
    );
    assert.deepEqual(
      calls.map((c) => [c[0], c.length]),
      [
        [0, 500],
        [500, 500],
        [1000, 1],
      ],
    );
    assert.deepEqual(rows, [0, 250, 500, 750, 1000]);
    assert.deepEqual(await selectInChunks([], () => Promise.reject(new Error('no keys, no statement'))), []);
  });
  it('locks the orders of a list of 70,000 ids (an erasure of someone with that many), the real ones held', async () => {
    const db = ctx.database.db;
    const order = await db.selectFrom('work_orders').select('id').orderBy('id').executeTakeFirstOrThrow();
    const held = db.transaction().execute(async (trx) => {
      await lockOrders(trx, ctx.database.dialect, [...junk('o'), order.id]);
      if (ctx.database.dialect !== 'postgres') return 'no row locks on SQLite: one writer';
      // Another transaction that wants the order now cannot have it.
      const other = await db
        .transaction()
        .execute(async (t2) => {
          await sql`set local lock_timeout = '200ms'`.execute(t2);
          await t2.selectFrom('work_orders').select('id').where('id', '=', order.id).forUpdate().execute();
          return 'taken';
        })
        .catch((e: Error) => e.message);
      return other;
    });
    const outcome = await held;
    if (ctx.database.dialect === 'postgres') assert.match(outcome, /lock timeout/);
    else assert.equal(outcome, 'no row locks on SQLite: one writer');
  });
});

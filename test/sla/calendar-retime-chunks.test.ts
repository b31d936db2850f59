/**
 * A calendar change over more open orders than one chunk: the first chunk is re-timed in the
 * change's transaction, the rest by a `sla_retime` job the timer worker runs a chunk per
 * transaction, recording how far it got, so a worker that stops half-way is resumed from there.
 */
process.env.LINLI_SLA_RETIME_CHUNK = '2';

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { SlaTables } from '../../src/modules/sla/sla.tables.ts';
import { RETIME_TIMER_KIND } from '../../src/modules/sla/sla.service.ts';
import { act, auditOk, createOrder, deploymentAdmin, sh } from './sla-helpers.ts';

const OFFICE = [
  { start: '08:30', end: '12:00' },
  { start: '13:30', end: '17:30' },
];
const calendar = (holidays: string[]) => ({
  name: '社区服务中心工作时间',
  mode: 'business',
  weekly: { 1: OFFICE, 2: OFFICE, 3: OFFICE, 4: OFFICE, 5: OFFICE },
  holidays,
  holidayRegion: 'cn',
});

describe('a calendar change over more open orders than a chunk', () => {
  let ctx: TestContext;
  const ids: string[] = [];
  let communityId = '';
  before(async () => {
    ctx = await createTestContext();
    // Friday 20 November 2026, 10:00 in Shanghai: three working days end on Wednesday 25th.
    assert.equal(ctx.clock.now().toISOString(), sh('2026-11-20T10:00'));
    const agent = await ctx.login('agent');
    for (let i = 0; i < 5; i++) {
      const created = await createOrder(ctx, agent, {
        channel: 'hotline',
        description: `物业维修楼道灯 ${i + 1} 号楼`,
        category: 'basic_living.property',
        urgency: 'normal',
      });
      const order = await act(ctx, agent, created, 'accept');
      ids.push(order.id);
      communityId = order.communityId;
    }
    ids.sort();
  });
  after(() => ctx.close());

  const sla = () => ctx.database.db.withTables<SlaTables>();
  const due = async () => {
    const rows = await sla()
      .selectFrom('sla_order_metrics')
      .select(['work_order_id', 'resolution_due_at'])
      .where('work_order_id', 'in', ids)
      .orderBy('work_order_id')
      .execute();
    return rows.map((r) => r.resolution_due_at);
  };
  const jobs = () =>
    sla()
      .selectFrom('sla_timers')
      .selectAll()
      .where('kind', '=', RETIME_TIMER_KIND)
      .orderBy('created_at')
      .orderBy('key')
      .execute();

  it('re-times one chunk in the change and the rest in the worker, a chunk per step', async () => {
    const wednesday = sh('2026-11-25T10:00');
    const thursday = sh('2026-11-26T10:00');
    assert.deepEqual(await due(), Array(5).fill(wednesday));

    const put = await ctx.call(
      'PUT',
      '/api/v1/sla/calendars/office',
      await deploymentAdmin(ctx),
      calendar(['2026-11-23']),
    );
    assert.equal(put.statusCode, 200, put.body);
    // The change itself re-timed the first two orders by id; a job holds the rest.
    assert.deepEqual(await due(), [thursday, thursday, wednesday, wednesday, wednesday]);
    const [first, ...none] = await jobs();
    assert.ok(first);
    assert.equal(none.length, 0);
    assert.equal(first.status, 'pending');
    const job = JSON.parse(first.payload_json) as { job: string; calendars: string[]; after: string };
    assert.deepEqual(job.calendars, ['office']);
    assert.equal(job.after, ids[1]);

    // A step re-times one chunk and arms the next step, after the last order it did.
    assert.equal((await ctx.services.sla.timers.runDue()).failed, 0);
    assert.deepEqual(await due(), [thursday, thursday, thursday, thursday, wednesday]);
    const steps = await jobs();
    assert.deepEqual(
      steps.map((t) => [t.status, (JSON.parse(t.payload_json) as { after: string }).after]),
      [
        ['fired', ids[1]],
        ['pending', ids[3]],
      ],
    );

    // A worker that stopped before marking its step fired leaves it to be run again: it re-times
    // its chunk again and leaves the next step as it is, arming no second one.
    await sla()
      .updateTable('sla_timers')
      .set({ status: 'pending', fired_at: null, lease_until: null })
      .where('id', '=', first.id)
      .execute();
    await ctx.services.sla.timers.runDue();
    assert.deepEqual(await due(), Array(5).fill(thursday));
    const after = await jobs();
    assert.equal(after.length, 2, 'the same next step, re-armed');
    assert.ok(after.every((t) => t.status === 'fired'));
    // The last step found fewer orders than a chunk: no step after it.
    await ctx.services.sla.timers.runDue();
    assert.equal((await jobs()).length, 2);
    await auditOk(ctx, communityId);
  });

  it('re-times an order acted on meanwhile on the new calendar, the job or not', async () => {
    const agent = await ctx.login('agent');
    const put = await ctx.call(
      'PUT',
      '/api/v1/sla/calendars/office',
      await deploymentAdmin(ctx),
      calendar([]),
    );
    assert.equal(put.statusCode, 200, put.body);
    // The last order is beyond the change's chunk; an action on it replays it on the new calendar.
    const last = ids[4] as string;
    const got = await ctx.call('GET', `/api/v1/work-orders/${last}`, agent);
    const order = got.json() as { id: string; version: number; status: string; communityId: string };
    await ctx.call('POST', `/api/v1/work-orders/${last}/actions/wait`, agent, {
      version: order.version,
      note: '等居民回电',
    });
    await ctx.services.sla.timers.runDue();
    const rows = await sla()
      .selectFrom('sla_order_metrics')
      .select(['work_order_id', 'resolution_due_at', 'sla_status'])
      .where('work_order_id', 'in', ids)
      .orderBy('work_order_id')
      .execute();
    for (const row of rows.slice(0, 4)) assert.equal(row.resolution_due_at, sh('2026-11-25T10:00'));
    assert.equal(rows[4]?.sla_status, 'paused');
    await auditOk(ctx, communityId);
  });
});

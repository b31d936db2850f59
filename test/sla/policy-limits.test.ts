/**
 * An SLA target is a deadline every new order of its scope gets: one that no calendar arithmetic
 * can place (a typo of 1e8 minutes, or more working time than its calendar holds in ten years)
 * is refused when the policy or its calendar is saved, naming the field, so intake never fails on it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import type { SlaTables } from '../../src/modules/sla/sla.tables.ts';
import { createOrder, deploymentAdmin } from './sla-helpers.ts';

const POLICIES = '/api/v1/sla/policies';
const WEEKDAYS_9_TO_5 = Object.fromEntries(
  [1, 2, 3, 4, 5].map((d) => [String(d), [{ start: '09:00', end: '17:00' }]]),
);

describe('SLA targets that no deadline can hold are refused', () => {
  let ctx: TestContext;
  let admin: string;
  before(async () => {
    ctx = await createTestContext();
    admin = await deploymentAdmin(ctx);
  });
  after(() => ctx.close());

  const refused = (res: LightMyRequestResponse, field: string) => {
    assert.equal(res.statusCode, 400, res.body);
    const e = (res.json() as { error: { code: string; details: { field: string } } }).error;
    assert.equal(e.code, 'validation_failed', res.body);
    assert.equal(e.details.field, field, res.body);
  };
  const policyRows = (id: string) =>
    ctx.database.db
      .withTables<SlaTables>()
      .selectFrom('sla_policies')
      .select('id')
      .where('id', '=', id)
      .execute();
  const intakeWorks = async (category: string) => {
    const order = await createOrder(ctx, await ctx.login('agent'), {
      channel: 'hotline',
      description: '楼道里有噪音，请处理',
      category,
      urgency: 'normal',
    });
    const m = await ctx.database.db
      .withTables<SlaTables>()
      .selectFrom('sla_order_metrics')
      .select(['policy_id', 'resolution_due_at'])
      .where('work_order_id', '=', order.id)
      .executeTakeFirstOrThrow();
    assert.ok(m.resolution_due_at);
    return m.policy_id;
  };

  it('refuses a target or escalation step beyond a year of minutes; intake goes on', async () => {
    const base = {
      category: 'basic_living.noise',
      priorityBand: '*',
      calendarId: 'office',
      firstResponseMinutes: 60,
      resolutionMinutes: 600,
      escalationChain: ['dispatcher', 'manager'],
    };
    refused(
      await ctx.call('POST', POLICIES, admin, { ...base, id: 'typo', resolutionMinutes: 1e8 }),
      'resolutionMinutes',
    );
    refused(
      await ctx.call('POST', POLICIES, admin, { ...base, id: 'typo', escalationStepMinutes: 1e9 }),
      'escalationStepMinutes',
    );
    assert.deepEqual(await policyRows('typo'), []);
    assert.notEqual(await intakeWorks('basic_living.noise'), 'typo');
  });

  it('refuses a target its calendar cannot reach, and a calendar edit that would strand a policy', async () => {
    const cal = (weekly: Record<string, unknown>) => ({ name: '窄时段', mode: 'business', weekly });
    const put = await ctx.call('PUT', '/api/v1/sla/calendars/narrow', admin, cal(WEEKDAYS_9_TO_5));
    assert.equal(put.statusCode, 200, put.body);
    const base = {
      category: 'basic_living.parking',
      priorityBand: '*',
      calendarId: 'narrow',
      firstResponseMinutes: 60,
      escalationChain: ['dispatcher'],
    };
    // 20,000 minutes of 9 to 5 on weekdays: about ten weeks.
    const ok = await ctx.call('POST', POLICIES, admin, { ...base, id: 'slow', resolutionMinutes: 20_000 });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(await intakeWorks('basic_living.parking'), 'slow');
    // Half an hour on Mondays holds about 15,700 minutes in ten years: no deadline for 20,000.
    const monday = { '1': [{ start: '09:00', end: '09:30' }] };
    const narrowed = await ctx.call('PUT', '/api/v1/sla/calendars/narrow', admin, cal(monday));
    refused(narrowed, 'weekly');
    assert.match(narrowed.body, /slow/);
    refused(
      await ctx.call('PUT', '/api/v1/sla/calendars/sparse', admin, cal(monday)).then(async (r) => {
        assert.equal(r.statusCode, 200, r.body);
        return ctx.call('POST', POLICIES, admin, {
          ...base,
          category: 'basic_living.sanitation',
          id: 'stranded',
          calendarId: 'sparse',
          resolutionMinutes: 300_000,
        });
      }),
      'resolutionMinutes',
    );
    assert.deepEqual(await policyRows('stranded'), []);
    assert.equal(await intakeWorks('basic_living.parking'), 'slow');
  });
});

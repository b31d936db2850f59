/**
 * Erasure finds the resident's orders however their phone was typed (an agent's call, an Open311
 * request with +86 and spaces), and an emergency's family notice is not sent once they are erased.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { createChannelAdapters } from '../../src/modules/notifications/adapters.ts';
import type { SmsProvider } from '../../src/modules/notifications/adapters.ts';
import { deliverDue } from '../../src/modules/notifications/outbox.worker.ts';
import { silentLogger } from '../../src/platform/context.ts';
import { postForm } from '../open311/open311.helpers.ts';

const WANG_PHONE = '13800000001';

describe('erasure: orders and messages found by phone, however typed', () => {
  let ctx: TestContext;
  let admin: string;
  let agent: string;
  let wang: string;
  const sent: { to: string; text: string; key: string }[] = [];
  const sms: SmsProvider = {
    async send(to, text, key) {
      sent.push({ to, text, key });
    },
  };
  before(async () => {
    ctx = await createTestContext({ orders: 4 });
    admin = await ctx.login('admin');
    agent = await ctx.login('agent');
    wang = await residentIdByPhone(ctx, WANG_PHONE);
  });
  after(() => ctx.close());

  it('finds her orders by phone however typed, and sends no family notice once she is erased', async () => {
    // 1. A call she made, typed by an agent with her phone in another format (no residentId).
    const call = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '家里水管漏水',
      reporter: { name: '王秀英', phone: '138-0000-0001' },
    });
    assert.equal(call.statusCode, 201, call.body);
    const callId = (call.json() as { id: string }).id;
    // 2. Open311: her name and phone with +86.
    const o311 = await postForm(ctx.app, '/open311/v2/requests.json', [
      ['api_key', 'demo-open311-key'],
      ['jurisdiction_id', 'taoyuan'],
      ['service_code', 'basic_living.elevator'],
      ['lat', '22.5615'],
      ['long', '113.9413'],
      ['attribute[building]', '3栋'],
      ['attribute[people_trapped]', 'no'],
      ['description', '电梯停了'],
      ['first_name', '秀英'],
      ['last_name', '王'],
      ['phone', '+86 138 0000 0001'],
      ['email', 'wxy@example.com'],
      ['account_id', 'wangxiuying1950'],
    ]);
    assert.equal(o311.statusCode, 200, o311.body);
    // 3. An emergency for her, its messages not yet delivered when she is erased.
    const em = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      residentId: wang,
      description: '老人在家摔倒了起不来',
    });
    assert.equal(em.statusCode, 201, em.body);
    const emId = (em.json() as { id: string }).id;

    const r = await ctx.call('POST', `/api/v1/residents/${wang}/erase`, admin, {
      reason: 'resident_request',
    });
    assert.equal(r.statusCode, 200, r.body);

    const rows = await ctx.database.db
      .selectFrom('work_orders')
      .select([
        'id',
        'channel',
        'reporter_name',
        'reporter_phone',
        'attributes_json',
        'beneficiary_id',
        'household_id',
        'address',
      ])
      .where('id', 'in', [callId, emId])
      .execute();
    const o311row = await ctx.database.db
      .selectFrom('work_orders')
      .select(['id', 'channel', 'reporter_name', 'reporter_phone', 'attributes_json'])
      .where('channel', '=', 'open311')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();

    await deliverDue(
      ctx.database,
      ctx.clock,
      createChannelAdapters(ctx.database, ctx.clock, silentLogger, { sms }).adapters,
      {
        limit: 1000,
      },
    );
    const family = sent.filter((s) => s.key === `emergency:${emId}:contact`);

    // The erasure's audit entry names no household of hers (the chain cannot be changed later).
    const audit = await ctx.database.db
      .selectFrom('audit_entries')
      .select('payload_json')
      .where('action', '=', 'resident.erased')
      .where('entity_id', '=', wang)
      .executeTakeFirstOrThrow();
    assert.doesNotMatch(audit.payload_json, /household/i);

    const leftovers = [
      ...rows.filter(
        (x) =>
          x.reporter_name === '王秀英' || (x.reporter_phone ?? '').replace(/\D/g, '').endsWith(WANG_PHONE),
      ),
      ...(o311row.reporter_name === '王秀英' ? [o311row] : []),
      ...family.filter((s) => s.text.includes('王秀英')),
    ];
    assert.deepEqual(leftovers, []);
  });
});

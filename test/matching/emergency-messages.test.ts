import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, residentIdByPhone } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { createChannelAdapters } from '../../src/modules/notifications/adapters.ts';
import type { SmsProvider } from '../../src/modules/notifications/adapters.ts';
import { deliverDue } from '../../src/modules/notifications/outbox.worker.ts';
import type { NotificationTables } from '../../src/modules/notifications/notifications.tables.ts';
import { silentLogger } from '../../src/platform/context.ts';

interface Order {
  id: string;
  number: string;
  status: string;
  address: string | null;
  urgency: string;
  assignee: { id: string } | null;
}

describe('emergency lane messages: the responder, the grid worker and the family read words, not template keys', () => {
  let ctx: TestContext;
  const sent: { to: string; text: string; key: string }[] = [];
  before(async () => {
    ctx = await createTestContext();
  });
  after(() => ctx.close());

  const sms: SmsProvider = {
    async send(to, text, key) {
      sent.push({ to, text, key });
    },
  };
  const deliver = () =>
    deliverDue(
      ctx.database,
      ctx.clock,
      createChannelAdapters(ctx.database, ctx.clock, silentLogger, { sms }).adapters,
      {
        limit: 500,
      },
    );
  const smsOf = (key: string) => sent.find((s) => s.key === key)?.text ?? '';

  it('a fall at home: number, category, urgency, address and the caller’s words to the responder; a calm notice to the family', async () => {
    const agent = await ctx.login('agent');
    const description = '我妈妈在家摔倒了起不来，回电 13912345678';
    const res = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      residentId: await residentIdByPhone(ctx, '13800000001'),
      description,
    });
    assert.equal(res.statusCode, 201, res.body);
    const o = res.json() as Order;
    assert.equal(o.urgency, 'critical', 'precondition: the emergency rules fire');
    assert.equal(o.status, 'dispatched');
    assert.ok(o.address, 'precondition: the order has the household address');
    await deliver();

    const responder = smsOf(`emergency:${o.id}:responder:${o.assignee?.id ?? ''}`);
    assert.ok(responder.startsWith('【邻里】紧急派单：'), responder);
    for (const part of [o.number, o.address ?? '', '危急', '我妈妈在家摔倒了起不来']) {
      assert.ok(responder.includes(part), `the responder's SMS "${responder}" has ${part}`);
    }
    assert.ok(!responder.includes('emergency_dispatch'), responder);
    assert.ok(!responder.includes('13912345678'), 'no phone number from the description in an SMS');

    const grid = await ctx.database.db
      .selectFrom('outbox')
      .select(['idempotency_key', 'recipient_id', 'payload_json'])
      .where('idempotency_key', 'like', `emergency:${o.id}:grid:%:sms`)
      .executeTakeFirstOrThrow();
    const gridSms = smsOf(grid.idempotency_key);
    assert.ok(gridSms.includes(o.number) && gridSms.includes(o.address ?? ''), gridSms);
    assert.ok(!gridSms.includes('emergency_dispatch'), gridSms);
    const inbox = await ctx.database.db
      .withTables<NotificationTables>()
      .selectFrom('inbox_items')
      .select(['title', 'body'])
      .where('recipient_id', '=', grid.recipient_id ?? '')
      .where('template', '=', 'emergency_dispatch')
      .executeTakeFirstOrThrow();
    assert.equal(inbox.title, '紧急派单', "the grid worker's inbox title");
    assert.ok(inbox.body.includes(o.number));
    assert.equal(
      (JSON.parse(grid.payload_json) as { urgent?: boolean }).urgent,
      true,
      'never held for a digest',
    );

    const contact = sent.find((s) => s.key === `emergency:${o.id}:contact`);
    assert.ok(contact, 'the emergency contact gets an SMS');
    assert.ok(!contact.text.includes('emergency_contact_notice'), contact.text);
    assert.ok(contact.text.includes(o.number), contact.text);
    assert.match(contact.text, /社区已收到.*的求助.*已安排.*前往处理/);
    for (const detail of ['摔倒', o.address ?? '', '13912345678']) {
      assert.ok(!contact.text.includes(detail), `the family's SMS "${contact.text}" leaves out ${detail}`);
    }
  });

  it('a gas smell without an address still tells the responder what and that no address was given', async () => {
    const agent = await ctx.login('agent');
    const res = await ctx.call('POST', '/api/v1/work-orders', agent, {
      channel: 'hotline',
      description: '楼道里有很重的煤气味',
    });
    assert.equal(res.statusCode, 201, res.body);
    const o = res.json() as Order;
    assert.equal(o.status, 'dispatched', 'precondition: the emergency lane dispatched it');
    await deliver();
    const text = smsOf(`emergency:${o.id}:responder:${o.assignee?.id ?? ''}`);
    assert.ok(text.includes(o.number), text);
    assert.ok(text.includes('楼道里有很重的煤气味'), text);
    assert.ok(text.includes('燃气泄漏'), text);
    assert.ok(!text.includes('emergency_dispatch'), text);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NOT_SENT, deliveryOf } from './outbox.recipients.ts';
import type { QueuedMessage, RecipientFacts } from './outbox.recipients.ts';

const facts: RecipientFacts = {
  residents: new Map([
    ['r1', { phone: '13900000002', erased: false, emergencyContactPhone: '13700000009' }],
    ['r2', { phone: null, erased: true, emergencyContactPhone: null }],
    ['r3', { phone: null, erased: false, emergencyContactPhone: null }],
  ]),
  users: new Map([
    ['u1', { phone: '13600000001', active: true, communityIds: ['c1'] }],
    ['u2', { phone: '13600000002', active: false, communityIds: ['c1'] }],
  ]),
  webhooks: new Map([
    ['w1', { url: 'https://hooks.example.org/in?token=s3cret', active: true }],
    ['w2', { url: 'https://hooks.example.org/old', active: false }],
  ]),
};
const sms = (over: Partial<QueuedMessage>): QueuedMessage => ({
  channel: 'sms',
  recipientType: 'resident',
  recipientId: 'r1',
  address: '13800000001',
  template: 'order_received',
  orderCommunityId: null,
  ...over,
});

describe('deliveryOf: the address a queued message goes to when it is sent', () => {
  it("sends a resident's SMS to the phone they have now, not the one it was written with", () => {
    assert.deepEqual(deliveryOf(sms({}), facts), { send: true, address: '13900000002' });
  });

  it('sends nothing to an erased resident, nor to one without a phone now', () => {
    assert.deepEqual(deliveryOf(sms({ recipientId: 'r2' }), facts), { send: false, reason: NOT_SENT.erased });
    assert.deepEqual(deliveryOf(sms({ recipientId: 'r3' }), facts), {
      send: false,
      reason: NOT_SENT.noPhone,
    });
    assert.deepEqual(deliveryOf(sms({ recipientId: 'gone' }), facts), {
      send: false,
      reason: NOT_SENT.erased,
    });
    assert.deepEqual(deliveryOf(sms({ recipientId: 'r2', channel: 'inapp', address: null }), facts), {
      send: false,
      reason: NOT_SENT.erased,
    });
  });

  it('sends a one-time code to the number it was asked for, the identity it proves', () => {
    assert.deepEqual(deliveryOf(sms({ template: 'otp' }), facts), { send: true, address: '13800000001' });
    assert.deepEqual(deliveryOf(sms({ template: 'otp', recipientId: 'r2' }), facts), {
      send: false,
      reason: NOT_SENT.erased,
    });
  });

  it("sends the emergency contact's notice to the contact on record now", () => {
    const contact = sms({ recipientType: 'emergency_contact', template: 'emergency_contact_notice' });
    assert.deepEqual(deliveryOf(contact, facts), { send: true, address: '13700000009' });
    assert.deepEqual(deliveryOf({ ...contact, recipientId: 'r2' }, facts), {
      send: false,
      reason: NOT_SENT.erased,
    });
    assert.deepEqual(deliveryOf({ ...contact, recipientId: 'r3' }, facts), {
      send: false,
      reason: NOT_SENT.noContact,
    });
  });

  it('tells staff only while they are active and serve the order’s community', () => {
    const staff = sms({
      recipientType: 'user',
      recipientId: 'u1',
      address: '13500000000',
      orderCommunityId: 'c1',
    });
    assert.deepEqual(deliveryOf(staff, facts), { send: true, address: '13600000001' });
    assert.deepEqual(deliveryOf({ ...staff, recipientId: 'u2' }, facts), {
      send: false,
      reason: NOT_SENT.deactivated,
    });
    assert.deepEqual(deliveryOf({ ...staff, orderCommunityId: 'c2' }, facts), {
      send: false,
      reason: NOT_SENT.otherCommunity,
    });
    assert.deepEqual(
      deliveryOf({ ...staff, channel: 'inapp', address: null, orderCommunityId: null }, facts),
      {
        send: true,
        address: null,
      },
    );
  });

  it("sends a webhook event to its subscription's URL as it is now, query included", () => {
    const hook = sms({
      channel: 'webhook',
      recipientType: 'address',
      recipientId: 'w1',
      address: 'https://hooks.example.org/in?[redacted]',
    });
    assert.deepEqual(deliveryOf(hook, facts), {
      send: true,
      address: 'https://hooks.example.org/in?token=s3cret',
    });
    // Whatever the row says: an address it was written with is a record, not where it goes.
    assert.deepEqual(deliveryOf({ ...hook, address: 'https://elsewhere.example/' }, facts), {
      send: true,
      address: 'https://hooks.example.org/in?token=s3cret',
    });
  });

  it('sends nothing for a webhook subscription removed, or gone, since', () => {
    const hook = sms({
      channel: 'webhook',
      recipientType: 'address',
      address: 'https://hooks.example.org/old',
    });
    for (const recipientId of ['w2', 'w-gone', null])
      assert.deepEqual(deliveryOf({ ...hook, recipientId }, facts), {
        send: false,
        reason: NOT_SENT.webhookRemoved,
      });
  });

  it('sends any other message to a plain address as written', () => {
    const wechat = sms({ channel: 'wechat', recipientType: 'address', recipientId: null, address: 'oX1' });
    assert.deepEqual(deliveryOf(wechat, facts), { send: true, address: 'oX1' });
  });
});

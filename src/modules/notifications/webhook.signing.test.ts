import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook } from './webhook.signing.ts';

test('the signature is HMAC-SHA256 over "<timestamp>.<body>" and verifies only unchanged, fresh bodies', () => {
  const body = '{"event":"work_order.created","data":{"orderId":"1"}}';
  const header = signWebhook('s3cret', 1_800_000_000, body);
  const expected = createHmac('sha256', 's3cret').update(`1800000000.${body}`).digest('hex');
  assert.equal(header, `t=1800000000,v1=${expected}`);
  assert.ok(verifyWebhook('s3cret', header, body, 1_800_000_100));
  assert.ok(!verifyWebhook('s3cret', header, `${body} `, 1_800_000_100), 'changed body');
  assert.ok(!verifyWebhook('other', header, body, 1_800_000_100), 'wrong secret');
  assert.ok(!verifyWebhook('s3cret', header, body, 1_800_001_000), 'replayed too late');
  assert.ok(!verifyWebhook('s3cret', undefined, body, 1_800_000_000));
  assert.ok(!verifyWebhook('s3cret', 't=abc,v1=00', body, 1_800_000_000));
  assert.ok(!verifyWebhook('s3cret', `t=1800000000,v1=${expected.slice(0, 10)}`, body, 1_800_000_000));
});

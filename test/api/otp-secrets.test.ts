import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { createChannelAdapters } from '../../src/modules/notifications/adapters.ts';
import type { SmsProvider } from '../../src/modules/notifications/adapters.ts';
import { deliverDue, MAX_ATTEMPTS } from '../../src/modules/notifications/outbox.worker.ts';
import { PermanentDeliveryError } from '../../src/modules/notifications/webhook.guard.ts';
import type { Logger } from '../../src/platform/context.ts';

const PHONE = '13800000001';

describe('one-time codes and phone numbers stay out of the log and the outbox', () => {
  let ctx: TestContext;
  const saved = process.env.LINLI_LOG_OTP;
  before(async () => {
    ctx = await createTestContext();
    // As `serve` runs in production: code logging off.
    process.env.LINLI_LOG_OTP = '0';
  });
  after(async () => {
    if (saved === undefined) delete process.env.LINLI_LOG_OTP;
    else process.env.LINLI_LOG_OTP = saved;
    await ctx.close();
  });

  const lines: string[] = [];
  const log = (obj: unknown, msg?: string) => lines.push(JSON.stringify({ ...(obj as object), msg }));
  const logger: Logger = { info: log, warn: log, error: log };

  /** Asks for a code and returns it with its outbox row's key, as the test reads it before delivery. */
  async function requestCode(): Promise<{ code: string; key: string }> {
    ctx.clock.advance(60_000);
    const res = await ctx.call('POST', '/api/v1/auth/otp/request', undefined, { phone: PHONE });
    assert.equal(res.statusCode, 200, res.body);
    const row = await ctx.database.db
      .selectFrom('outbox')
      .select(['idempotency_key', 'payload_json'])
      .where('template', '=', 'otp')
      .where('address', '=', PHONE)
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow();
    const { code } = JSON.parse(row.payload_json) as { code: string };
    assert.match(code, /^\d{6}$/, 'the pending message carries the code its delivery needs');
    return { code, key: row.idempotency_key };
  }

  const payloadOf = async (key: string) => {
    const row = await ctx.database.db
      .selectFrom('outbox')
      .select(['status', 'payload_json'])
      .where('idempotency_key', '=', key)
      .executeTakeFirstOrThrow();
    return { status: row.status, payload: JSON.parse(row.payload_json) as { code?: string } };
  };

  it('the development SMS provider logs the phone masked and no code; the sent message keeps no code', async () => {
    const { code, key } = await requestCode();
    const { adapters } = createChannelAdapters(ctx.database, ctx.clock, logger);
    await deliverDue(ctx.database, ctx.clock, adapters, { channels: ['sms'], limit: 500 });
    const logged = lines.join('\n');
    assert.ok(logged.includes('sms (development)'), 'the message was logged');
    assert.ok(!logged.includes(code), `no code in the log: ${logged}`);
    assert.ok(!logged.includes(PHONE), `no full phone number in the log: ${logged}`);
    assert.ok(logged.includes('138****0001'), logged);

    const after = await payloadOf(key);
    assert.equal(after.status, 'delivered');
    assert.equal(after.payload.code, '******', 'the code is not kept at rest once sent');
    assert.ok(!JSON.stringify(after.payload).includes(code));

    // The code itself still works: it is checked against the otp table's hash.
    const verified = await ctx.call('POST', '/api/v1/auth/otp/verify', undefined, { phone: PHONE, code });
    assert.equal(verified.statusCode, 200, verified.body);
  });

  it('a failed attempt keeps the code for the retry; failing for good blanks it', async () => {
    const { code, key } = await requestCode();
    let permanent = false;
    const gateway: SmsProvider = {
      async send() {
        throw permanent ? new PermanentDeliveryError('number refused') : new Error('gateway down');
      },
    };
    const { adapters } = createChannelAdapters(ctx.database, ctx.clock, logger, { sms: gateway });
    const run = () => deliverDue(ctx.database, ctx.clock, adapters, { channels: ['sms'], limit: 500 });
    await run();
    const retry = await payloadOf(key);
    assert.equal(retry.status, 'pending');
    assert.equal(retry.payload.code, code, 'a retry needs the code');
    permanent = true;
    ctx.clock.advance(3600_000);
    await run();
    const failed = await payloadOf(key);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.payload.code, '******');
  });

  it('running out of attempts also blanks the code', async () => {
    const { key } = await requestCode();
    const gateway: SmsProvider = {
      async send() {
        throw new Error('gateway down');
      },
    };
    const { adapters } = createChannelAdapters(ctx.database, ctx.clock, logger, { sms: gateway });
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      await deliverDue(ctx.database, ctx.clock, adapters, { channels: ['sms'], limit: 500 });
      ctx.clock.advance(3600_000);
    }
    const failed = await payloadOf(key);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.payload.code, '******');
  });
});

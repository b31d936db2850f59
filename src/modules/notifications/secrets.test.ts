import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../../platform/context.ts';
import { logOtpCodesFrom } from '../../platform/config.ts';
import { RecordingProvider } from './adapters.ts';
import { maskCodes, redactedPayload, REDACTED } from './secrets.ts';

function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (obj: unknown, msg?: string) => {
    lines.push(JSON.stringify({ ...(obj as object), msg }));
  };
  return { lines, info: log, warn: log, error: log };
}

const OTP_TEXT = '【邻里】验证码：您的验证码是 183915，5 分钟内有效。';

describe('the development SMS provider keeps phone numbers and codes out of the log', () => {
  it('masks the recipient and the code when code logging is off', async () => {
    const logger = capturingLogger();
    const provider = new RecordingProvider('sms', logger, { logCodes: false });
    await provider.send('13800000001', OTP_TEXT, 'otp:1');
    const line = logger.lines.join('\n');
    assert.ok(!line.includes('13800000001'), line);
    assert.ok(!line.includes('183915'), line);
    assert.ok(line.includes('138****0001'), line);
    assert.ok(line.includes('您的验证码是 ******'), line);
    assert.equal(provider.sent[0]?.text, OTP_TEXT, 'what was sent is kept in memory as sent');
  });

  it('is off unless asked for', async () => {
    const logger = capturingLogger();
    await new RecordingProvider('sms', logger).send('13800000001', OTP_TEXT, 'otp:1');
    assert.ok(!logger.lines.join('\n').includes('183915'));
  });

  it('shows the code when code logging is on (the demo), the phone still masked', async () => {
    const logger = capturingLogger();
    await new RecordingProvider('sms', logger, { logCodes: true }).send('13800000001', OTP_TEXT, 'otp:1');
    const line = logger.lines.join('\n');
    assert.ok(line.includes('183915'), line);
    assert.ok(!line.includes('13800000001'), line);
  });

  it('blanks phone numbers in the text and keeps order numbers and dates readable', async () => {
    const logger = capturingLogger();
    await new RecordingProvider('sms', logger).send(
      '13712340001',
      '【邻里】紧急派单：工单 TAOYUAN-20261206-001506，回电 13912345678，2026-12-06 10:00',
      'k',
    );
    const line = logger.lines.join('\n');
    assert.ok(!line.includes('13912345678') && !line.includes('13712340001'), line);
    assert.ok(line.includes('TAOYUAN-20261206-001506') && line.includes('2026-12-06 10:00'), line);
  });

  it('masks stand-alone 4–8 digit codes only', () => {
    assert.equal(
      maskCodes('code 1234, 12345678; 123 and 123456789'),
      'code ****, ********; 123 and 123456789',
    );
    assert.equal(maskCodes('TY-20261206-001506 at 2026-12-06'), 'TY-20261206-001506 at 2026-12-06');
  });
});

describe('a one-time code is not kept in the outbox once its message is done', () => {
  it('blanks the secrets of templates that carry them, and nothing else', () => {
    const done = redactedPayload('otp', JSON.stringify({ code: '256789', minutes: 5 }));
    assert.deepEqual(JSON.parse(done ?? ''), { code: REDACTED, minutes: 5 });
    assert.equal(redactedPayload('otp', done ?? ''), null, 'already blank');
    assert.equal(redactedPayload('order_received', JSON.stringify({ number: 'N-1', code: 'x' })), null);
  });
});

test('LINLI_LOG_OTP: off unless set to 1 (serve --demo sets it), whatever NODE_ENV says', () => {
  assert.equal(logOtpCodesFrom({}), false);
  assert.equal(logOtpCodesFrom({ NODE_ENV: 'development' }), false);
  assert.equal(logOtpCodesFrom({ LINLI_LOG_OTP: '0' }), false);
  assert.equal(logOtpCodesFrom({ NODE_ENV: 'production', LINLI_LOG_OTP: '1' }), true);
});

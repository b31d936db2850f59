import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderTemplate, TEMPLATES } from './templates.ts';
import { residentChannel } from './notify.ts';

test('every template exists in Chinese and English and fills its placeholders', () => {
  for (const [name, set] of Object.entries(TEMPLATES)) {
    for (const locale of ['zh-CN', 'en'] as const) {
      assert.ok(set[locale].title.trim(), `${name} ${locale} title`);
      assert.ok(set[locale].body.trim(), `${name} ${locale} body`);
    }
  }
  const zh = renderTemplate('sla_breached', 'zh-CN', { number: 'TY-1', clock: 'resolution', dueAt: '10:00' });
  assert.equal(zh.body, '工单 TY-1 的办结时限已于 10:00 超时。');
  const en = renderTemplate('sla_breached', 'en', {
    number: 'TY-1',
    clock: 'first_response',
    dueAt: '10:00',
  });
  assert.equal(en.body, 'The first response of TY-1 was due at 10:00 and is overdue.');
});

test('an unknown template or a missing value still renders', () => {
  assert.deepEqual(renderTemplate('something_new', 'en', { number: 'N-9' }), {
    title: 'something_new',
    body: 'Update on N-9',
  });
  assert.equal(renderTemplate('order_assigned', 'zh-CN', {}).body, '您有新的工单 （紧急程度：）。');
  assert.equal(
    renderTemplate('order_assigned', 'zh-CN', { number: 'TY-2', urgency: 'critical' }).body,
    '您有新的工单 TY-2（紧急程度：危急）。',
  );
  assert.equal(
    renderTemplate('otp', 'fr', { code: '123456', minutes: 5 }).body,
    '您的验证码是 123456，5 分钟内有效。',
  );
});

test('a resident hears back on the channel they used', () => {
  assert.equal(residentChannel('miniapp', 'sms'), 'inapp');
  assert.equal(residentChannel('web', null), 'inapp');
  assert.equal(residentChannel('hotline', 'inapp'), 'sms');
  assert.equal(residentChannel('window', null), 'sms');
  assert.equal(residentChannel('device', 'wechat'), 'wechat');
  assert.equal(residentChannel('open311', 'fax'), 'sms');
});

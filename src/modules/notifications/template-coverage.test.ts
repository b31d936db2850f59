import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STATUSES } from '../work-orders/work-order.machine.ts';
import { LOCALES, renderTemplate, TEMPLATES } from './templates.ts';

const SRC = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The values of template names built at run time, by their pattern (`${…}` as `*`). A new
 * dynamic name fails the test until its values are listed here.
 */
const DYNAMIC: Record<string, readonly string[]> = {
  // A public transition tells the resident the status it reached; none leads back to submitted.
  'order_*': STATUSES.filter((s) => s !== 'submitted'),
  // SlaService.announce
  'sla_*': ['warning', 'breached', 'escalated'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [p] : [];
  });
}

// Files that write messages; elsewhere `template` may mean something else.
const WRITES_MESSAGES = /\b(enqueue|enqueueMany|notifyUsers|notifyResident|residentMessage)\(/;
const LITERAL = String.raw`(?:'([^'\n]*)'|\`([^\`\n]*)\`)`;
const USES = [
  // { template: 'name', … } in an outbox message or a staff message
  new RegExp(String.raw`\btemplate:\s*${LITERAL}`, 'g'),
  // notifyResident(trx, order, 'name', …), residentMessage(row, 'name')
  new RegExp(String.raw`\b(?:notifyResident|residentMessage)\(\s*[\w.]+,\s*(?:[\w.]+,\s*)?${LITERAL}`, 'g'),
];

/** Every template name a message is written with, with where it is. */
function templatesUsed(): { name: string; where: string }[] {
  const found: { name: string; where: string }[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    if (!WRITES_MESSAGES.test(text)) continue;
    for (const re of USES) {
      for (const m of text.matchAll(re)) {
        const where = `${relative(SRC, file)}:${text.slice(0, m.index).split('\n').length}`;
        if (m[1] !== undefined) {
          found.push({ name: m[1], where });
          continue;
        }
        const pattern = (m[2] ?? '').replace(/\$\{[^}]*\}/g, '*');
        const values = DYNAMIC[pattern];
        assert.ok(values, `${where}: template \`${m[2]}\` is built at run time; list its values in DYNAMIC`);
        for (const v of values) found.push({ name: pattern.replace('*', v), where });
      }
    }
  }
  return found;
}

test('every template a message is written with exists in Chinese and English', () => {
  const used = templatesUsed();
  const names = new Set(used.map((u) => u.name));
  // The scan finds the enqueue calls it is meant to find.
  const expected = [
    'otp',
    'order_received',
    'order_resolved',
    'order_duplicate_resolved',
    'order_reply',
    'order_assigned',
    'rate_reminder',
    'satisfaction_survey',
    'return_visit_created',
    'supervision_issued',
    'sla_breached',
    'digest',
    'emergency_dispatch',
    'emergency_contact_notice',
  ];
  for (const known of expected) {
    assert.ok(names.has(known), `the scan finds ${known}`);
  }
  const missing = used.filter((u) => !TEMPLATES[u.name]).map((u) => `${u.name} (${u.where})`);
  assert.deepEqual(missing, [], 'templates used but not defined');
  for (const name of names) {
    for (const locale of LOCALES) {
      const text = TEMPLATES[name]?.[locale];
      assert.ok(text?.title.trim() && text.body.trim(), `${name} has words in ${locale}`);
    }
  }
});

test('an emergency alert names the order, what, how urgent and where; never its template key', () => {
  const payload = {
    number: 'TAOYUAN-20261206-001506',
    categoryZh: '突发急症',
    categoryEn: 'Medical emergency',
    urgency: 'critical',
    address: '桃源小区 3 栋 2 单元 401',
    lat: 22.5,
    lng: 114.1,
    summary: '我妈妈在家摔倒了起不来',
    resource: '桃源社区急救站',
  };
  const zh = renderTemplate('emergency_dispatch', 'zh-CN', payload);
  const sms = `【邻里】${zh.title}：${zh.body}`;
  for (const part of [
    payload.number,
    payload.address,
    '突发急症',
    '危急',
    payload.summary,
    payload.resource,
  ]) {
    assert.ok(sms.includes(part), `${sms} has ${part}`);
  }
  assert.ok(!sms.includes('emergency_dispatch'));
  const en = renderTemplate('emergency_dispatch', 'en', payload);
  assert.match(en.body, /TAOYUAN-20261206-001506 \[critical\] Medical emergency\. Where: 桃源小区/);

  const noAddress = renderTemplate('emergency_dispatch', 'zh-CN', { ...payload, address: null });
  assert.match(noAddress.body, /地点：坐标 22\.50000,114\.10000/);
  const nowhere = renderTemplate('emergency_dispatch', 'en', {
    ...payload,
    address: null,
    lat: null,
    lng: null,
  });
  assert.match(nowhere.body, /Where: no address given/);

  const notice = renderTemplate('emergency_contact_notice', 'zh-CN', {
    number: payload.number,
    categoryZh: '突发急症',
    beneficiary: '王秀英',
    contactName: '李娜',
    responder: '桃源社区急救站',
  });
  assert.equal(
    notice.body,
    '李娜您好，社区已收到王秀英的求助（突发急症），已安排桃源社区急救站前往处理。如需了解情况，请联系社区并告知工单号 TAOYUAN-20261206-001506。',
  );
  assert.ok(!notice.title.includes('emergency'));
});

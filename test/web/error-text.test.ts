// The web client's error texts and timeline labels in the UI language (no DOM needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError, NetworkError, errorFrom, errorText } from '../../web/src/lib/api.ts';
import { KNOWN_ERROR_CODES, labels } from '../../web/src/lib/i18n.ts';
import { ERROR_STATUS } from '../../src/platform/errors.ts';
import { ACTIONS } from '../../src/modules/work-orders/work-order.machine.ts';
import { chooseAssignee } from '../../src/modules/matching/load-balancing.ts';

const body = (code: string, message: string, details?: Record<string, unknown>) => ({
  error: { code, message, ...(details ? { details } : {}) },
});

/** English words in a Chinese text, apart from names the Chinese UI uses as they are. */
function englishIn(text: string): string[] {
  return (text.match(/[A-Za-z]{2,}/g) ?? []).filter(
    (w) => !['CSV', 'XLSX', 'MB', 'http', 'https'].includes(w),
  );
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

test('every error code the server may answer with has its own words in both languages', () => {
  const thrown = new Set<string>();
  for (const f of sourceFiles('src'))
    for (const m of readFileSync(f, 'utf8').matchAll(/AppError\(\s*'([a-z_]+)'/g)) thrown.add(m[1] ?? '');
  for (const code of new Set([...Object.keys(ERROR_STATUS), ...thrown])) {
    assert.ok(KNOWN_ERROR_CODES.includes(code), `no words for ${code}`);
    const err = new ApiError(400, code, 'english from the server', undefined, {}, 'zh');
    assert.notEqual(err.message, 'english from the server', code);
    assert.deepEqual(englishIn(err.message), [], `${code}: ${err.message}`);
    assert.notEqual(errorText(err, 'en'), 'english from the server', code);
  }
});

test('the reviewer’s examples read in Chinese, and in English when asked', () => {
  const otp = errorFrom(401, body('otp_invalid', 'the code is wrong or has expired', { field: 'code' }));
  assert.equal(otp.message, '验证码错误或已过期');
  assert.equal(otp.field, 'code', 'the field still names where to show it');
  assert.equal(otp.serverMessage, 'the code is wrong or has expired');
  assert.equal(errorText(otp, 'en'), 'The code is wrong or has expired');

  const login = errorFrom(401, body('invalid_credentials', 'wrong username or password'));
  assert.equal(errorText(login, 'zh'), '账号或密码错误');

  const own = errorFrom(403, body('forbidden', 'residents may report for themselves or their own household'));
  assert.equal(errorText(own, 'zh'), '您没有权限进行此操作');

  const soon = errorFrom(
    429,
    body('rate_limited', 'wait 30 seconds before asking for another code', {
      field: 'phone',
      retryAfterSeconds: 30,
    }),
  );
  assert.equal(soon.field, 'phone');
  assert.equal(errorText(soon, 'zh'), '获取验证码太频繁，请 30 秒后再试');
  assert.equal(errorText(soon, 'en'), 'Wait 30 seconds before asking for another code');
  const plugin = errorFrom(429, body('rate_limited', 'Rate limit exceeded, retry in 1 minute'));
  assert.equal(errorText(plugin, 'zh'), '操作太频繁，请稍后再试');
});

test('details shape the message for some codes', () => {
  const locked = errorFrom(
    423,
    body('account_locked', 'too many failed attempts', { lockedUntil: '2026-03-01T08:30:00.000Z' }),
  );
  assert.match(errorText(locked, 'zh'), /^登录失败次数过多，账号已锁定至 .*\d{2}:\d{2}/);
  assert.match(errorText(locked, 'en'), /locked until /);

  const transition = errorFrom(
    409,
    body('invalid_transition', 'cannot resolve an order that is closed', {
      status: 'closed',
      action: 'resolve',
    }),
  );
  assert.equal(errorText(transition, 'zh'), '工单当前为“已评价”，不能办结');

  const auto = errorFrom(409, body('conflict', 'no candidate can take this order now', { field: 'auto' }));
  assert.equal(errorText(auto, 'zh'), '暂无可自动派单的处理人，请手动选择处理人');

  const photo = errorFrom(
    400,
    body('invalid_input', 'a photo may be at most 5 MB', { field: 'photos.0.dataBase64' }),
  );
  assert.equal(photo.field, 'photos.0.dataBase64');
  assert.equal(errorText(photo, 'zh'), '照片无效或超过5MB');

  const note = errorFrom(
    400,
    body('invalid_input', 'resolving needs a note of what was done', { field: 'note' }),
  );
  assert.equal(errorText(note, 'zh'), '请填写处理说明');

  const other = errorFrom(
    400,
    body('validation_failed', 'location.lat: must be <= 90', { field: 'location.lat' }),
  );
  assert.equal(other.field, 'location.lat');
  assert.equal(errorText(other, 'zh'), '填写的内容有误，请检查后再试');
});

test('unknown codes keep the server’s message; answers without a body are said by status', () => {
  const unknown = errorFrom(418, body('teapot', 'I am a teapot'));
  assert.equal(errorText(unknown, 'zh'), 'I am a teapot');

  assert.equal(
    errorText(errorFrom(502, '<html>Bad gateway</html>'), 'zh'),
    '服务暂时不可用，请稍后再试（502）',
  );
  assert.equal(errorText(errorFrom(404, null), 'zh'), '要找的内容不存在或已被删除');
  assert.equal(errorText(errorFrom(400, null), 'en'), 'The request failed (400)');
});

test('network failures and other errors', () => {
  const net = new NetworkError('Failed to fetch');
  assert.equal(net.message, '网络连接中断，请稍后再试');
  assert.equal(errorText(net, 'en'), 'The connection dropped, please try again');
  assert.equal(errorText(new Error('boom'), 'zh'), 'boom');
  assert.equal(errorText('plain', 'zh'), 'plain');
});

test('every timeline event type the server writes has a label', () => {
  const types = [
    'created',
    'note',
    'reply',
    'reclassified',
    'reprioritized',
    'emergency_lane',
    'emergency_unassigned',
    'assignment_accepted',
    'sla_warning',
    'sla_breached',
    'sla_escalated',
    'supervision_issued',
    'supervision_responded',
    'supervision_overdue',
    'supervision_withdrawn',
    'supervision_moved',
    'supervision_folded',
    'return_visit_created',
    'return_visit_done',
    'survey_sent',
    'survey_answered',
    ...ACTIONS,
  ];
  // The literal types in the server's timeline writers must all be in the list above.
  for (const f of sourceFiles('src/modules')) {
    const text = readFileSync(f, 'utf8');
    if (!/recordEvent\(|recordOrderChange\(|insertEvents?\(/.test(text)) continue;
    for (const m of text.matchAll(/^\s+type: '([a-z_]+)',$/gm)) {
      const type = m[1] ?? '';
      if (['user', 'resident', 'system', 'api_key', 'Polygon', 'MultiPolygon'].includes(type)) continue;
      assert.ok(types.includes(type), `${f}: event type ${type} is not labelled`);
    }
  }
  for (const type of types) {
    const zh = labels.action('zh', type);
    assert.notEqual(zh, type, `${type} has no Chinese label`);
    assert.deepEqual(englishIn(zh), [], `${type}: ${zh}`);
    assert.notEqual(labels.action('en', type), type, `${type} has no English label`);
  }
  assert.equal(
    labels.event('zh', { type: 'emergency_lane', toStatus: null, fromStatus: null }),
    '紧急通道派单',
  );
  assert.equal(labels.event('zh', { type: 'created', toStatus: 'submitted', fromStatus: null }), '已提交');
  assert.equal(
    labels.event('zh', { type: 'reclassified', toStatus: 'accepted', fromStatus: 'accepted' }),
    '重新分类',
    'a change that keeps the status is named by its type',
  );
  // A reopen leads back to "accepted" and an automatic close to "closed": named by what happened.
  assert.equal(
    labels.event('zh', { type: 'reopen', toStatus: 'accepted', fromStatus: 'closed' }),
    '重新处理',
  );
  assert.equal(
    labels.event('zh', { type: 'auto_close', toStatus: 'closed', fromStatus: 'resolved' }),
    '自动关闭',
  );
  assert.equal(labels.event('zh', { type: 'confirm', toStatus: 'closed', fromStatus: 'resolved' }), '已评价');
});

test('the matching module’s English reasons read in Chinese', () => {
  const cap = { concurrent: 5, dailyQuota: 20 };
  const load = { open: 1, today: 1, recentAssignments: 0 };
  const reasons = [
    chooseAssignee([{ code: 'A', score: 0.8, load, capacity: cap }], { lastByPool: {} }, { poolKey: 'p' })
      .reason,
    chooseAssignee(
      [
        { code: 'A', score: 0.8, load, capacity: cap },
        { code: 'B', score: 0.8, load, capacity: cap },
      ],
      { lastByPool: {} },
      { poolKey: 'p' },
    ).reason,
    chooseAssignee(
      [
        { code: 'A', score: 0.8, load, capacity: cap },
        { code: 'B', score: 0.8, load, capacity: cap },
      ],
      { lastByPool: {} },
      { poolKey: 'p', strategy: 'round_robin' },
    ).reason,
    chooseAssignee([], { lastByPool: {} }, { poolKey: 'p' }).reason,
    'nearest on-duty responder serving the category, 774 m away',
    'no on-duty responder serves the category; nearest on-duty responder, 120 m away',
  ];
  for (const reason of reasons) {
    const zh = labels.note('zh', `紧急通道：物业维修（得分 0.812，${reason}）`);
    assert.deepEqual(englishIn(zh), [], zh);
    assert.equal(labels.note('en', reason), reason, 'English stays as it is');
  }
  assert.equal(
    labels.note('zh', '紧急通道：物业应急，nearest on-duty responder serving the category, 774 m away'),
    '紧急通道：物业应急，服务该类别的最近在岗救援力量，距离 774 米',
  );
  assert.equal(labels.note('zh', '已更换水管接头'), '已更换水管接头');
});

// Staff accounts in the web client: the form rules match the server's, and its refusals read in the UI language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorFrom, errorText } from '../../web/src/lib/api.ts';
import { translate } from '../../web/src/lib/i18n.ts';
import {
  PASSWORD_REASON_KEYS,
  STAFF_REFUSAL_KEYS,
  STAFF_ROLES,
  USERNAME_PATTERN,
  passwordProblem,
} from '../../web/src/lib/password.ts';
import { STAFF_ROLES as SERVER_ROLES } from '../../src/platform/auth/principal.ts';
import {
  PASSWORD_REASONS,
  STAFF_REFUSALS,
  passwordProblem as serverPasswordProblem,
} from '../../src/modules/staff/staff.policy.ts';

const body = (code: string, message: string, details?: Record<string, unknown>) => ({
  error: { code, message, details: details ?? {} },
});

test('the forms check what the server checks', () => {
  assert.deepEqual([...STAFF_ROLES], [...SERVER_ROLES], 'every role the server knows can be chosen');
  const cases: [string, string][] = [
    ['short', 'someone'],
    ['1234567890', 'someone'],
    ['12345678901234', 'someone'],
    ['zhang.wei.x', 'zhang.wei.x'],
    ['ZHANG.WEI.X', 'zhang.wei.x'],
    ['xin mi ma 2026', 'zhang.wei'],
    ['a'.repeat(201), 'someone'],
    ['abcdefghij', 'someone'],
  ];
  for (const [password, username] of cases)
    assert.equal(
      passwordProblem(password, username) === null,
      serverPasswordProblem(password, username) === null,
      `${password} / ${username}`,
    );
  assert.equal(passwordProblem('1234567890', 'x'), 'passwordDigitsOnly');
  for (const ok of ['zhang.wei', 'li_na-2', 'abc']) assert.match(ok, USERNAME_PATTERN);
  for (const bad of ['Zhang', 'ab', '1abc', 'zhang wei', '张伟', 'a'.repeat(33)])
    assert.doesNotMatch(bad, USERNAME_PATTERN);
});

test('the server’s refusals of staff changes read in Chinese and English', () => {
  const taken = errorFrom(409, body('conflict', 'the username agent is taken', { field: 'username' }));
  assert.equal(taken.field, 'username');
  assert.equal(errorText(taken, 'zh'), '该账号已被占用，请换一个');
  assert.equal(errorText(taken, 'en'), 'This username is taken: choose another');

  const current = errorFrom(
    400,
    body('invalid_input', 'the current password is not right', { field: 'currentPassword' }),
  );
  assert.equal(errorText(current, 'zh'), '当前密码不正确');

  assert.deepEqual(Object.keys(PASSWORD_REASON_KEYS).sort(), [...PASSWORD_REASONS].sort());
  const reasons: [string, string, string][] = [
    ['newPassword: at least 10 characters', 'too_short', '密码至少 10 个字符'],
    ['newPassword: at most 200 characters', 'too_long', '密码最多 200 个字符'],
    ['newPassword: not only digits', 'only_digits', '密码不能全是数字'],
    ['newPassword: not the username', 'is_username', '密码不能与账号相同'],
    [
      'newPassword: choose a password other than the current one',
      'same_as_current',
      '新密码不能与当前密码相同',
    ],
  ];
  for (const [message, reason, zh] of reasons) {
    const err = errorFrom(400, body('invalid_input', message, { field: 'newPassword', reason }));
    assert.equal(errorText(err, 'zh'), zh, message);
    assert.doesNotMatch(errorText(err, 'en'), /newPassword/, 'no field names in English either');
  }
  // The reason, not the English words, decides: the same message without one reads as the field's rule.
  const bare = errorFrom(
    400,
    body('invalid_input', 'newPassword: not only digits', { field: 'newPassword' }),
  );
  assert.notEqual(errorText(bare, 'zh'), '密码不能全是数字');
  // Anything else about the new password: the rule as a whole.
  const long = errorFrom(
    400,
    body('validation_failed', 'newPassword: must NOT have more than 200 characters', {
      field: 'newPassword',
    }),
  );
  assert.match(errorText(long, 'zh'), /至少 10 个字符/);

  assert.deepEqual(Object.keys(STAFF_REFUSAL_KEYS).sort(), [...STAFF_REFUSALS].sort());
  const forbidden: [string, string][] = [
    ['other_community', '此人还服务于您不管理的社区'],
    ['foreign_community', '只能分配您管理的社区'],
    ['own_role', '不能修改自己的角色'],
    ['deactivate_self', '不能停用自己'],
    ['own_communities', '不能移除自己的社区'],
  ];
  for (const [reason, zh] of forbidden) {
    const err = errorFrom(403, body('forbidden', 'refused', { reason }));
    assert.ok(errorText(err, 'zh').startsWith(zh), `${reason}: ${errorText(err, 'zh')}`);
    assert.notEqual(errorText(err, 'en'), errorText(errorFrom(403, body('forbidden', 'refused')), 'en'));
  }
  // Other refusals keep the general words.
  assert.equal(
    errorText(errorFrom(403, body('forbidden', 'only admins may do this')), 'zh'),
    '您没有权限进行此操作',
  );
  // The login form's own field errors are untouched.
  const login = errorFrom(
    400,
    body('validation_failed', 'password: must NOT have fewer than 1 characters', { field: 'password' }),
  );
  assert.equal(errorText(login, 'zh'), translate('zh', 'passwordRequired'));
});

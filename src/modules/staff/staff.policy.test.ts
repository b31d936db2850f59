import { test } from 'node:test';
import assert from 'node:assert/strict';
import { passwordProblem, staffChangeProblem } from './staff.policy.ts';

const admin = { id: 'a', communityIds: ['c1'] };
const person = (
  over: Partial<{ id: string; role: string; communityIds: string[]; active: boolean }> = {},
) => ({
  id: 'p',
  role: 'agent',
  communityIds: ['c1'],
  active: true,
  ...over,
});

test('an admin manages the staff of their own communities only', () => {
  assert.equal(staffChangeProblem(admin, null, person()), null);
  assert.equal(staffChangeProblem(admin, person(), person({ role: 'dispatcher' })), null);
  assert.equal(staffChangeProblem(admin, null, person({ communityIds: ['c2'] }))?.code, 'forbidden');
  assert.equal(staffChangeProblem(admin, null, person({ communityIds: ['c1', 'c2'] }))?.code, 'forbidden');
  // Someone of another community only: as if they did not exist.
  assert.equal(staffChangeProblem(admin, person({ communityIds: ['c2'] }), person())?.code, 'not_found');
  // A street-level account that also serves c2 is visible but out of reach.
  assert.equal(
    staffChangeProblem(admin, person({ communityIds: ['c1', 'c2'] }), person({ communityIds: ['c1'] }))?.code,
    'forbidden',
  );
});

test('roles and communities are checked, and an admin cannot lock themselves out', () => {
  assert.deepEqual(staffChangeProblem(admin, null, person({ role: 'overlord' }))?.code, 'invalid_input');
  assert.deepEqual(staffChangeProblem(admin, null, person({ communityIds: [] }))?.code, 'invalid_input');
  const self = person({ id: 'a', role: 'admin' });
  assert.equal(staffChangeProblem(admin, self, { ...self, role: 'agent' })?.code, 'forbidden');
  assert.equal(staffChangeProblem(admin, self, { ...self, active: false })?.code, 'forbidden');
  assert.equal(
    staffChangeProblem(
      { id: 'a', communityIds: ['c1', 'c2'] },
      { ...self, communityIds: ['c1', 'c2'] },
      { ...self, communityIds: ['c1'] },
    )?.code,
    'forbidden',
  );
  assert.equal(staffChangeProblem(admin, self, { ...self }), null);
});

test('passwords: long enough, not only digits, not the username', () => {
  assert.deepEqual(passwordProblem('short', 'x'), { reason: 'too_short', message: 'at least 10 characters' });
  assert.deepEqual(passwordProblem('a'.repeat(201), 'x'), {
    reason: 'too_long',
    message: 'at most 200 characters',
  });
  assert.deepEqual(passwordProblem('1234567890', 'x'), { reason: 'only_digits', message: 'not only digits' });
  assert.deepEqual(passwordProblem('LiXiaoMing1', 'lixiaoming1'), {
    reason: 'is_username',
    message: 'not the username',
  });
  assert.equal(passwordProblem('correct horse', 'x'), null);
});

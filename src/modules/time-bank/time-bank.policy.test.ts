import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { Principal, StaffRole } from '../../platform/auth/principal.ts';
import {
  allowedOnRecord,
  mayDecide,
  mayReadCommunity,
  mayRecord,
  mayRedeemFor,
  mayReverse,
  maySeeRecord,
} from './time-bank.policy.ts';

const staff = (role: StaffRole, communityIds = ['c1']): Principal => ({
  kind: 'user',
  id: `u-${role}`,
  username: role,
  name: role,
  role,
  communityIds,
  gridIds: [],
});
const resident = (id: string, communityId = 'c1'): Principal => ({
  kind: 'resident',
  id,
  name: id,
  phone: '',
  communityId,
  householdId: null,
  householdSince: null,
});
const record = { communityId: 'c1', volunteerId: 'v', beneficiaryId: 'b', status: 'pending' };

it('verifies: the beneficiary, and grid workers, managers and admins of the community only', () => {
  assert.ok(mayDecide(resident('b'), record));
  assert.ok(!mayDecide(resident('v'), record), 'not the volunteer');
  assert.ok(!mayDecide(resident('x'), record));
  assert.ok(!mayDecide(resident('b', 'c2'), record));
  for (const role of ['grid_worker', 'manager', 'admin'] as const)
    assert.ok(mayDecide(staff(role), record), role);
  for (const role of ['agent', 'dispatcher', 'provider', 'auditor'] as const)
    assert.ok(!mayDecide(staff(role), record), role);
  assert.ok(!mayDecide(staff('admin', ['c2']), record), 'another community');
  assert.ok(!mayDecide(resident('b'), { ...record, beneficiaryId: null }));
  assert.deepEqual(allowedOnRecord(staff('manager'), record), ['verify', 'reject']);
  assert.deepEqual(allowedOnRecord(staff('manager'), { ...record, status: 'verified' }), []);
});

it('sees, records, redeems and reads only within reach', () => {
  assert.ok(maySeeRecord(resident('v'), record));
  assert.ok(maySeeRecord(resident('b'), record));
  assert.ok(!maySeeRecord(resident('x'), record));
  assert.ok(maySeeRecord(staff('auditor'), record));
  assert.ok(!maySeeRecord(staff('provider'), record));
  assert.ok(!maySeeRecord(staff('admin', ['c2']), record));
  assert.ok(mayRecord(resident('v'), 'c1', 'v'));
  assert.ok(!mayRecord(resident('v'), 'c1', 'w'), 'not for someone else');
  assert.ok(mayRecord(staff('agent'), 'c1', 'w'));
  assert.ok(!mayRecord(staff('auditor'), 'c1', 'w'));
  assert.ok(mayRedeemFor(resident('v'), 'c1', 'v'));
  assert.ok(!mayRedeemFor(resident('v'), 'c1', 'w'));
  assert.ok(mayRedeemFor(staff('grid_worker'), 'c1', 'w'));
  assert.ok(!mayRedeemFor(staff('agent'), 'c1', 'w'));
  assert.ok(mayReadCommunity(staff('auditor'), 'c1'));
  assert.ok(!mayReadCommunity(staff('dispatcher'), 'c1'));
  assert.ok(!mayReadCommunity(resident('v'), 'c1'));
});

it('lets a manager or admin of the community reverse a transaction, nobody else', () => {
  assert.equal(mayReverse(staff('manager'), 'c1'), true);
  assert.equal(mayReverse(staff('admin'), 'c1'), true);
  for (const role of ['agent', 'grid_worker', 'dispatcher', 'provider', 'auditor'] as const)
    assert.equal(mayReverse(staff(role), 'c1'), false, role);
  assert.equal(mayReverse(staff('manager', ['c2']), 'c1'), false);
  assert.equal(mayReverse(resident('r1'), 'c1'), false);
});

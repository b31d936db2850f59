import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Principal, StaffRole } from '../../platform/auth/principal.ts';
import {
  administersAll,
  affectedCommunities,
  findInView,
  inView,
  mayEditScope,
  maySeePolicy,
  requireScope,
  requireSharedEditor,
  scopeOf,
  viewsTouched,
} from './sla.access.ts';

const ALL = ['c1', 'c2'];
const staff = (role: StaffRole, communityIds: string[]): Principal => ({
  kind: 'user',
  id: `${role}-${communityIds.join('+')}`,
  username: role,
  name: role,
  role,
  communityIds,
  gridIds: [],
});
const admin1 = staff('admin', ['c1']);
const adminAll = staff('admin', ['c1', 'c2']);
const resident: Principal = {
  kind: 'resident',
  id: 'r',
  name: 'r',
  phone: '1',
  communityId: 'c1',
  householdId: null,
  householdSince: null,
};

test('a policy without a community is shared; one with a community belongs to it', () => {
  assert.equal(scopeOf({}), null);
  assert.equal(scopeOf({ communityId: 'c1' }), 'c1');
});

test('staff see shared policies and their communities; residents see none', () => {
  assert.equal(maySeePolicy(staff('dispatcher', ['c1']), null), true);
  assert.equal(maySeePolicy(staff('dispatcher', ['c1']), 'c1'), true);
  assert.equal(maySeePolicy(staff('dispatcher', ['c1']), 'c2'), false);
  assert.equal(maySeePolicy(resident, null), false);
});

test("admins change their community's policies; shared ones need an admin of every community", () => {
  assert.equal(mayEditScope(admin1, 'c1', ALL), true);
  assert.equal(mayEditScope(admin1, 'c2', ALL), false);
  assert.equal(mayEditScope(admin1, null, ALL), false);
  assert.equal(mayEditScope(adminAll, null, ALL), true);
  assert.equal(mayEditScope(staff('manager', ['c1', 'c2']), 'c1', ALL), false);
  assert.equal(mayEditScope(staff('manager', ['c1', 'c2']), null, ALL), false);
  assert.equal(administersAll(adminAll, [...ALL, 'c3']), false);
});

test('a change is audited in each community it touches, in all of them when it is shared', () => {
  assert.deepEqual(affectedCommunities(['c1'], ALL), ['c1']);
  assert.deepEqual(affectedCommunities(['c1', 'c1'], ALL), ['c1']);
  assert.deepEqual(affectedCommunities(['c1', 'c2'], ALL), ['c1', 'c2']);
  assert.deepEqual(affectedCommunities(['c1', null], ALL), ['c1', 'c2']);
});

test('refusals are typed forbidden errors naming the community field', () => {
  assert.throws(() => requireScope(admin1, 'c2', ALL), {
    code: 'forbidden',
    details: { field: 'communityId', communityId: 'c2' },
  });
  assert.throws(() => requireScope(admin1, null, ALL), { code: 'forbidden' });
  assert.throws(() => requireSharedEditor(admin1, ALL), { code: 'forbidden' });
  assert.doesNotThrow(() => requireSharedEditor(adminAll, ALL));
  assert.doesNotThrow(() => requireScope(admin1, 'c1', ALL));
});

test("a community's view is its own policies and the shared ones; an id is looked up there, its own first", () => {
  const policies = [
    { id: 'fast', communityId: 'c1', n: 1 },
    { id: 'fast', communityId: 'c2', n: 2 },
    { id: 'base', n: 3 },
    { id: 'only-c2', communityId: 'c2', n: 4 },
  ];
  assert.deepEqual(
    inView(policies, 'c1').map((p) => p.n),
    [1, 3],
  );
  assert.deepEqual(
    inView(policies, null).map((p) => p.n),
    [3],
  );
  assert.equal(findInView(policies, 'c1', 'fast')?.n, 1);
  assert.equal(findInView(policies, 'c2', 'fast')?.n, 2);
  assert.equal(findInView(policies, null, 'fast'), undefined, 'the shared view holds no community policy');
  assert.equal(findInView(policies, 'c1', 'base')?.n, 3);
  assert.equal(findInView(policies, 'c1', 'only-c2'), undefined, "another community's is not found");
  assert.deepEqual(viewsTouched(['c1'], ALL), ['c1']);
  assert.deepEqual(viewsTouched(['c1', 'c1', 'c2'], ALL), ['c1', 'c2']);
  assert.deepEqual(viewsTouched(['c1', null], ALL), [null, 'c1', 'c2']);
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STAFF_ROLES } from '../../platform/auth/principal.ts';
import type { Principal, StaffRole } from '../../platform/auth/principal.ts';
import {
  browsesResidents,
  canReadResident,
  downloadsResidentData,
  erasesResidents,
  importsResidents,
} from './resident.policy.ts';
import { SYSTEM } from '../../platform/auth/principal.ts';
import { readsAllContacts } from '../../platform/auth/privacy.ts';
import type { ResidentFacts } from './resident.policy.ts';

const staff = (role: StaffRole, over: Partial<Extract<Principal, { kind: 'user' }>> = {}): Principal => ({
  kind: 'user',
  id: `u-${role}`,
  username: role,
  name: role,
  role,
  communityIds: ['c1'],
  gridIds: role === 'grid_worker' ? ['g1', 'g2'] : [],
  ...over,
});
const person = (over: Partial<ResidentFacts> = {}): ResidentFacts => ({
  id: 'r1',
  communityId: 'c1',
  householdId: 'h1',
  gridId: 'g1',
  ...over,
});

describe('resident policies', () => {
  it('a grid worker reads residents whose household lies in one of their grids, and no one else', () => {
    const gw = staff('grid_worker');
    assert.equal(canReadResident(gw, person()), true);
    assert.equal(canReadResident(gw, person({ gridId: 'g2' })), true);
    assert.equal(canReadResident(gw, person({ gridId: 'g3' })), false, 'another grid');
    assert.equal(canReadResident(gw, person({ gridId: null })), false, 'no grid');
    assert.equal(canReadResident(gw, person({ householdId: null, gridId: null })), false, 'no household');
    assert.equal(canReadResident(gw, person({ communityId: 'c2' })), false, 'another community');
    assert.equal(canReadResident(staff('grid_worker', { gridIds: [] }), person()), false, 'no grids');
  });

  it('community-wide staff read every resident of their communities only', () => {
    for (const role of ['agent', 'dispatcher', 'manager', 'admin'] as const) {
      assert.equal(canReadResident(staff(role), person({ gridId: 'g9' })), true, role);
      assert.equal(canReadResident(staff(role), person({ gridId: null, householdId: null })), true, role);
      assert.equal(canReadResident(staff(role), person({ communityId: 'c2' })), false, role);
    }
  });

  it('providers and auditors browse no residents', () => {
    for (const role of STAFF_ROLES) {
      const browses = browsesResidents(staff(role));
      assert.equal(browses, !['provider', 'auditor'].includes(role), role);
      if (!browses) assert.equal(canReadResident(staff(role), person()), false, role);
    }
  });

  it('a resident reads themselves and their household; keys read nobody; the system everyone', () => {
    const me: Principal = {
      kind: 'resident',
      id: 'r1',
      name: 'r1',
      phone: '13800000001',
      communityId: 'c1',
      householdId: 'h1',
      householdSince: '2026-01-01T00:00:00.000Z',
    };
    assert.equal(canReadResident(me, person()), true);
    assert.equal(canReadResident(me, person({ id: 'r2' })), true, 'same household');
    assert.equal(canReadResident(me, person({ id: 'r3', householdId: 'h2' })), false);
    const alone: Principal = { ...me, householdId: null };
    assert.equal(canReadResident(alone, person({ id: 'r4', householdId: null })), false);
    const key: Principal = { kind: 'api_key', id: 'k', name: 'k', communityId: 'c1', scopes: ['open311'] };
    assert.equal(canReadResident(key, person()), false);
    assert.equal(canReadResident({ kind: 'system', name: 'cli' }, person()), true);
  });

  it('only admins (and the command line) import residents: roles that keep the register and read phones and ID numbers unmasked', () => {
    assert.deepEqual(
      STAFF_ROLES.filter((role) => importsResidents(staff(role))),
      ['admin'],
    );
    // Importing reports which numbers are registered: no role that sees them masked does it.
    for (const role of STAFF_ROLES)
      if (importsResidents(staff(role))) assert.ok(readsAllContacts(staff(role)), role);
    assert.equal(importsResidents(SYSTEM), true);
  });
  it('only admins and the command line erase a resident’s personal data', () => {
    for (const role of STAFF_ROLES) assert.equal(erasesResidents(staff(role)), role === 'admin', role);
    assert.equal(erasesResidents(SYSTEM), true);
    const self: Principal = {
      kind: 'resident',
      id: 'r1',
      name: '王秀英',
      phone: '13800000001',
      communityId: 'c1',
      householdId: 'h1',
      householdSince: null,
    };
    assert.equal(erasesResidents(self), false, 'a resident asks; the community erases');
  });
  it('a copy of a resident’s data: the resident, an admin acting for them, the command line', () => {
    for (const role of STAFF_ROLES)
      assert.equal(downloadsResidentData(staff(role), 'r1'), role === 'admin', role);
    assert.equal(downloadsResidentData(SYSTEM, 'r1'), true);
    const self: Principal = {
      kind: 'resident',
      id: 'r1',
      name: '王秀英',
      phone: '13800000001',
      communityId: 'c1',
      householdId: 'h1',
      householdSince: null,
    };
    assert.equal(downloadsResidentData(self, 'r1'), true);
    assert.equal(downloadsResidentData(self, 'r2'), false, 'not a household member’s');
    const key: Principal = { kind: 'api_key', id: 'k', name: 'k', communityId: 'c1', scopes: ['open311'] };
    assert.equal(downloadsResidentData(key, 'r1'), false);
  });
});

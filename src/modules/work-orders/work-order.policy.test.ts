import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Principal, StaffRole } from '../../platform/auth/principal.ts';
import { allowedActions, canReadOrder, mayAct, mayCreate } from './work-order.policy.ts';
import type { OrderFacts } from './work-order.policy.ts';
import { maskIdNumber, maskPhone, maySee } from '../../platform/auth/privacy.ts';

const staff = (role: StaffRole, over: Partial<Extract<Principal, { kind: 'user' }>> = {}): Principal => ({
  kind: 'user',
  id: `u-${role}`,
  username: role,
  name: role,
  role,
  communityIds: ['c1'],
  gridIds: role === 'grid_worker' ? ['g1'] : [],
  ...over,
});
const resident = (
  id: string,
  householdId: string | null = 'h1',
  householdSince: string | null = householdId ? '2026-01-01T00:00:00.000Z' : null,
): Principal => ({
  kind: 'resident',
  id,
  name: id,
  phone: '13800000001',
  communityId: 'c1',
  householdId,
  householdSince,
});
const order = (over: Partial<OrderFacts> = {}): OrderFacts => ({
  communityId: 'c1',
  gridId: 'g1',
  status: 'dispatched',
  assigneeId: 'u-provider',
  reporterType: 'resident',
  reporterId: 'r1',
  beneficiaryId: 'r1',
  householdId: 'h1',
  createdAt: '2026-06-01T00:00:00.000Z',
  ...over,
});

describe('work-order policies', () => {
  it('staff see only their communities', () => {
    for (const role of ['agent', 'dispatcher', 'manager', 'auditor', 'admin'] as const) {
      assert.equal(canReadOrder(staff(role), order()), true, role);
      assert.equal(canReadOrder(staff(role), order({ communityId: 'c2' })), false, role);
    }
  });

  it('a provider sees only orders assigned to them; a grid worker their grids or assignments', () => {
    assert.equal(canReadOrder(staff('provider'), order()), true);
    assert.equal(canReadOrder(staff('provider'), order({ assigneeId: 'someone' })), false);
    assert.equal(canReadOrder(staff('grid_worker'), order({ assigneeId: null })), true);
    assert.equal(canReadOrder(staff('grid_worker'), order({ assigneeId: null, gridId: 'g2' })), false);
    assert.equal(
      canReadOrder(staff('grid_worker'), order({ assigneeId: 'u-grid_worker', gridId: 'g2' })),
      true,
    );
  });

  it("a resident sees their own, as reporter or beneficiary, and their household's", () => {
    assert.equal(canReadOrder(resident('r1'), order()), true);
    assert.equal(canReadOrder(resident('r2', 'h9'), order()), false);
    assert.equal(canReadOrder(resident('r3', 'h1'), order()), true, 'same household');
    // A household's orders from before one moved in are not theirs to read, nor another household's.
    assert.equal(canReadOrder(resident('r3', 'h1', '2026-06-01T00:00:00.001Z'), order()), false, 'newcomer');
    assert.equal(
      canReadOrder(resident('r3', 'h1', '2026-06-01T00:00:00.000Z'), order()),
      true,
      'moved in that instant',
    );
    assert.equal(
      canReadOrder(resident('r3', 'h1'), order({ householdId: 'h2' })),
      false,
      'filed in another home',
    );
    assert.equal(canReadOrder(resident('r3', 'h1'), order({ householdId: null })), false);
    assert.equal(
      canReadOrder(resident('r3', 'h1'), order({ communityId: 'c2' })),
      false,
      'same household id, other community',
    );
    assert.equal(
      canReadOrder(
        resident('r2', null),
        order({ beneficiaryId: 'r2', reporterId: 'x', reporterType: 'user' }),
      ),
      true,
    );
  });

  it('only the assignee starts and resolves', () => {
    assert.equal(mayAct(staff('provider'), order(), 'start'), true);
    assert.equal(mayAct(staff('provider', { id: 'other' }), order(), 'start'), false);
    assert.equal(mayAct(staff('dispatcher'), order(), 'start'), false);
    assert.equal(mayAct(staff('agent'), order(), 'dispatch'), false);
    assert.equal(mayAct(staff('auditor'), order(), 'accept'), false);
  });

  it('residents confirm, reopen and withdraw early; never dispatch', () => {
    assert.equal(mayAct(resident('r1'), order({ status: 'resolved' }), 'confirm'), true);
    assert.equal(mayAct(resident('r1'), order(), 'dispatch'), false);
    assert.equal(mayAct(resident('r1'), order({ status: 'submitted' }), 'cancel'), true);
    assert.equal(mayAct(resident('r1'), order({ status: 'in_progress' }), 'cancel'), false);
    assert.equal(mayAct(resident('r1'), order({ status: 'dispatched' }), 'cancel'), false);
    // Waiting for the resident before anyone was sent: still theirs to withdraw.
    const waiting = (resumeStatus: OrderFacts['resumeStatus']) =>
      mayAct(resident('r1'), order({ status: 'waiting_on_resident', resumeStatus }), 'cancel');
    assert.equal(waiting('accepted'), true);
    assert.equal(waiting('in_progress'), false);
    // An order that is over: the lifecycle refuses it (invalid_transition), as for staff, not the policy.
    assert.equal(mayAct(resident('r1'), order({ status: 'closed' }), 'cancel'), true);
    assert.equal(mayAct(resident('r2', 'h9'), order({ status: 'resolved' }), 'confirm'), false);
  });

  it('allowed actions combine policy and status', () => {
    assert.deepEqual(allowedActions(staff('provider'), order()), [
      'reject',
      'start',
      'resolve',
      'wait',
      'transfer',
    ]);
    assert.deepEqual(allowedActions(staff('auditor'), order()), []);
    assert.deepEqual(allowedActions(resident('r1'), order({ status: 'resolved' })), ['confirm', 'reopen']);
  });

  it('offers cancel on an order waiting on the resident only if work had not started before the wait', () => {
    const waiting = (resumeStatus: OrderFacts['resumeStatus']) =>
      allowedActions(staff('agent'), order({ status: 'waiting_on_resident', resumeStatus }));
    assert.ok(waiting('dispatched').includes('cancel'), 'waited before work');
    assert.ok(!waiting('in_progress').includes('cancel'), 'waited after work started');
    assert.ok(waiting('in_progress').includes('resume'), 'it can still resume');
  });

  it('channels by role', () => {
    assert.equal(mayCreate(staff('agent'), 'c1', 'hotline'), true);
    assert.equal(mayCreate(staff('agent'), 'c2', 'hotline'), false);
    assert.equal(mayCreate(staff('provider'), 'c1', 'web'), false);
    assert.equal(mayCreate(resident('r1'), 'c1', 'hotline'), false);
    assert.equal(mayCreate(resident('r1'), 'c1', 'miniapp'), true);
  });

  it('masks personal data unless the role needs it', () => {
    assert.equal(maySee(staff('manager'), 'phone'), false);
    assert.equal(maySee(staff('auditor'), 'tags'), false);
    assert.equal(maySee(staff('dispatcher'), 'idNumber'), false);
    assert.equal(maySee(staff('agent'), 'idNumber'), true);
    assert.equal(maySee(resident('r1'), 'phone', { self: true }), true);
    assert.equal(maySee(resident('r1'), 'phone'), false);
    assert.equal(maskPhone('13800000001'), '138****0001');
    assert.equal(maskIdNumber('440305195001010001'), '4403**********0001');
  });
});

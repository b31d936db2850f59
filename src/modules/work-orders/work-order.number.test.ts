import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderNumber, orderNumberOfDay } from './work-order.number.ts';

test("an order's number carries its local date in the community's time zone", () => {
  // 06:30 on 5 December in Beijing is still 4 December in UTC.
  assert.equal(orderNumber('dm', '2026-12-04T22:30:00.000Z', 'Asia/Shanghai', 42), 'DM-20261205-000042');
  assert.equal(orderNumber('dm', '2026-12-04T15:59:59.999Z', 'Asia/Shanghai', 1), 'DM-20261204-000001');
  assert.equal(orderNumber('dm', '2026-12-04T16:00:00.000Z', 'Asia/Shanghai', 1), 'DM-20261205-000001');
  assert.equal(orderNumber('ny', '2026-12-05T03:00:00.000Z', 'America/New_York', 7), 'NY-20261204-000007');
  assert.equal(orderNumberOfDay('dm', '2026-12-05', 42), 'DM-20261205-000042');
});

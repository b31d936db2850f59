// The dispatch board's reading of the candidates answer (no DOM needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCandidates, parseLeftOut } from '../../web/src/staff/dispatch/candidates.ts';

test('the teams left out are read with their reasons, each reason once', () => {
  const payload = {
    candidates: [],
    rejected: [
      {
        code: 'repair',
        name: '桃源水电维修队',
        failures: [
          { code: 'closed_today', message: '紧急工单需要今天还会服务的力量' },
          { code: 'closed_today', message: '紧急工单需要今天还会服务的力量' },
          { code: 'capacity_full', message: '在办 3 单，已达同时处理上限 3' },
        ],
      },
      { code: 'nameless', failures: [] },
      'junk',
      { failures: [{ message: 'no name, no code: left out' }] },
    ],
  };
  assert.deepEqual(parseCandidates(payload), []);
  assert.deepEqual(parseLeftOut(payload), [
    { name: '桃源水电维修队', reasons: ['紧急工单需要今天还会服务的力量', '在办 3 单，已达同时处理上限 3'] },
    { name: 'nameless', reasons: [] },
  ]);
  assert.deepEqual(parseLeftOut({ candidates: [] }), []);
  assert.deepEqual(parseLeftOut(null), []);
});

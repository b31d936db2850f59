import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stillSuspected } from './work-order.understanding.ts';

test('an order stays a suspected emergency only while it waits for triage', () => {
  const json = JSON.stringify({ explanation: { suspectedEmergency: true } });
  assert.equal(stillSuspected({ needs_triage: 1, classification_json: json }), true);
  assert.equal(stillSuspected({ needs_triage: 0, classification_json: json }), false, 'decided in triage');
  assert.equal(
    stillSuspected({ needs_triage: 1, classification_json: JSON.stringify({ suspectedEmergency: true }) }),
    true,
  );
  assert.equal(stillSuspected({ needs_triage: 1, classification_json: '{}' }), false);
  assert.equal(stillSuspected({ needs_triage: 1, classification_json: null }), false);
  assert.equal(stillSuspected({ needs_triage: 1, classification_json: '{not json' }), false);
});

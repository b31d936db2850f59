import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSlaSettings } from './sla.settings.ts';

test('a timer or survey variable that is not a whole number is refused, naming the variable', () => {
  assert.equal(loadSlaSettings({}).surveyDays, 3);
  assert.equal(loadSlaSettings({ LINLI_SURVEY_DAYS: '5' }).surveyDays, 5);
  assert.throws(() => loadSlaSettings({ LINLI_SURVEY_DAYS: 'abc' }), /^Error: LINLI_SURVEY_DAYS must be/);
  assert.throws(() => loadSlaSettings({ LINLI_TIMER_BATCH: '-1' }), /LINLI_TIMER_BATCH/);
  assert.throws(() => loadSlaSettings({ LINLI_LOW_RATING: '2.5' }), /LINLI_LOW_RATING/);
});

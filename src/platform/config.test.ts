import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './config.ts';

test('an integer variable that is not one is refused, naming the variable', () => {
  assert.equal(loadConfig({ PORT: '8080' }).port, 8080);
  assert.equal(loadConfig({}).port, 3000);
  assert.throws(() => loadConfig({ PORT: 'abc' }), /^Error: PORT must be an integer, got "abc"$/);
  assert.throws(() => loadConfig({ LINLI_SQLITE_CACHE_MB: 'lots' }), /LINLI_SQLITE_CACHE_MB/);
});

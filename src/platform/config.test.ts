import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './config.ts';

test('an integer variable that is not one is refused, naming the variable', () => {
  assert.equal(loadConfig({ PORT: '8080' }).port, 8080);
  assert.equal(loadConfig({}).port, 3000);
  assert.throws(() => loadConfig({ PORT: 'abc' }), /^Error: PORT must be an integer, got "abc"$/);
  assert.throws(() => loadConfig({ LINLI_SQLITE_CACHE_MB: 'lots' }), /LINLI_SQLITE_CACHE_MB/);
});

test('the audit anchor file: in the data folder by default, off in any case, a path when named', () => {
  assert.match(
    loadConfig({ LINLI_DATA_DIR: '/srv/linli' }).auditAnchorFile ?? '',
    /^\/srv\/linli\/audit-anchors\.jsonl$/,
  );
  assert.equal(loadConfig({ LINLI_AUDIT_ANCHOR_FILE: 'off' }).auditAnchorFile, null);
  assert.equal(loadConfig({ LINLI_AUDIT_ANCHOR_FILE: 'OFF' }).auditAnchorFile, null);
  assert.equal(
    loadConfig({ LINLI_AUDIT_ANCHOR_FILE: '/var/witness/a.jsonl' }).auditAnchorFile,
    '/var/witness/a.jsonl',
  );
  assert.equal(loadConfig({}).auditAnchorMinutes, 60);
  assert.equal(loadConfig({ LINLI_AUDIT_ANCHOR_MINUTES: '0' }).auditAnchorMinutes, 0);
});

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

test('the audit signing key: in the data folder by default, off in any case, a path when named', () => {
  assert.equal(
    loadConfig({ LINLI_DATA_DIR: '/srv/linli' }).auditSigningKeyFile,
    '/srv/linli/audit-signing-key.pem',
  );
  assert.equal(loadConfig({ LINLI_AUDIT_SIGNING_KEY: 'off' }).auditSigningKeyFile, null);
  assert.equal(loadConfig({ LINLI_AUDIT_SIGNING_KEY: 'Off' }).auditSigningKeyFile, null);
  assert.equal(
    loadConfig({ LINLI_AUDIT_SIGNING_KEY: '/run/secrets/linli.pem' }).auditSigningKeyFile,
    '/run/secrets/linli.pem',
  );
});

test('the file store: the database with PostgreSQL, the disk with SQLite, either when named; a bad value refused', () => {
  const pg = { DATABASE_URL: 'postgres://db/linli' };
  assert.equal(loadConfig(pg).fileStore, 'database');
  assert.equal(loadConfig({}).fileStore, 'disk');
  assert.equal(loadConfig({ LINLI_DATA_DIR: '/srv/linli' }).filesDir, '/srv/linli/files');
  assert.equal(loadConfig({ ...pg, LINLI_FILE_STORE: 'disk' }).fileStore, 'disk');
  assert.equal(loadConfig({ LINLI_FILE_STORE: 'Database' }).fileStore, 'database');
  assert.equal(
    loadConfig({ ...pg, LINLI_FILE_STORE: 'disk', LINLI_FILES_DIR: '/mnt/shared/photos' }).filesDir,
    '/mnt/shared/photos',
  );
  assert.equal(loadConfig({ LINLI_FILES_DIR: '/mnt/photos' }).fileStore, 'disk');
  assert.throws(
    () => loadConfig({ LINLI_FILE_STORE: 's3' }),
    /^Error: LINLI_FILE_STORE must be "disk" or "database", got "s3"$/,
  );
  // A folder that would be silently unused: photos are in the database.
  assert.throws(
    () => loadConfig({ ...pg, LINLI_FILES_DIR: '/mnt/photos' }),
    /LINLI_FILES_DIR is set, but photos are kept in the database \(the default with DATABASE_URL\)/,
  );
  assert.throws(
    () => loadConfig({ LINLI_FILE_STORE: 'database', LINLI_FILES_DIR: '/mnt/photos' }),
    /LINLI_FILE_STORE=database/,
  );
});

test('a threshold from 0 to 1 or none: anything else is refused naming the variable', () => {
  assert.equal(loadConfig({}).triageThreshold, 0.5);
  assert.equal(loadConfig({ LINLI_TRIAGE_THRESHOLD: '0.7' }).triageThreshold, 0.7);
  assert.equal(loadConfig({ LINLI_TRIAGE_THRESHOLD: '1' }).triageThreshold, 1);
  assert.equal(loadConfig({ LINLI_TRIAGE_THRESHOLD: '.3' }).triageThreshold, 0.3);
  for (const bad of ['abc', '1.5', '-0.1', '0x1', '1e-1', 'NaN'])
    assert.throws(() => loadConfig({ LINLI_TRIAGE_THRESHOLD: bad }), /LINLI_TRIAGE_THRESHOLD/, bad);
});

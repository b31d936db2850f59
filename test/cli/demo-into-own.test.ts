/**
 * `linli seed --demo` on a deployment's own database (made by `linli setup`): refused with a
 * message that says why and what to do, and nothing written (it failed with the raw
 * "UNIQUE constraint failed: categories.code").
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropSchema } from '../../src/platform/db/database.ts';

describe('the demo and a deployment of its own', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'linli-own-'));
  const url = process.env.DATABASE_URL;
  const schema = url ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LINLI_DATA_DIR: dataDir,
    LINLI_DEMO_ORDERS: '4',
    LINLI_ADMIN_PASSWORD: 'a-long-enough-password',
    ...(schema ? { LINLI_DB_SCHEMA: schema } : {}),
  };
  const linli = (args: string[]) =>
    spawnSync(process.execPath, ['bin/linli.mjs', ...args], { env, encoding: 'utf8' });
  after(async () => {
    if (schema) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await dropSchema(c, schema);
      await c.end();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses to load the demo into a database that has communities of its own', () => {
    const setup = linli([
      'setup',
      '--street',
      'nanshan',
      '--street-name',
      '南山街道',
      '--community',
      'lihu',
      '--name',
      '荔湖社区',
      '--center',
      '22.53,113.93',
      '--admin',
      'lihu.admin',
    ]);
    assert.equal(setup.status, 0, setup.stderr);
    const seed = linli(['seed', '--demo']);
    assert.equal(seed.status, 1, seed.stdout);
    assert.match(seed.stderr, /already holds communities of its own \(lihu\)/);
    assert.doesNotMatch(seed.stderr, /UNIQUE|constraint/);
    const verify = linli(['audit', 'verify']);
    assert.equal(verify.status, 0, verify.stderr);
    assert.doesNotMatch(verify.stdout, /taoyuan/, 'no demo community was written');
  });
});

/**
 * `linli setup` uses or refuses every input it is given: a third number in --center, a blank
 * --admin-name or --name-en, a --street-name other than the existing street's were taken and
 * ignored; a weak LINLI_ADMIN_PASSWORD was reported as an option (--LINLI_ADMIN_PASSWORD); an
 * --admin-name and LINLI_ADMIN_PASSWORD given for an admin who exists were silently not used.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cliHarness } from './cli-harness.ts';

describe('linli setup: its inputs', () => {
  const h = cliHarness('setup');
  after(() => h.cleanUp());
  const setup = (community: string, more: string[], env: NodeJS.ProcessEnv = {}) =>
    h.linli(
      [
        'setup',
        '--street',
        'nanshan',
        '--community',
        community,
        '--name',
        `${community} 社区`,
        '--admin',
        'nanshan.admin',
        ...more,
      ],
      env,
    );

  it('refuses what it would ignore, each problem under the name it was given by', () => {
    const bad = setup(
      'lihu',
      ['--street-name', '南山街道', '--center', '22.53,113.93,7', '--admin-name', ' ', '--name-en', ' '],
      { LINLI_ADMIN_PASSWORD: 'short' },
    );
    assert.equal(bad.status, 2, bad.stdout);
    assert.match(bad.stderr, /^--center: LAT,LNG in degrees$/m);
    assert.match(bad.stderr, /^--admin-name: /m);
    assert.match(bad.stderr, /^--name-en: /m);
    assert.match(bad.stderr, /^LINLI_ADMIN_PASSWORD: at least 10 characters$/m);
    assert.doesNotMatch(bad.stderr, /--LINLI_ADMIN_PASSWORD/);
    assert.equal(bad.stdout, '', 'nothing created');
  });

  it('takes names trimmed, refuses another name for an existing street, and says what it did not use', async () => {
    const first = setup('lihu', [
      '--street-name',
      ' 南山街道 ',
      '--center',
      '22.53,113.93',
      '--admin-name',
      ' 南山管理员 ',
    ]);
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual(await h.sqlOn("select name from streets where code = 'nanshan'"), [
      { name: '南山街道' },
    ]);
    assert.deepEqual(await h.sqlOn("select display_name from users where username = 'nanshan.admin'"), [
      { display_name: '南山管理员' },
    ]);

    const renamed = setup('lihu-2', ['--street-name', '北山街道', '--center', '22.5,113.9']);
    assert.equal(renamed.status, 1, renamed.stdout);
    assert.match(renamed.stderr, /street nanshan exists already, named 南山街道/);
    assert.deepEqual(await h.sqlOn("select code from communities where code = 'lihu-2'"), []);

    const again = setup(
      'lihu-2',
      ['--street-name', '南山街道', '--center', '22.5,113.9', '--admin-name', '另一个名字'],
      { LINLI_ADMIN_PASSWORD: 'a long enough password' },
    );
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /admin nanshan\.admin now also serves lihu-2/);
    assert.match(
      again.stderr,
      /^--admin-name 另一个名字 not used: nanshan\.admin exists already and keeps the name 南山管理员$/m,
    );
    assert.match(
      again.stderr,
      /^LINLI_ADMIN_PASSWORD not used: nanshan\.admin exists already and keeps their password$/m,
    );
  });
});

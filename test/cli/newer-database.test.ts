/**
 * A database migrated by a newer Linli (a migration this version does not know) is refused by
 * every command that opens it, serve and migrate included, naming that migration and saying to
 * upgrade, and nothing is changed (it said "migration  failed: corrupted migrations").
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cliHarness } from './cli-harness.ts';

describe('a database migrated by a newer Linli', () => {
  const h = cliHarness('newer');
  after(() => h.cleanUp());

  it('is refused by serve, migrate and the other commands, naming the migration, and left as it was', async () => {
    h.seedDemo();
    const future = '2099123100_from_a_newer_linli';
    await h.sqlOn(
      `insert into kysely_migration (name, timestamp) values ('${future}', '2099-12-31T00:00:00.000Z')`,
    );
    // One this version knows, as if not applied yet: even so, nothing is applied.
    const [last] = await h.sqlOn(
      'select name, timestamp from kysely_migration order by name desc limit 1 offset 1',
    );
    await h.sqlOn(`delete from kysely_migration where name = '${String(last?.name)}'`);
    const before = await h.sqlOn('select name from kysely_migration order by name');
    for (const args of [
      ['migrate'],
      ['serve'],
      ['audit', 'verify'],
      ['export', 'work-orders', '--community', 'taoyuan'],
      ['seed', '--demo'],
    ]) {
      const r = h.linli(args, { PORT: '0' });
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '', args.join(' '));
      assert.match(
        r.stderr,
        new RegExp(
          `^this database was migrated by a newer version of Linli: it has the migration ${future}, which this version does not know\\. Upgrade Linli`,
        ),
        args.join(' '),
      );
      assert.doesNotMatch(r.stderr, /corrupted/);
    }
    assert.deepEqual(
      await h.sqlOn('select name from kysely_migration order by name'),
      before,
      'nothing applied',
    );
  });
});

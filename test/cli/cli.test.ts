/**
 * The `linli` command line, run as a user runs it (a child process), against a database of its
 * own: a fresh SQLite data directory, or a fresh PostgreSQL schema when DATABASE_URL is set.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { dropSchema } from '../../src/platform/db/database.ts';

const MODEL = 'src/modules/classification/models/default.json';

describe('linli command line', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'linli-cli-'));
  const url = process.env.DATABASE_URL;
  const schema = url ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LINLI_DATA_DIR: dataDir,
    LINLI_DEMO_ORDERS: '4',
    ...(schema ? { LINLI_DB_SCHEMA: schema } : {}),
  };
  const linli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, ['bin/linli.mjs', ...args], {
      env: { ...env, ...extraEnv },
      encoding: 'utf8',
    });
  const withPg = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  /** Whether the command line has created its database yet. */
  const databaseExists = async () =>
    schema
      ? withPg(
          async (c) =>
            (await c.query('select 1 from information_schema.schemata where schema_name = $1', [schema]))
              .rowCount === 1,
        )
      : existsSync(join(dataDir, 'linli.sqlite'));

  let seeded = false;
  /** Seeds the demo once, for the tests that need communities (after the migration test). */
  const seedDemo = () => {
    if (seeded) return;
    const seed = linli(['seed', '--demo']);
    assert.equal(seed.status, 0, seed.stderr);
    seeded = true;
  };

  before(() => assert.ok(!existsSync(join(dataDir, 'linli.sqlite'))));
  after(async () => {
    if (schema) await withPg((c) => dropSchema(c, schema));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('`linli CMD --help` prints the usage of CMD, exits 0 and touches no database', async () => {
    for (const cmd of ['migrate', 'serve', 'import', 'export', 'classifier', 'files']) {
      const r = linli([cmd, '--help']);
      assert.equal(r.status, 0, `${cmd}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`linli ${cmd}\\b`), cmd);
      assert.doesNotMatch(r.stdout, cmd === 'migrate' ? /linli export/ : /linli migrate/, cmd);
    }
    assert.equal(linli(['audit', 'verify', '-h']).status, 0);
    assert.equal(await databaseExists(), false, 'help created no database');
    const unknownOption = linli(['export', 'work-orders', '--bogus']);
    assert.equal(unknownOption.status, 2, 'an unknown option is a usage error');
    assert.match(unknownOption.stderr, /--bogus[\s\S]*linli export work-orders/);
    // `migrate` takes no options: a dry run it does not have is refused, not a migration.
    for (const args of [
      ['migrate', '--dry-run'],
      ['migrate', 'down'],
    ]) {
      const r = linli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}`);
    }
    const activate = linli([
      'classifier',
      'import-model',
      '--community',
      'x',
      '--file',
      MODEL,
      '--activate',
      'yes',
    ]);
    assert.equal(activate.status, 2, activate.stdout);
    assert.match(activate.stderr, /--activate/);
    // A command that works on data refuses a data folder with no database rather than making one
    // (SQLite; on PostgreSQL the URL names the database).
    if (!schema) {
      for (const args of [
        ['export', 'work-orders', '--community', 'taoyuan'],
        ['audit', 'verify'],
      ]) {
        const r = linli(args);
        assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}`);
        assert.match(r.stderr, /no database in .*LINLI_DATA_DIR/);
      }
    }
    assert.equal(await databaseExists(), false, 'a refused command created no database');
  });

  it('a configuration error names the variable', () => {
    const r = linli(['migrate'], { PORT: 'abc' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /PORT must be an integer, got "abc"/);
    const store = linli(['migrate'], { LINLI_FILE_STORE: 's3' });
    assert.equal(store.status, 1);
    assert.match(store.stderr, /LINLI_FILE_STORE must be "disk" or "database", got "s3"/);
  });

  it('`linli migrate` names the migrations it applied, then says there is nothing to apply', async () => {
    const first = linli(['migrate']);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^applied \d+ migration\(s\): 2026112101_core, /);
    assert.equal(await databaseExists(), true);
    const again = linli(['migrate']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout.trim(), 'nothing to apply: the database is up to date');
  });

  it('`linli files copy-to-database` copies the photos of the data folder into the database, again without harm', async () => {
    const photos = join(dataDir, 'files', 'photos', '0000cccc');
    mkdirSync(photos, { recursive: true });
    writeFileSync(join(photos, '0000cccc-one'), 'first photo');
    writeFileSync(join(photos, '0000cccc-two'), 'second photo');
    for (let run = 0; run < 2; run++) {
      const r = linli(['files', 'copy-to-database']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^copied 2 photo file\(s\) from .*files into the database\n$/);
    }
    const query = 'select key, size_bytes from stored_files order by key';
    const rows = schema
      ? await withPg(
          async (c) =>
            ((await c.query(`set search_path to "${schema}"; ${query}`)) as unknown as pg.QueryResult[])[1]
              ?.rows,
        )
      : await (async () => {
          const Sqlite = (await import('better-sqlite3')).default;
          const raw = new Sqlite(join(dataDir, 'linli.sqlite'));
          try {
            return raw.prepare(query).all();
          } finally {
            raw.close();
          }
        })();
    assert.deepEqual(
      (rows as { key: string; size_bytes: number }[]).map((r) => [r.key, Number(r.size_bytes)]),
      [
        ['photos/0000cccc/0000cccc-one', 11],
        ['photos/0000cccc/0000cccc-two', 12],
      ],
    );
    const missing = linli(['files', 'copy-to-database', '--from', join(dataDir, 'nope')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read the folder .*nope \(no such file\)/);
    assert.equal(linli(['files']).status, 2, 'a usage error');
  });

  it('`linli classifier import-model` imports a model file and can activate it', () => {
    seedDemo();
    const imported = linli([
      'classifier',
      'import-model',
      '--community',
      'taoyuan',
      '--file',
      MODEL,
      '--activate',
      'always',
    ]);
    assert.equal(imported.status, 0, imported.stderr);
    const report = JSON.parse(imported.stdout) as { community: string; version: number; activated: boolean };
    assert.deepEqual(report, { community: 'taoyuan', version: report.version, activated: true });
    const models = linli(['classifier', 'models', '--community', 'taoyuan', '--json']);
    assert.equal(models.status, 0, models.stderr);
    const list = JSON.parse(models.stdout) as { version: number; status: string }[];
    assert.equal(list.find((m) => m.version === report.version)?.status, 'active', models.stdout);
    const missing = linli(['classifier', 'import-model', '--community', 'taoyuan']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /import-model --community C --file MODEL/);
    const bogus = linli(['classifier', 'bogus']);
    assert.equal(bogus.status, 2);
    assert.match(bogus.stderr, /import-model/);
  });

  it('`linli export` refuses bad dates and statuses like the API, writing no file', () => {
    seedDemo();
    const out = join(dataDir, 'orders.csv');
    const refused: [string[], RegExp][] = [
      [['--from', 'yesterday'], /--from: "yesterday" is not a date-time with a time zone/],
      [
        ['--from', '2026-12-04', '--to', '2026-12-04'],
        /--from: "2026-12-04" is not a date-time.*2026-12-04T00:00:00\+08:00/,
      ],
      [
        ['--from', '2026-12-04T00:00:00Z', '--to', '2026-12-04T00:00:00Z'],
        /--from must be before --to \(--to is exclusive/,
      ],
      [['--status', 'bogus'], /--status: unknown status "bogus"/],
      // Given but empty: refused, where it exported every order.
      [['--status', ''], /option --status needs a value/],
      [['--status', ','], /--status: name at least one status/],
    ];
    for (const [args, message] of refused) {
      const r = linli(['export', 'work-orders', '--community', 'taoyuan', '--out', out, ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, message);
      assert.equal(existsSync(out), false, `${args.join(' ')} wrote a file`);
    }
    const all = linli(['export', 'work-orders', '--community', 'taoyuan', '--out', out]);
    assert.equal(all.status, 0, all.stderr);
    assert.match(all.stdout, /wrote 4 orders/);
    const written = readFileSync(out, 'utf8');
    assert.match(written, /^\ufeffnumber,created_at,/);
    assert.equal(statSync(out).mode & 0o777, 0o600, "the file is its owner's alone");
    assert.equal(written.split('\r\n').length, 4 + 2, 'the header, 4 orders and the last line end');
    // Without --out the same file goes to standard output, and no partial file is left beside --out.
    const toStdout = linli(['export', 'work-orders', '--community', 'taoyuan']);
    assert.equal(toStdout.status, 0, toStdout.stderr);
    assert.equal(toStdout.stdout, written);
    assert.deepEqual(
      readdirSync(dataDir).filter((f) => f.endsWith('.part')),
      [],
    );
    // A short export writes no progress; one that runs past LINLI_PROGRESS_MS reports on
    // standard error, a line at a time in a pipe, and the file on standard output is unchanged.
    assert.doesNotMatch(toStdout.stderr, /exporting/);
    const reported = linli(['export', 'work-orders', '--community', 'taoyuan'], { LINLI_PROGRESS_MS: '0' });
    assert.equal(reported.status, 0, reported.stderr);
    assert.equal(reported.stdout, written);
    assert.match(reported.stderr, /^exporting: 4 of 4 orders \(100 %\)\n$/m);
    const verified = linli(['audit', 'verify', '--community', 'taoyuan'], { LINLI_PROGRESS_MS: '0' });
    assert.equal(verified.status, 0, verified.stderr);
    assert.match(verified.stderr, /^verifying taoyuan: (\d+) of \1 entries \(100 %\)\n$/m);
    assert.match(verified.stdout, /^taoyuan\tok\t/);
    const ranged = linli([
      'export',
      'work-orders',
      '--community',
      'taoyuan',
      '--status',
      'submitted,accepted,dispatched,in_progress,waiting_on_resident,resolved,closed,referred,duplicate,not_actionable,cancelled',
      '--from',
      '2000-01-01T00:00:00+08:00',
      '--to',
      '2999-01-01T00:00:00Z',
      '--out',
      out,
    ]);
    assert.equal(ranged.status, 0, ranged.stderr);
    assert.match(ranged.stdout, /wrote 4 orders/);
  });

  it('`linli import residents` refuses a row with more fields than the header, importing nothing', () => {
    seedDemo();
    const file = join(dataDir, 'uc1.csv');
    writeFileSync(file, 'name,phone,address\n吴1,13900000051,桃源村一区,5栋302\n');
    const bad = linli(['import', 'residents', '--community', 'taoyuan', '--file', file]);
    assert.equal(bad.status, 1, bad.stdout);
    assert.match(bad.stderr, /row 2: the row has 4 fields but the header has 3 columns \(extra: "5栋302"\)/);
    // Nothing was written: the same resident, quoted right, is new to the community.
    writeFileSync(file, 'name,phone,address\n吴1,13900000051,"桃源村一区,5栋302"\n');
    const good = linli(['import', 'residents', '--community', 'taoyuan', '--file', file]);
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stdout, /imported 1 residents in 1 new households/);
  });

  it('`linli setup` creates a community and its admin with a password shown once; bad input exits 2', () => {
    const args = [
      'setup',
      '--street',
      'nanshan',
      '--street-name',
      '南山街道',
      '--community',
      'lihu',
      '--name',
      '荔湖社区',
    ];
    const bad = linli([...args, '--center', '95,1', '--admin', 'Lihu Admin', '--time-zone', 'Mars/Base']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--center: .*\n--time-zone: unknown time zone "Mars\/Base"\n--admin: /s);
    const missing = linli(['setup', '--community', 'lihu']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /usage:\n {2}linli setup/);
    const ok = linli([...args, '--center', '22.53,113.93', '--admin', 'lihu.admin']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(
      ok.stdout,
      /community lihu created in the new street nanshan\nadmin lihu.admin created\n {2}password \(shown once; change it after signing in\): [A-Za-z0-9]{16}\n/,
    );
    const again = linli([...args, '--center', '22.53,113.93', '--admin', 'lihu.admin']);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /community lihu exists already/);
    const given = linli(
      [
        ...args.slice(0, 5),
        '--community',
        'lihu-2',
        '--name',
        '荔湖二社区',
        '--center',
        '22.5,113.9',
        '--admin',
        'lihu2.admin',
      ],
      {
        LINLI_ADMIN_PASSWORD: 'a long enough one',
      },
    );
    assert.equal(given.status, 0, given.stderr);
    assert.doesNotMatch(given.stdout, /password/, 'a given password is not printed');
  });

  it('`linli import residents` says how many problems it did not list, and lists the columns it knows', () => {
    seedDemo();
    const file = join(dataDir, 'bad-phones.csv');
    writeFileSync(
      file,
      ['name,phone,address', ...Array.from({ length: 300 }, (_, i) => `人${i},12345,桃源村1栋`)].join('\n'),
    );
    const r = linli(['import', 'residents', '--community', 'taoyuan', '--file', file]);
    assert.equal(r.status, 1, r.stdout);
    const lines = r.stderr.trim().split('\n');
    assert.match(
      lines[0] ?? '',
      /^validation_failed: 300 problem\(s\) in bad-phones\.csv: nothing was imported$/,
    );
    assert.equal(lines.filter((l) => /^ {2}row \d+, column phone: /.test(l)).length, 200, r.stderr);
    assert.equal(lines.at(-1), '  … and 100 more (run with --dry-run to see all)');
    assert.doesNotMatch(r.stderr, /also appears/, 'an invalid phone is not also a duplicate of itself');

    writeFileSync(file, '姓名,电话,地址\n张三,13900000001,桃源村1栋\n');
    const header = linli(['import', 'residents', '--community', 'taoyuan', '--file', file]);
    assert.equal(header.status, 1);
    assert.match(
      header.stderr,
      /column 姓名: unknown column "姓名" \(the columns are: name, phone, id_number, .*, emergency_contact_phone\)/,
    );
  });

  it('`linli import` says why it cannot read a file', () => {
    const missing = linli([
      'import',
      'residents',
      '--community',
      'taoyuan',
      '--file',
      join(dataDir, 'nope.csv'),
    ]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read .*nope\.csv: no such file/);
    const folder = linli(['import', 'residents', '--community', 'taoyuan', '--file', dataDir]);
    assert.equal(folder.status, 1);
    assert.match(folder.stderr, /cannot read .*: it is a folder, not a file/);
  });

  it('`--out` in a missing folder is refused before any work, naming the path given', () => {
    seedDemo();
    const csv = join(dataDir, 'labelled.csv');
    writeFileSync(csv, 'text,category\n灯坏了,a\n水管漏了,b\n门锁坏了,a\n下水道堵了,b\n');
    const model = join(dataDir, 'no-such-folder', 'm.json');
    const train = linli([
      'classifier',
      'train',
      '--csv',
      csv,
      '--text',
      'text',
      '--label',
      'category',
      '--out',
      model,
    ]);
    assert.equal(train.status, 1, train.stdout);
    assert.equal(train.stdout, '', 'nothing trained');
    assert.match(train.stderr, /--out .*no-such-folder\/m\.json: the folder .*no-such-folder does not exist/);
    assert.doesNotMatch(train.stderr, /ENOENT|\.tmp/);

    const x = join(dataDir, 'no-such-folder', 'x.csv');
    const exp = linli(['export', 'work-orders', '--community', 'taoyuan', '--out', x]);
    assert.equal(exp.status, 1, exp.stdout);
    assert.match(exp.stderr, /--out .*no-such-folder\/x\.csv: the folder .*no-such-folder does not exist/);
    assert.doesNotMatch(exp.stderr, /ENOENT/);
    const onFolder = linli(['export', 'work-orders', '--community', 'taoyuan', '--out', dataDir]);
    assert.equal(onFolder.status, 1);
    assert.match(onFolder.stderr, /is a folder, not a file/);
  });

  it('`linli audit anchor` keeps the heads outside the database; `audit verify` then finds a cut tail with a rewritten head', async () => {
    seedDemo();
    const anchorsFile = join(dataDir, 'audit-anchors.jsonl');
    const a = linli(['audit', 'anchor']);
    assert.equal(a.status, 0, a.stderr);
    const printed = a.stdout.trim().split('\n');
    // One line a community (earlier tests set up more than the demo's two).
    assert.ok(printed.length >= 2, a.stdout);
    assert.match(
      printed.find((l) => l.includes('"code":"longzhu"')) ?? '',
      // Signed with the node's key (a signed checkpoint).
      /^\{"v":1,"communityId":"[^"]+","code":"longzhu","seq":\d+,"entryHash":"[0-9a-f]{64}","at":"[^"]+","keyId":"[0-9a-f]{16}","sig":"[A-Za-z0-9+/]{86}=="\}$/,
    );
    assert.match(a.stderr, new RegExp(`appended ${printed.length} anchor\\(s\\) to .*audit-anchors\\.jsonl`));
    assert.equal(readFileSync(anchorsFile, 'utf8').trim().split('\n').length, printed.length);
    const before = linli(['audit', 'verify', '--community', 'longzhu']);
    assert.equal(before.status, 0, before.stdout + before.stderr);
    assert.match(before.stdout, /^longzhu\tok\t\d+ entries, 1 anchor\n$/);

    // Cut longzhu's last entry and rewrite the head to the one before: the hashes alone agree.
    const cut = [
      "delete from audit_entries where community_id = (select id from communities where code = 'longzhu') and seq = (select seq from audit_heads where community_id = (select id from communities where code = 'longzhu'))",
      "update audit_heads set seq = seq - 1, entry_hash = (select e.entry_hash from audit_entries e where e.community_id = audit_heads.community_id and e.seq = audit_heads.seq - 1) where community_id = (select id from communities where code = 'longzhu')",
    ];
    if (schema) await withPg((c) => c.query(`set search_path to "${schema}"; ${cut.join('; ')}`));
    else {
      const Sqlite = (await import('better-sqlite3')).default;
      const raw = new Sqlite(join(dataDir, 'linli.sqlite'));
      for (const q of cut) raw.prepare(q).run();
      raw.close();
    }
    const empty = join(dataDir, 'no-anchors.jsonl');
    writeFileSync(empty, '');
    const alone = linli(['audit', 'verify', '--community', 'longzhu', '--anchors', empty]);
    assert.equal(alone.status, 0, 'without an anchor the cut passes: the limit anchors remove');
    const r = linli(['audit', 'verify', '--community', 'longzhu']);
    assert.equal(r.status, 1);
    assert.match(
      r.stdout,
      /^longzhu\tBROKEN\tthe chain no longer holds anchored entry \d+ \(\d+ verified entries\): it was rewritten and hashed again, or cut, or the database was restored from a backup older than the anchor \(then keep that anchor file as the record of what was lost, and start a new one\)\n$/,
    );
    const missing = linli(['audit', 'verify', '--anchors', join(dataDir, 'nope.jsonl')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no anchor file .*nope\.jsonl/);
    writeFileSync(empty, 'not an anchor\n');
    const damaged = linli(['audit', 'verify', '--anchors', empty]);
    assert.equal(damaged.status, 1);
    assert.match(damaged.stderr, /the anchor file no-anchors\.jsonl is damaged at line 1: not JSON/);
    assert.equal(linli(['audit', 'anchor', '--anchors', empty]).status, 2, "verify's option is not anchor's");
  });

  /** Runs one statement (and reads its rows) on the command line's database. */
  const sqlOn = async (statement: string): Promise<Record<string, unknown>[]> => {
    if (schema)
      return withPg(async (c) => {
        await c.query(`set search_path to "${schema}"`);
        return (await c.query(statement)).rows as Record<string, unknown>[];
      });
    const Sqlite = (await import('better-sqlite3')).default;
    const raw = new Sqlite(join(dataDir, 'linli.sqlite'));
    try {
      const st = raw.prepare(statement);
      return st.reader ? (st.all() as Record<string, unknown>[]) : (st.run(), []);
    } finally {
      raw.close();
    }
  };

  it('`linli staff unlock` and `reset-password` are the way back in for an admin locked out', async () => {
    seedDemo();
    const until = new Date(Date.now() + 15 * 60_000).toISOString();
    await sqlOn(
      `insert into login_attempts (username, failures, locked_until, updated_at) values ('["admin"]', 0, '${until}', '${new Date().toISOString()}'), ('["admin","203.0.113.5"]', 0, '${until}', '${new Date().toISOString()}')`,
    );
    const unlocked = linli(['staff', 'unlock', 'admin']);
    assert.equal(unlocked.status, 0, unlocked.stderr);
    assert.match(unlocked.stdout, /^admin: sign-in failures cleared, the lock lifted\n$/);
    assert.deepEqual(await sqlOn(`select username from login_attempts where username like '["admin%'`), []);
    assert.match(linli(['staff', 'unlock', 'admin']).stdout, /nothing to lift/);
    const nosuch = linli(['staff', 'unlock', 'no.such.admin']);
    assert.equal(nosuch.status, 1);
    assert.match(nosuch.stderr, /no\.such\.admin: no such staff account/);
    assert.equal(linli(['staff', 'unlock', '--force']).status, 2, 'an option is no username');

    const reset = linli(['staff', 'reset-password', 'admin']);
    assert.equal(reset.status, 0, reset.stderr);
    assert.match(reset.stdout, /temporary password \(shown once[^)]*\): \S{10,}\n$/);
    const [row] = await sqlOn(`select must_change_password from users where username = 'admin'`);
    assert.equal(Number(row?.must_change_password), 1);
    const audited = await sqlOn(
      `select actor from audit_entries where action = 'user.password_reset' and actor = 'system:console'`,
    );
    assert.ok(audited.length > 0, "the reset is in the audit chain as the console's");

    const nobody = linli(['staff', 'reset-password', 'no.such.admin']);
    assert.equal(nobody.status, 1);
    assert.match(nobody.stderr, /no such staff account/);
    assert.equal(linli(['staff', 'lock', 'admin']).status, 2, 'an unknown action shows the usage');
  });

  it('`linli residents erase` erases a resident’s personal data once; a bad reason shows the usage', async () => {
    seedDemo();
    const [li] = await sqlOn(`select id from residents where phone = '13800000003'`);
    const id = String(li?.id);
    // A name they had before a rename, as a rename records it.
    await sqlOn(
      `insert into resident_former_names (resident_id, community_id, name, ended_at)
       select id, community_id, '李建军', '2026-01-02T03:04:05.000Z' from residents where id = '${id}'`,
    );
    // First, at their request, a copy of their data (个人信息副本): to stdout, or whole into a file.
    const shown = linli(['residents', 'data', id]);
    assert.equal(shown.status, 0, shown.stderr);
    const copy = JSON.parse(shown.stdout) as {
      format: string;
      resident: { phone: string };
      formerNames: { name: string; until: string }[];
    };
    assert.deepEqual([copy.format, copy.resident.phone], ['linli.resident-data/1', '13800000003']);
    assert.deepEqual(copy.formerNames, [{ name: '李建军', until: '2026-01-02T03:04:05.000Z' }]);
    const file = join(dataDir, 'copy.json');
    const saved = linli(['residents', 'data', id, '--out', file]);
    assert.equal(saved.status, 0, saved.stderr);
    assert.match(saved.stdout, /^wrote the personal data of 李建国 \(\d+ orders\) to /);
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { resident: { id: string } }).resident.id, id);
    assert.equal(linli(['residents', 'data', id, '--out', dataDir]).status, 1, 'a folder is no file');
    assert.equal(linli(['residents', 'data', 'no-such-id']).status, 1);
    assert.equal(linli(['residents', 'data']).status, 2, 'no id: the usage');
    assert.equal(linli(['residents', 'erase', id, '--reason', 'because']).status, 2);
    assert.equal(linli(['residents', 'erase', id]).status, 2, 'the reason is required');
    const done = linli(['residents', 'erase', id, '--reason', 'resident_request']);
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stdout, /personal data erased \(resident_request\); \d+ orders/);
    const [row] = await sqlOn(`select name, phone, erased_at from residents where id = '${id}'`);
    assert.deepEqual([row?.name, row?.phone, row?.erased_at === null], ['已删除居民', null, false]);
    assert.deepEqual(await sqlOn(`select name from resident_former_names where resident_id = '${id}'`), []);
    const again = linli(['residents', 'erase', id, '--reason', 'resident_request']);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /erased on/);
    // (Another test broke longzhu's chain on purpose; the resident's community is taoyuan.)
    const verify = linli(['audit', 'verify', '--community', 'taoyuan']);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /taoyuan\tok/);
  });

  it('`linli search reindex` indexes the orders the search index does not hold, with progress', async () => {
    seedDemo();
    const none = linli(['search', 'reindex']);
    assert.equal(none.status, 0, none.stderr);
    assert.equal(none.stdout, 'indexed 0 order(s) the search index did not hold\n');
    // An order written by a node of an earlier version: no tokens.
    if (schema)
      await withPg((c) =>
        c.query(
          `set search_path to "${schema}"; delete from work_order_search_tokens where order_id = (select min(id) from work_orders)`,
        ),
      );
    else {
      const Sqlite = (await import('better-sqlite3')).default;
      const raw = new Sqlite(join(dataDir, 'linli.sqlite'));
      raw.exec(`delete from work_order_search_tokens where rowid = (select rowid from work_order_search_keys
        where order_id = (select min(id) from work_orders));
        delete from work_order_search_keys where order_id = (select min(id) from work_orders)`);
      raw.close();
    }
    const one = linli(['search', 'reindex'], { LINLI_PROGRESS_MS: '0' });
    assert.equal(one.status, 0, one.stderr);
    assert.equal(one.stdout, 'indexed 1 order(s) the search index did not hold\n');
    assert.match(one.stderr, /^indexing: (\d+) of \1 orders \(100 %\)\n$/m);
    const usage = linli(['search', 'rebuild']);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /linli search reindex/);
  });

  // Last: it breaks the chain of taoyuan.
  it('`linli audit verify` on a broken chain says where it broke and how many entries verified before', async () => {
    seedDemo();
    const tamper =
      "update audit_entries set action = 'x' where seq = 3 and community_id = " +
      "(select id from communities where code = 'taoyuan')";
    if (schema) await withPg((c) => c.query(`set search_path to "${schema}"; ${tamper}`));
    else {
      const Sqlite = (await import('better-sqlite3')).default;
      const raw = new Sqlite(join(dataDir, 'linli.sqlite'));
      raw.prepare(tamper).run();
      raw.close();
    }
    const r = linli(['audit', 'verify', '--community', 'taoyuan']);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^taoyuan\tBROKEN\tfirst bad seq 3, after 2 verified entries\n$/);
  });
});

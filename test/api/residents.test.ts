import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

const HEADER =
  'name,phone,id_number,birth_year,address,lat,lng,tags,tags_consent,emergency_contact_name,emergency_contact_phone';
const GOOD = [
  HEADER,
  '陈阿婆,13911110001,44030519450101002X,1945,深圳市南山区桃源街道桃源村3栋1901室,22.5585,113.9425,elderly_alone;chronic_illness,是,陈小红,13711110001',
  '陈小红,13911110002,,1975,深圳市南山区桃源街道桃源村3栋1901室,22.5585,113.9425,,,,',
  '何先生,13911110003,,1990,深圳市南山区桃源街道桃源村5栋1902室,,,,0,,',
].join('\n');

describe('residents: caller lookup and CSV import (all or nothing)', () => {
  let ctx: TestContext;
  let admin: string;
  before(async () => {
    ctx = await createTestContext({ orders: 5 });
    admin = await ctx.login('admin');
  });
  after(() => ctx.close());

  const upload = (csv: string | Buffer, query: string, token = admin) =>
    ctx.app.inject({
      method: 'POST',
      url: `/api/v1/residents/import?${query}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      payload: csv,
    });
  const countResidents = async () =>
    Number(
      (
        await ctx.database.db
          .selectFrom('residents')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('a dry run reports and writes nothing', async () => {
    const before = await countResidents();
    const res = await upload(GOOD, 'community=taoyuan&dryRun=true');
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json() as { dryRun: boolean; rows: number; problems: unknown[] };
    assert.equal(r.dryRun, true);
    assert.equal(r.rows, 3);
    assert.deepEqual(r.problems, []);
    assert.equal(await countResidents(), before);
  });

  it('imports a GBK file from Excel, groups households by address and places them in grids', async () => {
    const res = await upload(iconv.encode(GOOD, 'gbk'), 'community=taoyuan');
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json() as { encoding: string; created: number; households: number };
    assert.equal(r.encoding, 'gb18030');
    assert.equal(r.created, 3);
    assert.equal(r.households, 2);
    const agent = await ctx.login('agent');
    const [found] = (await ctx.call('GET', '/api/v1/residents?phone=13911110001', agent)).json() as {
      name: string;
      tags: string[];
      household: { gridId: string | null; members: { name: string }[] };
    }[];
    assert.equal(found?.name, '陈阿婆');
    assert.deepEqual(found?.tags, ['elderly_alone', 'chronic_illness']);
    assert.ok(found?.household.gridId, 'placed in a grid by point-in-polygon');
    assert.deepEqual(
      found?.household.members.map((m) => m.name),
      ['陈小红'],
    );
  });

  it('says who joins a household already registered at their address, in a dry run too', async () => {
    const file = [
      HEADER,
      // 3栋1901室 has the household of the import above; 7栋 has none yet.
      '陈大伟,13911110011,,1972,深圳市南山区桃源街道桃源村3栋1901室,,,,0,,',
      '孙女士,13911110012,,1988,深圳市南山区桃源街道桃源村7栋0801室,,,,0,,',
      // The same place typed with other spaces is the same household.
      '孙先生,13911110013,,1986, 深圳市南山区桃源街道桃源村7栋0801室\u200b ,,,,0,,',
    ].join('\n');
    const dry = await upload(file, 'community=taoyuan&dryRun=true');
    assert.equal(dry.statusCode, 200, dry.body);
    assert.deepEqual(
      (({ created, households, joined }) => ({ created, households, joined }))(
        dry.json() as { created: number; households: number; joined: number },
      ),
      { created: 3, households: 1, joined: 1 },
    );
    const res = await upload(file, 'community=taoyuan');
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json() as { created: number; households: number; joined: number };
    assert.deepEqual([r.created, r.households, r.joined], [3, 1, 1]);
  });

  it('refuses a file with any bad row, naming row and column, and imports nothing', async () => {
    const before = await countResidents();
    const bad = [
      HEADER,
      '好人,13911119001,,1980,桃源村1栋,,,,,,',
      ',139111190,,1880,,,,,,,',
      '坏标签,13911119002,,1980,桃源村1栋,,,rich,1,,',
      '无同意,13911119003,,1980,桃源村1栋,,,disability,0,,',
    ].join('\n');
    const res = await upload(bad, 'community=taoyuan');
    assert.equal(res.statusCode, 400);
    const err = res.json() as {
      error: { code: string; details: { problems: { row: number; column: string }[] } };
    };
    assert.equal(err.error.code, 'validation_failed');
    const where = err.error.details.problems.map((p) => `${p.row}:${p.column}`);
    for (const w of ['3:name', '3:phone', '3:birth_year', '3:address', '4:tags', '5:tags'])
      assert.ok(where.includes(w), w);
    assert.equal(await countResidents(), before);
    const missingColumn = await upload('name,phone\n张三,13911110009', 'community=taoyuan');
    assert.equal(missingColumn.statusCode, 400);
    const empty = await upload('', 'community=taoyuan');
    assert.equal(empty.statusCode, 400);
    const again = await upload(GOOD, 'community=taoyuan');
    assert.equal(again.statusCode, 400, 'already registered phones are refused');
  });

  it('refuses a row with more fields than the header (an unquoted comma), in a dry run too', async () => {
    const before = await countResidents();
    const csv =
      'name,phone,address\n吴1,13900000051,桃源村一区,5栋302\n吴2,13900000052,"桃源村一区,5栋303"\n';
    const dry = await upload(csv, 'community=taoyuan&dryRun=true');
    assert.equal(dry.statusCode, 200, dry.body);
    const report = dry.json() as { problems: { row: number; column: string; message: string }[] };
    assert.equal(report.problems.length, 1, dry.body);
    assert.equal(report.problems[0]?.row, 2);
    assert.match(report.problems[0]?.message ?? '', /4 fields but the header has 3 columns.*"5栋302"/);
    const real = await upload(csv, 'community=taoyuan');
    assert.equal(real.statusCode, 400);
    const err = real.json() as { error: { code: string; details: { problems: { row: number }[] } } };
    assert.equal(err.error.code, 'validation_failed');
    assert.deepEqual(
      err.error.details.problems.map((p) => p.row),
      [2],
    );
    assert.equal(await countResidents(), before, 'nothing written');
    // Empty trailing fields lose nothing and are accepted.
    const trailing = await upload(
      'name,phone,address\n吴3,13900000053,桃源村二区,,\n',
      'community=taoyuan&dryRun=true',
    );
    assert.deepEqual((trailing.json() as { problems: unknown[] }).problems, []);
  });

  it('reports problems in row order, a phone already registered among them, and says how many in all', async () => {
    // 13911110001 was imported above: row 2's problem comes from the database, row 3's from the file.
    const csv = 'name,phone,address\n重复,13911110001,桃源村1栋\n,13911119101,桃源村1栋\n';
    const dry = await upload(csv, 'community=taoyuan&dryRun=true');
    assert.equal(dry.statusCode, 200, dry.body);
    assert.deepEqual(
      (dry.json() as { problems: { row: number; column: string }[] }).problems.map(
        (p) => `${p.row}:${p.column}`,
      ),
      ['2:phone', '3:name'],
    );
    // More problems than the refusal lists: it says how many there are in all.
    const before = await countResidents();
    const many = ['name,phone,address', ...Array.from({ length: 300 }, (_, i) => `人${i},12345,桃源村1栋`)];
    const real = await upload(many.join('\n'), 'community=taoyuan');
    assert.equal(real.statusCode, 400);
    const { details } = (
      real.json() as { error: { details: { problems: { row: number }[]; total: number } } }
    ).error;
    assert.equal(details.problems.length, 200);
    assert.equal(details.total, 300);
    assert.deepEqual(
      details.problems.slice(0, 3).map((p) => p.row),
      [2, 3, 4],
    );
    assert.equal(await countResidents(), before, 'nothing written');
  });

  it('one phone, one resident; one ID number, one person: across communities, in the file, and under concurrent imports', async () => {
    const before = await countResidents();
    const problemsOf = async (csv: string) => {
      const dry = await upload(csv, 'community=taoyuan&dryRun=true');
      assert.equal(dry.statusCode, 200, dry.body);
      return (dry.json() as { problems: { row: number; column: string; message: string }[] }).problems;
    };
    // 13800000002 is a resident of the other community: refused, without saying where.
    const elsewhere = await problemsOf('name,phone,address\n龙珠人,13800000002,桃源村6栋\n');
    assert.deepEqual(
      elsewhere.map((p) => `${p.row}:${p.column}`),
      ['2:phone'],
    );
    assert.doesNotMatch(elsewhere[0]?.message ?? '', /龙珠|longzhu|another community/);
    // 陈阿婆's ID number was imported above; two rows of one new ID number in a file are refused too.
    const ids = await problemsOf(
      'name,address,id_number\n重复证件,桃源村7栋,44030519450101002X\n甲,桃源村7栋,110101194001011111\n乙,桃源村8栋,110101194001011111\n',
    );
    assert.deepEqual(
      ids.map((p) => `${p.row}:${p.column}`),
      ['2:id_number', '4:id_number'],
    );
    assert.ok(
      ids.every((p) => !p.message.includes('110101194001011111')),
      'the ID number is not echoed',
    );
    // Without a phone or an ID number, a name at an address is the person: a file imported
    // again does not register them twice, nor does one row repeated.
    const noIds = 'name,address\n无证件甲,桃源村11栋101室\n';
    const firstTime = await upload(noIds, 'community=taoyuan');
    assert.equal(firstTime.statusCode, 200, firstTime.body);
    const again = await problemsOf(noIds);
    assert.deepEqual(
      again.map((p) => `${p.row}:${p.column}`),
      ['2:name'],
    );
    const twice = await problemsOf('name,address\n无证件乙,桃源村12栋\n无证件乙,桃源村12栋\n');
    assert.deepEqual(
      twice.map((p) => `${p.row}:${p.column}`),
      ['3:name'],
    );
    // Over-long fields and over-large files are refused with the limit named.
    const long = await problemsOf(`name,address\n${'名'.repeat(101)},${'址'.repeat(301)}\n`);
    assert.deepEqual(
      long.map((p) => `${p.row}:${p.column}`),
      ['2:name', '2:address'],
    );
    const huge = ['name,address', ...Array.from({ length: 10_001 }, (_, i) => `人${i},桃源村${i}号`)].join(
      '\n',
    );
    const tooMany = await problemsOf(huge);
    assert.equal(tooMany.length, 1);
    assert.match(tooMany[0]?.message ?? '', /more than 10000 rows: import at most 10000/);
    assert.equal(await countResidents(), before + 1);

    // Six imports of one new phone at once (a double click, a retry): exactly one registers it.
    const csv = 'name,phone,address\n并发,13300000002,桃源村9栋\n';
    const answers = await Promise.all(Array.from({ length: 6 }, () => upload(csv, 'community=taoyuan')));
    assert.deepEqual(
      answers.map((a) => a.statusCode).sort(),
      [200, 400, 400, 400, 400, 400],
      answers.map((a) => a.body).join('\n'),
    );
    const rows = await ctx.database.db
      .selectFrom('residents')
      .select('id')
      .where('phone', '=', '13300000002')
      .execute();
    assert.equal(rows.length, 1);
    assert.equal(await countResidents(), before + 2);
  });

  it('only admins of the community import (a manager sees phones masked)', async () => {
    assert.equal((await upload(GOOD, 'community=taoyuan', await ctx.login('agent'))).statusCode, 403);
    assert.equal(
      (await upload(GOOD, 'community=taoyuan&dryRun=true', await ctx.login('manager'))).statusCode,
      403,
    );
    assert.equal((await upload(GOOD, 'community=taoyuan', await ctx.login('admin2'))).statusCode, 404);
  });

  it('the CLI imports and exports', () => {
    if (process.env.DATABASE_URL) return; // the CLI opens the configured database; covered on SQLite
    const file = join(ctx.dataDir, 'people.csv');
    writeFileSync(file, [HEADER, '林阿公,13911112001,,1940,桃源村9栋101室,,,,,,'].join('\n'));
    const env = { ...process.env, LINLI_DATA_DIR: join(ctx.dataDir, 'cli') };
    const seed = spawnSync(process.execPath, ['bin/linli.mjs', 'seed', '--demo'], {
      env: { ...env, LINLI_DEMO_ORDERS: '5' },
      encoding: 'utf8',
    });
    assert.equal(seed.status, 0, seed.stderr);
    const imp = spawnSync(
      process.execPath,
      ['bin/linli.mjs', 'import', 'residents', '--community', 'taoyuan', '--file', file],
      { env, encoding: 'utf8' },
    );
    assert.equal(imp.status, 0, imp.stderr);
    assert.match(imp.stdout, /imported 1 residents/);
    const bad = spawnSync(
      process.execPath,
      ['bin/linli.mjs', 'import', 'residents', '--community', 'taoyuan', '--file', file],
      { env, encoding: 'utf8' },
    );
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /row 2, column phone/);
    const out = join(ctx.dataDir, 'orders.csv');
    const exp = spawnSync(
      process.execPath,
      ['bin/linli.mjs', 'export', 'work-orders', '--community', 'taoyuan', '--out', out],
      { env, encoding: 'utf8' },
    );
    assert.equal(exp.status, 0, exp.stderr);
    assert.match(exp.stdout, /wrote 5 orders/);
    const usage = spawnSync(process.execPath, ['bin/linli.mjs', 'frobnicate'], { env, encoding: 'utf8' });
    assert.equal(usage.status, 2);
  });
});

/**
 * The order list, its CSV export and the residents import under hostile or simply large input:
 * exports naming more people than one statement may bind, forged cursors, instants past year 9999,
 * text search that answers alike on SQLite and PostgreSQL, residents files of millions of rows,
 * import problems named by the line a spreadsheet shows, values that only look valid, and imports
 * that would tell a viewer the phones and ID numbers masked for them, exports of every order however
 * many, written as they are read.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { insertOrders, listOrders } from '../../src/modules/work-orders/work-order.repository.ts';
import { exportPages } from '../../src/modules/work-orders/work-order.exporter.ts';
import { insertRows } from '../../src/platform/db/bulk-insert.ts';
import { newId } from '../../src/platform/ids.ts';

type ErrorBody = { error: { code: string; details: { field?: string } } };
const postgres = !!process.env.DATABASE_URL;

describe('query hardening: list, export and import', () => {
  let ctx: TestContext;
  let admin: string;
  before(async () => {
    ctx = await createTestContext({ orders: 20 });
    admin = await ctx.login('admin');
  });
  after(() => ctx.close());

  const taoyuan = () => ctx.seed.communities[0]?.id ?? '';
  let bulkAdded = 0;
  /**
   * Adds `n` orders to taoyuan, a second apart from 2024-01-01 on, the first `distinct` of them
   * each for a resident of its own (the others for the template order's beneficiary).
   */
  async function bulkOrders(n: number, distinct: number) {
    const db = ctx.database.db;
    const tmpl = await db
      .selectFrom('work_orders')
      .selectAll()
      .where('community_id', '=', taoyuan())
      .executeTakeFirstOrThrow();
    const base = Date.parse('2024-01-01T00:00:00Z');
    for (let start = 0; start < n; start += 5000) {
      const residents = [];
      const orders = [];
      for (let i = start; i < Math.min(n, start + 5000); i++) {
        const k = bulkAdded + i;
        const rid = newId();
        if (i < distinct)
          residents.push({
            id: rid,
            community_id: tmpl.community_id,
            household_id: null,
            name: `居民${k}`,
            phone: `17${String(k).padStart(9, '0')}`,
            id_number: null,
            birth_year: 1950,
            tags_json: '[]',
            tags_consent: 0,
            emergency_contact_name: null,
            emergency_contact_phone: null,
            preferred_channel: null,
            created_at: tmpl.created_at,
            updated_at: tmpl.created_at,
          });
        const at = new Date(base + k * 1000).toISOString();
        orders.push({
          ...tmpl,
          id: newId(base + k * 1000),
          number: `BULK-${k}`,
          beneficiary_id: i < distinct ? rid : tmpl.beneficiary_id,
          created_at: at,
          updated_at: at,
        });
      }
      if (residents.length) await insertRows(db, 'residents', residents);
      await insertOrders(db, orders);
    }
    bulkAdded += n;
  }
  const ordersOfTaoyuan = async () =>
    Number(
      (
        await ctx.database.db
          .selectFrom('work_orders')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('community_id', '=', taoyuan())
          .executeTakeFirstOrThrow()
      ).n,
    );
  const csvRows = (body: string) =>
    body
      .replace(/^\ufeff/, '')
      .split('\r\n')
      .filter(Boolean)
      .slice(1);

  it('refuses a forged cursor with 400 naming `cursor`, on the order list and the inbox', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    const dispatcher = await ctx.login('dispatcher');
    for (const forged of [
      '\u0000|\u0000',
      'x|y',
      '2026-02-30T00:00:00.000Z|abc',
      '2026-11-20T02:00:00.000Z|a\u0000',
    ]) {
      for (const [path, token] of [
        ['/api/v1/work-orders', admin],
        ['/api/v1/inbox', dispatcher],
      ] as const) {
        const res = await ctx.call('GET', `${path}?cursor=${b64(forged)}`, token);
        assert.equal(res.statusCode, 400, `${path} ${JSON.stringify(forged)}: ${res.body}`);
        const { error } = res.json<ErrorBody>();
        assert.equal(error.code, 'invalid_input');
        assert.equal(error.details.field, 'cursor');
      }
    }
    // The cursors the list gives out still lead through every order once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (
        await ctx.call('GET', `/api/v1/work-orders?limit=3${cursor ? `&cursor=${cursor}` : ''}`, admin)
      ).json();
      seen.push(...page.items.map((o) => o.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length);
    assert.equal(seen.length, await ordersOfTaoyuan());
  });

  it('refuses a time range bound outside the years 0000–9999 in UTC, naming it', async () => {
    for (const [field, text] of [
      ['to', '9999-12-31T23:59:59-01:00'],
      ['from', '0000-01-01T00:30:00+01:00'],
    ] as const) {
      for (const path of ['/api/v1/work-orders', '/api/v1/work-orders/export.csv']) {
        const res = await ctx.call('GET', `${path}?${field}=${encodeURIComponent(text)}`, admin);
        assert.equal(res.statusCode, 400, `${path} ${field}=${text}: ${res.body.slice(0, 200)}`);
        const { error } = res.json<ErrorBody>();
        assert.equal(error.code, 'invalid_input');
        assert.equal(error.details.field, field);
      }
    }
    // The last instant the stored form holds still bounds the list: every order is before it.
    const res = await ctx.call(
      'GET',
      `/api/v1/work-orders?limit=200&to=${encodeURIComponent('9999-12-31T22:59:59-01:00')}`,
      admin,
    );
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json<{ items: unknown[] }>().items.length, await ordersOfTaoyuan());
  });

  it('searches text without regard to the case of ASCII letters, alike on both databases', async () => {
    const agent = await ctx.login('agent');
    const dispatcher = await ctx.login('dispatcher');
    const create = async (description: string, address: string) => {
      const res = await ctx.call('POST', '/api/v1/work-orders', agent, {
        channel: 'hotline',
        description,
        address,
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json<{ id: string; number: string }>();
    };
    const wifi = await create('家里WiFi路由器坏了 100%_x', 'Block B 3F');
    const eclair = await create('楼下Éclair面包店油烟太大', '桃源村2栋');
    const found = async (q: string, token: string) =>
      (await ctx.call('GET', `/api/v1/work-orders?limit=200&q=${encodeURIComponent(q)}`, token))
        .json<{ items: { id: string }[] }>()
        .items.map((o) => o.id);
    // An admin searches the description, a dispatcher the description with contact data blanked.
    for (const token of [admin, dispatcher]) {
      for (const q of ['WiFi', 'wifi', 'WIFI', 'ｗｉｆｉ', 'ＷＩＦＩ', 'block b', 'BLOCK B 3f', '100%_X'])
        assert.deepEqual(await found(q, token), [wifi.id], q);
      assert.deepEqual(await found('100%x', token), [], '% and _ are themselves, not wildcards');
      // Letters beyond ASCII keep their case on both databases.
      assert.deepEqual(await found('Éclair', token), [eclair.id]);
      assert.deepEqual(await found('éclair', token), []);
      for (const q of [wifi.number, wifi.number.toLowerCase(), wifi.number.slice(0, 9).toLowerCase()])
        assert.ok((await found(q, token)).includes(wifi.id), q);
    }
    // Typed full-width (an input method left in full-width mode), found however the query is typed.
    const wide = await create('３号楼ＷｉＦｉ信号差，回电１３９１２３４５６７８', '桃源村５栋１２０１');
    for (const token of [admin, dispatcher]) {
      for (const q of ['3号楼', '３号楼', 'wifi信号', 'ＷＩＦＩ信号', '5栋1201', '５栋１２０１'])
        assert.deepEqual(await found(q, token), [wide.id], q);
      // Punctuation in either width: ASCII typed finds the Chinese form, and the other way round.
      for (const q of ['信号差,回电', '信号差，回电']) assert.deepEqual(await found(q, token), [wide.id], q);
    }
    // The typed phone is searchable by whom sees it, and blanked for whom does not, in either width.
    assert.deepEqual(await found('13912345678', admin), [wide.id]);
    assert.deepEqual(await found('13912345678', dispatcher), []);
    assert.deepEqual(await found('１３９１２３４５６７８', dispatcher), []);
    const exported = await ctx.call(
      'GET',
      `/api/v1/work-orders/export.csv?q=${encodeURIComponent(wifi.number.toLowerCase())}`,
      admin,
    );
    assert.deepEqual(
      csvRows(exported.body).map((r) => r.split(',')[0]),
      [wifi.number],
    );
  });

  const upload = (csv: string | Buffer, query: string, token = admin) =>
    ctx.app.inject({
      method: 'POST',
      url: `/api/v1/residents/import?${query}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      payload: csv,
    });
  /** A dry run of `csv` into 桃源, answered 200, and the problems it lists. */
  const dryRunProblems = async (csv: string) => {
    const res = await upload(csv, 'community=taoyuan&dryRun=true');
    assert.equal(res.statusCode, 200, res.body);
    return res.json<{ problems: { row: number; column: string; message: string }[] }>().problems;
  };

  it('refuses a residents file of millions of tiny rows at once, reading only the first 10,001', async () => {
    // 10 MiB of `a,b` rows: 2.6 million, under the size limit.
    const csv = ('name,address\n' + 'a,b\n'.repeat(2_700_000)).slice(0, 10 * 1024 * 1024);
    let stall = 0;
    let last = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      stall = Math.max(stall, now - last - 10);
      last = now;
    }, 10);
    const res = await upload(csv, 'community=taoyuan&dryRun=true');
    await new Promise((r) => setTimeout(r, 30));
    clearInterval(timer);
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    const { problems } = res.json<{ problems: { row: number; message: string }[] }>();
    assert.deepEqual(
      problems.map((p) => [p.row, p.message]),
      [[1, 'the file has more than 10000 rows: import at most 10000 at a time (split the file)']],
    );
    // Parsed whole, these rows held the event loop for seconds and 1.7 GB of memory.
    assert.ok(stall < 1000, `the event loop stalled ${stall} ms`);
    // A larger file is not taken at all.
    const over = await upload(Buffer.alloc(10 * 1024 * 1024 + 1, 'a'), 'community=taoyuan&dryRun=true');
    assert.equal(over.statusCode, 413, over.body.slice(0, 200));
    assert.equal(over.json<ErrorBody>().error.code, 'payload_too_large');
  });

  it('names the line of the file a problem is on, as a spreadsheet numbers rows', async () => {
    const csv = [
      '', // a blank first line: the header is on line 2
      'name,phone,address',
      '甲,13911119001,地址1',
      '',
      '乙,1391111900X,地址2', // line 5, after a blank line
      '丙,13911119003,"地址3',
      '第二行"', // one record on lines 6 and 7
      '丁,1391111900Y,地址4', // line 8
      '戊,13911119001,地址5', // line 9: the phone of line 3
    ].join('\r\n');
    const problems = await dryRunProblems(csv);
    assert.deepEqual(
      problems.map((p) => [p.row, p.column]),
      [
        [5, 'phone'],
        [8, 'phone'],
        [9, 'phone'],
      ],
    );
    assert.match(problems[2]?.message ?? '', /also appears on row 3$/);
    const refused = await upload(csv, 'community=taoyuan');
    assert.deepEqual(
      refused
        .json<{ error: { details: { problems: { row: number }[] } } }>()
        .error.details.problems.map((p) => p.row),
      [5, 8, 9],
    );
  });

  it('refuses ID numbers, years, coordinates and phones that only look valid', async () => {
    const csv = [
      'name,address,id_number,birth_year,lat,lng,emergency_contact_phone',
      '丙,地址3,000000000000000000,,,,', // no area, no birth date
      '丁,地址4,11010119990230123X,,,,', // 30 February
      '戊,地址5,110101199003071234,1990,,,', // the check character is 3
      '己,地址6,110101199003071233,1991,,,', // born in 1990
      '庚,地址7,,0x7C6,0x16,0x71,-------',
      '辛,地址8,,1e3,1e1,113.9,1-2-3-4-5-6',
      '壬,地址9,11010519491231002x,1949,22.5585,+113.9425,0755-26601234', // all well
    ].join('\n');
    const problems = await dryRunProblems(csv);
    assert.deepEqual(
      problems.map((p) => [p.row, p.column]),
      [
        [2, 'id_number'],
        [3, 'id_number'],
        [4, 'id_number'],
        [5, 'birth_year'],
        [6, 'birth_year'],
        [6, 'lat'],
        [6, 'lng'],
        [6, 'emergency_contact_phone'],
        [7, 'birth_year'],
        [7, 'lat'],
        [7, 'lat'], // and so lng without lat
        [7, 'emergency_contact_phone'],
      ],
    );
    for (const id of ['000000000000000000', '11010119990230123X', '110101199003071234', '110101199003071233'])
      assert.ok(!problems.some((p) => p.message.includes(id)), `${id} is not echoed`);
  });

  /** The audit entries of imports into taoyuan after `seq`, as action and payload. */
  const importAudits = async (afterSeq: number) =>
    (
      await ctx.database.db
        .selectFrom('audit_entries')
        .select(['seq', 'action', 'actor', 'payload_json'])
        .where('community_id', '=', taoyuan())
        .where('action', 'like', 'residents.import%')
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .execute()
    ).map((e) => ({ action: e.action, actor: e.actor, payload: JSON.parse(e.payload_json) as unknown }));
  const auditHead = async () =>
    Number(
      (
        await ctx.database.db
          .selectFrom('audit_entries')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .where('community_id', '=', taoyuan())
          .executeTakeFirstOrThrow()
      ).seq,
    );

  it('does not let a role that sees phones masked import or dry-run, so it cannot unmask them', async () => {
    const manager = await ctx.login('manager');
    const list = await ctx.call('GET', '/api/v1/work-orders?limit=50', manager);
    const masked =
      list
        .json<{ items: { beneficiary: { phone: string | null } | null }[] }>()
        .items.find((o) => o.beneficiary?.phone)?.beneficiary?.phone ?? '';
    assert.match(masked, /^\d{3}\*{4}\d{4}$/);
    // The 10,000 numbers the mask may stand for, in one dry run.
    let csv = 'name,phone,address\n';
    for (let i = 0; i < 10_000; i++)
      csv += `x,${masked.slice(0, 3)}${String(i).padStart(4, '0')}${masked.slice(-4)},y\n`;
    const before = await auditHead();
    for (const role of ['manager', 'auditor', 'agent', 'dispatcher']) {
      const token = role === 'manager' ? manager : await ctx.login(role);
      for (const query of ['community=taoyuan&dryRun=true', 'community=taoyuan']) {
        const res = await upload(csv, query, token);
        assert.equal(res.statusCode, 403, `${role} ${query}: ${res.body.slice(0, 200)}`);
        assert.doesNotMatch(res.body, /already registered/);
      }
    }
    assert.equal(await auditHead(), before, 'a refused role learns nothing and writes nothing');
  });

  it('names a number registered in another community by row and column only', async () => {
    // 13800000002 is a resident of 龙珠, 13800000001 of 桃源 (the demo's).
    const res = await upload(
      'name,phone,address\n甲,13800000002,桃源村6栋\n乙,13800000001,桃源村6栋\n',
      'community=taoyuan&dryRun=true',
    );
    assert.equal(res.statusCode, 200, res.body);
    const { problems } = res.json<{ problems: { row: number; column: string; message: string }[] }>();
    assert.deepEqual(
      problems.map((p) => [p.row, p.column, p.message]),
      [
        [2, 'phone', 'this phone is already registered: one phone signs in as one resident'],
        [
          3,
          'phone',
          'this phone is already registered in this community: one phone signs in as one resident',
        ],
      ],
    );
    const longzhu = ctx.seed.communities[1];
    const other = await ctx.database.db
      .selectFrom('residents')
      .select(['name', 'id_number'])
      .where('phone', '=', '13800000002')
      .executeTakeFirstOrThrow();
    for (const secret of [
      '13800000002',
      '龙珠',
      'longzhu',
      longzhu?.id ?? '?',
      other.name,
      other.id_number ?? '?',
    ])
      assert.ok(!res.body.includes(secret), `${secret} is not in the answer`);
  });

  it('audits every import and dry run: rows, the file hash and the problem count, no personal data', async () => {
    const sha = (csv: string) => createHash('sha256').update(csv).digest('hex');
    const before = await auditHead();
    const clean = 'name,phone,address\n审计甲,13911117001,桃源村9栋\n审计乙,13911117002,桃源村9栋\n';
    const clash = 'name,phone,address\n审计丙,13800000002,桃源村9栋\n';
    const bad = 'name,phone,address\n审计丁,1391111700X,桃源村9栋\n';
    assert.equal((await upload(clean, 'community=taoyuan&dryRun=true')).statusCode, 200);
    assert.equal((await upload(clash, 'community=taoyuan')).statusCode, 400); // refused inside its transaction
    assert.equal((await upload(bad, 'community=taoyuan')).statusCode, 400); // refused before it
    assert.equal((await upload(clean, 'community=taoyuan')).statusCode, 200);
    // A file that cannot be read tells nothing about the register: not audited.
    assert.equal((await upload(Buffer.from([0, 1, 2]), 'community=taoyuan&dryRun=true')).statusCode, 400);
    const entries = await importAudits(before);
    assert.deepEqual(entries, [
      {
        action: 'residents.import_dry_run',
        actor: 'user:admin',
        payload: { rows: 2, problems: 0, sha256: sha(clean) },
      },
      {
        action: 'residents.import_refused',
        actor: 'user:admin',
        payload: { rows: 1, problems: 1, sha256: sha(clash) },
      },
      {
        action: 'residents.import_refused',
        actor: 'user:admin',
        payload: { rows: 1, problems: 1, sha256: sha(bad) },
      },
      {
        action: 'residents.imported',
        actor: 'user:admin',
        payload: { rows: 2, created: 2, households: 1, joined: 0, sha256: sha(clean) },
      },
    ]);
    const verify = await ctx.call(
      'GET',
      `/api/v1/audit/verify?community=taoyuan`,
      await ctx.login('auditor'),
    );
    assert.equal(verify.json<{ ok: boolean }>().ok, true, verify.body);
  });

  it('bounds imports and dry runs to 30 an hour for each person', async () => {
    const streetAdmin = await ctx.login('street_admin');
    const csv = 'name,address\n限流,桃源村10栋\n';
    for (let i = 0; i < 30; i++) {
      const res = await upload(csv, 'community=taoyuan&dryRun=true', streetAdmin);
      assert.equal(res.statusCode, 200, `run ${i + 1}: ${res.body}`);
    }
    const next = await upload(csv, 'community=taoyuan&dryRun=true', streetAdmin);
    assert.equal(next.statusCode, 429, next.body);
    assert.equal(next.json<ErrorBody>().error.code, 'rate_limited');
    // Counted per person: another admin still imports.
    assert.equal((await upload(csv, 'community=taoyuan&dryRun=true')).statusCode, 200);
  });

  it('reads an export a page at a time through the list cursor: orders of one instant neither skipped nor repeated', async () => {
    const db = ctx.database.db;
    const tmpl = await db
      .selectFrom('work_orders')
      .selectAll()
      .where('community_id', '=', taoyuan())
      .executeTakeFirstOrThrow();
    const at = '2025-06-01T00:00:00.000Z';
    await insertOrders(
      db,
      Array.from({ length: 7 }, (_, i) => ({
        ...tmpl,
        id: newId(Date.parse(at)),
        number: `TIE-${i}`,
        created_at: at,
        updated_at: at,
      })),
    );
    const viewer = {
      kind: 'user' as const,
      id: 'u-admin',
      username: 'admin',
      name: 'admin',
      role: 'admin' as const,
      communityIds: [taoyuan()],
      gridIds: [],
    };
    const paged: string[] = [];
    const sizes: number[] = [];
    for await (const page of exportPages(db, { communityIds: [taoyuan()] }, viewer, 3)) {
      sizes.push(page.length);
      paged.push(...page.map((o) => o.id));
    }
    const whole = await listOrders(db, { communityIds: [taoyuan()], limit: 1_000_000 });
    assert.deepEqual(
      paged,
      whole.map((o) => o.id),
    );
    assert.ok(sizes.every((n) => n <= 3) && sizes.length > 5, sizes.join());
  });

  it('exports every order when its people are more than one statement may bind', async () => {
    // One past the limit of the database in use: 32,766 parameters on SQLite, 65,535 on PostgreSQL.
    const distinct = postgres ? 65_536 : 32_767;
    await bulkOrders(distinct, distinct);
    const res = await ctx.call('GET', '/api/v1/work-orders/export.csv?community=taoyuan', admin);
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    const rows = csvRows(res.body);
    assert.equal(rows.length, await ordersOfTaoyuan());
    const named = rows.filter((r) => /,居民\d+,/.test(r)).length;
    assert.equal(named, distinct, 'each bulk order shows its own beneficiary');
  });

  it('exports every order, past the 100,000 rows it used to stop at, newest first and each once', async () => {
    const have = await ordersOfTaoyuan();
    if (have <= 100_000) await bulkOrders(100_001 - have, 0);
    const res = await ctx.call('GET', '/api/v1/work-orders/export.csv?community=taoyuan', admin);
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
    assert.ok(res.body.startsWith('\ufeffnumber,created_at,'), res.body.slice(0, 50));
    const rows = csvRows(res.body);
    assert.equal(rows.length, await ordersOfTaoyuan());
    const numbers = rows.map((r) => r.split(',')[0]);
    assert.equal(new Set(numbers).size, numbers.length, 'each order once');
    const created = rows.map((r) => r.split(',')[1] ?? '');
    assert.ok(
      created.every((t, i) => i === 0 || t <= (created[i - 1] ?? '')),
      'newest first',
    );
  });
});

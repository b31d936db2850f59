import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

interface Report {
  dryRun: boolean;
  format: string;
  rows: number;
  created: number;
  updated: number;
  problems: Array<{ row: number; column: string; message: string }>;
}
interface ErrorBody {
  error: { code: string; message: string; details: { field?: string; problems?: Report['problems'] } };
}

const HEADER =
  'code,name,type,categories,keywords,lat,lng,address,radius_m,service_area,capacity_concurrent,daily_quota,opening_hours,phone,rating,on_duty,emergency,skills,certificates,staff';
const BOWTIE = JSON.stringify({
  type: 'Polygon',
  coordinates: [
    [
      [113.94, 22.558],
      [113.945, 22.562],
      [113.945, 22.558],
      [113.94, 22.562],
      [113.94, 22.558],
    ],
  ],
}).replace(/"/g, '""');

const good = [
  `taoyuan-locksmith,桃源开锁换锁服务部,organisation,basic_living.property,开锁;换锁;钥匙,22.5604,113.9436,桃源村1栋旁,1500,,4,20,daily 08:00-20:00,0755-26600000,4.2,no,no,开锁,,taoyuan-water-electric-1`,
  `taoyuan-pest,桃源除虫灭鼠队,team,basic_living.sanitation,灭鼠;蟑螂;白蚁,22.5610,113.9440,,2000,,3,10,mon-fri 09:00-18:00; sat 09:00-12:00,,4,no,no,,有害生物防制员证@2029-01-31,`,
];
const bad = [
  `taoyuan-neg,负容量队,team,basic_living.property,维修,22.5604,113.9436,,1000,,-2,10,,,,no,no,,,`,
  `taoyuan-swapped,坐标颠倒点,place,basic_living.property,维修,113.9436,22.5604,,1000,,2,10,,,,no,no,,,`,
  `taoyuan-beijing,北京某服务点,place,basic_living.property,维修,39.9042,116.4074,,1000,,2,10,,,,no,no,,,`,
  `taoyuan-bowtie,自相交服务区,team,basic_living.property,维修,22.5604,113.9436,,,"${BOWTIE}",2,10,,,,no,no,,,`,
  `taoyuan-foreign,他社区人员,team,basic_living.property,维修,22.5604,113.9436,,1000,,2,10,,,,no,no,,,provider2`,
  `taoyuan-unknown,未知类别,team,basic_living.nonsense,维修,22.5604,113.9436,,1000,,2,10,,,,no,no,,,`,
];

describe('imports: resources (CSV/XLSX) and grids (GeoJSON), all or nothing with a dry run', () => {
  let ctx: TestContext;
  let manager: string;
  const count = async (): Promise<number> =>
    ((await ctx.call('GET', '/api/v1/resources?community=taoyuan', manager)).json() as { items: unknown[] })
      .items.length;
  const upload = (body: string | Buffer, query: string, type = 'text/csv') =>
    ctx.app.inject({
      method: 'POST',
      url: `/api/v1/resources/import?community=taoyuan${query}`,
      headers: { authorization: `Bearer ${manager}`, 'content-type': type },
      payload: body,
    });
  before(async () => {
    ctx = await createTestContext();
    manager = await ctx.login('manager');
  });
  after(() => ctx.close());

  it('a dry run reports what would happen and writes nothing', async () => {
    const before = await count();
    const res = await upload([HEADER, ...good].join('\n'), '&dryRun=true');
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json() as Report;
    assert.deepEqual([r.rows, r.created, r.updated, r.problems.length], [2, 2, 0, 0]);
    assert.equal(await count(), before);
  });

  it('names the row and column of every problem, and imports nothing when one row is bad', async () => {
    const before = await count();
    const csv = [HEADER, ...good, ...bad].join('\n');
    const dry = (await upload(csv, '&dryRun=true')).json() as Report;
    const at = (row: number) => dry.problems.filter((p) => p.row === row).map((p) => p.column);
    assert.deepEqual(at(4), ['capacity_concurrent'], 'negative capacity');
    assert.deepEqual(at(5), ['lat'], 'swapped coordinates');
    assert.match(dry.problems.find((p) => p.row === 5)?.message ?? '', /swapped/);
    assert.deepEqual(at(6), ['lat'], 'outside every community');
    assert.match(dry.problems.find((p) => p.row === 6)?.message ?? '', /outside every community/);
    assert.deepEqual(at(7), ['service_area'], 'self-intersecting service area');
    assert.match(dry.problems.find((p) => p.row === 7)?.message ?? '', /self_intersection/);
    assert.deepEqual(at(8), ['staff'], 'staff of another community');
    assert.deepEqual(at(9), ['categories'], 'unknown category');
    assert.deepEqual(at(2), []);

    const res = await upload(csv, '');
    assert.equal(res.statusCode, 400);
    const err = (res.json() as ErrorBody).error;
    assert.equal(err.code, 'validation_failed');
    assert.equal(err.details.problems?.length, dry.problems.length);
    assert.equal(await count(), before, 'nothing half-imported');
  });

  it('imports a valid CSV, then an XLSX that updates one row and adds another', async () => {
    const before = await count();
    const res = await upload([HEADER, ...good].join('\n'), '');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as Report).created, 2);
    assert.equal(await count(), before + 2);

    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('资源');
    ws.addRow(HEADER.split(','));
    ws.addRow(good[0]?.split(',').map((v, i) => (i === 10 ? '8' : v)));
    ws.addRow(
      'taoyuan-tailor,桃源缝补小铺,place,basic_living.appliance,缝补;改衣,22.5600,113.9430,,800,,2,8,24h,,4.5,no,no,,,'.split(
        ',',
      ),
    );
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const up = await upload(
      xlsx,
      '&fileName=resources.xlsx',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    assert.equal(up.statusCode, 200, up.body);
    const r = up.json() as Report;
    assert.deepEqual([r.format, r.created, r.updated], ['xlsx', 1, 1]);
    const list = (await ctx.call('GET', '/api/v1/resources?community=taoyuan', manager)).json() as {
      items: Array<{ code: string; capacity: { concurrent: number }; staff: Array<{ username: string }> }>;
    };
    const lock = list.items.find((x) => x.code === 'taoyuan-locksmith');
    assert.equal(lock?.capacity.concurrent, 8);
    assert.deepEqual(
      lock?.staff.map((s) => s.username),
      ['taoyuan-water-electric-1'],
    );
  });

  it('refuses bad resources through the API with the field named', async () => {
    const body = {
      code: 'taoyuan-api',
      name: 'API 测试点',
      type: 'place',
      categories: ['basic_living.property'],
      keywords: ['维修'],
      location: { lat: 22.5604, lng: 113.9436 },
      serviceArea: { kind: 'radius', radiusM: 1000 },
      capacity: { concurrent: 2, dailyQuota: 5 },
    };
    const neg = await ctx.call('POST', '/api/v1/resources?community=taoyuan', manager, {
      ...body,
      capacity: { concurrent: -1, dailyQuota: 5 },
    });
    assert.equal(neg.statusCode, 400);
    assert.equal((neg.json() as ErrorBody).error.details.field, 'capacity.concurrent');
    const longzhu = await ctx.database.db
      .selectFrom('communities')
      .select(['center_lat', 'center_lng'])
      .where('code', '=', 'longzhu')
      .executeTakeFirstOrThrow();
    const misplaced = await ctx.call('POST', '/api/v1/resources?community=taoyuan', manager, {
      ...body,
      location: { lat: longzhu.center_lat, lng: longzhu.center_lng },
    });
    assert.equal(misplaced.statusCode, 400);
    assert.equal((misplaced.json() as ErrorBody).error.details.field, 'location');
    assert.match((misplaced.json() as ErrorBody).error.message, /longzhu/);
    const ok = await ctx.call('POST', '/api/v1/resources?community=taoyuan', manager, body);
    assert.equal(ok.statusCode, 201, ok.body);
    const dispatcher = await ctx.login('dispatcher');
    const denied = await ctx.call('POST', '/api/v1/resources?community=taoyuan', dispatcher, {
      ...body,
      code: 'taoyuan-api-2',
    });
    assert.equal(denied.statusCode, 403);
  });
});

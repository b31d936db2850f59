import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { CsvError } from '../../src/platform/csv.ts';
import { tableFromCsv, tableReader } from '../../src/modules/matching/resource.sheet.ts';
import type { SheetLimits, SheetRow, Table } from '../../src/modules/matching/resource.sheet.ts';
import { isCalendarDate } from '../../src/modules/matching/resource.model.ts';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

const LAST_COLUMN = 16_384; // XFD

/** Rows held as maps of column → text, counting every cell read. */
function fakeRows(cells: Map<number, Map<number, string>>): { rows: SheetRow[]; reads: () => number } {
  let reads = 0;
  const rows = [...cells.keys()]
    .sort((a, b) => a - b)
    .map((r): SheetRow => {
      const row = cells.get(r) ?? new Map<number, string>();
      return {
        width: Math.max(0, ...row.keys()),
        text: (col) => {
          reads++;
          return row.get(col) ?? '';
        },
      };
    });
  return { rows, reads: () => reads };
}

/** Feeds rows to a `tableReader` as the XLSX reader does, counting in `seen` the rows handed over. */
function readRows(
  rows: readonly SheetRow[],
  fileName: string,
  limits?: SheetLimits,
  seen = { rows: 0 },
): Table {
  const reader = tableReader(fileName, limits);
  for (const row of rows) {
    seen.rows++;
    reader.add(row);
  }
  return reader.table();
}

const refusal = (fn: () => unknown): CsvError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof CsvError) return err;
    throw err;
  }
  assert.fail('expected a CsvError');
};

describe('resource import: sheet limits (pure)', () => {
  it('refuses a header that runs to the last column after one read, not one per cell of the sheet', () => {
    const cells = new Map<number, Map<number, string>>();
    for (let r = 1; r <= 200; r++)
      cells.set(
        r,
        new Map([
          [1, `a${r}`],
          [LAST_COLUMN, 'x'],
        ]),
      );
    const sheet = fakeRows(cells);
    const seen = { rows: 0 };
    const err = refusal(() => readRows(sheet.rows, 'w.xlsx', undefined, seen));
    assert.equal(err.code, 'too_many_columns');
    assert.match(err.message, /^w\.xlsx: .*16384.*at most 100 columns/);
    assert.ok(sheet.reads() <= 1, `${sheet.reads()} cells read`);
    assert.equal(seen.rows, 1, 'stopped at the header');
  });

  it('reads only the header columns of each row, however far a row runs', () => {
    const cells = new Map<number, Map<number, string>>([
      [
        1,
        new Map([
          [1, 'code'],
          [2, 'name'],
          [LAST_COLUMN, ''],
        ]),
      ],
    ]);
    for (let r = 2; r <= 201; r++)
      cells.set(
        r,
        new Map([
          [1, `c${r}`],
          [2, ` n${r} `],
          [LAST_COLUMN, 'x'],
        ]),
      );
    const sheet = fakeRows(cells);
    const t = readRows(sheet.rows, 'w.xlsx');
    assert.deepEqual(t.header, ['code', 'name']);
    assert.equal(t.records.length, 200);
    assert.deepEqual(t.records[0], { code: 'c2', name: 'n2' });
    // The header row is scanned back from its end once, its two names read; data rows cost two reads each.
    assert.ok(sheet.reads() <= LAST_COLUMN + 2 + 200 * 2, `${sheet.reads()} cells read`);
  });

  it('refuses the first row beyond the limit without reading it, and skips rows empty in the header columns', () => {
    const cells = new Map<number, Map<number, string>>([[1, new Map([[1, 'code']])]]);
    for (let r = 2; r <= 40; r++) cells.set(r, new Map([[1, `c${r}`]]));
    const sheet = fakeRows(cells);
    const seen = { rows: 0 };
    const err = refusal(() => readRows(sheet.rows, 'big.xlsx', { maxRows: 10, maxColumns: 5 }, seen));
    assert.equal(err.code, 'too_many_rows');
    assert.match(err.message, /^big\.xlsx: more than 10 data rows; .*at most 10/);
    assert.equal(seen.rows, 12, 'the header, 10 rows and the one refused');
    assert.equal(sheet.reads(), 2 + 10, 'the header cell (found, then read) and one cell per allowed row');
    const ten = new Map([...cells].filter(([r]) => r <= 11));
    ten.set(5, new Map([[3, 'beyond the header']]));
    assert.equal(readRows(fakeRows(ten).rows, 'ok.xlsx', { maxRows: 10, maxColumns: 5 }).records.length, 9);
    assert.equal(refusal(() => readRows([], 'none.xlsx')).code, 'csv_empty');
  });

  it('caps CSV rows and header width too, and drops empty trailing header columns', () => {
    const rows = (n: number) =>
      ['code,name', ...Array.from({ length: n }, (_, i) => `c${i},n${i}`)].join('\n');
    assert.equal(tableFromCsv(rows(10_000), 'ok.csv').records.length, 10_000);
    const err = refusal(() => tableFromCsv(rows(10_001), 'big.csv'));
    assert.equal(err.code, 'too_many_rows');
    assert.match(err.message, /^big\.csv: more than 10000 data rows/);
    const wide = refusal(() => tableFromCsv(`${'h,'.repeat(100)}last\n1`, 'wide.csv'));
    assert.equal(wide.code, 'too_many_columns');
    const t = tableFromCsv(`code,name${','.repeat(5000)}\nc1,n1`, 'trailing.csv');
    assert.deepEqual(t.header, ['code', 'name']);
    assert.deepEqual(t.records, [{ code: 'c1', name: 'n1' }]);
    assert.equal(refusal(() => tableFromCsv('code,code\n1,2', 'dup.csv')).code, 'csv_duplicate_column');
  });

  it('refuses a CSV row with fields past the header (an unquoted comma would have lost them), naming the row', () => {
    const err = refusal(() =>
      tableFromCsv('code,address\nr1,桃源村\nr2,深圳市南山区桃源街道,桃源村2栋旁\n', 'res.csv'),
    );
    assert.equal(err.code, 'csv_extra_fields');
    assert.match(
      err.message,
      /^res\.csv: row 3 has 3 fields but the header has 2 columns \(extra: "桃源村2栋旁"\)/,
    );
    // Empty trailing fields lose nothing.
    assert.deepEqual(tableFromCsv('code,address\nr1,桃源村,,\n', 'ok.csv').records, [
      { code: 'r1', address: '桃源村' },
    ]);
  });

  it('knows a real calendar date', () => {
    for (const d of ['2026-02-28', '2028-02-29', '2026-12-31']) assert.equal(isCalendarDate(d), true, d);
    for (const d of ['2026-02-31', '2026-02-29', '2026-13-01', '2026-00-10', '2026-1-1', '31/01/2026', ''])
      assert.equal(isCalendarDate(d), false, d);
  });
});

interface ErrorBody {
  error: { code: string; message: string; details: { field?: string; file?: string; issues?: unknown[] } };
}

describe('imports and capability: input that must be refused', () => {
  let ctx: TestContext;
  let manager: string;
  const upload = (body: Buffer | string, query: string, type = 'application/octet-stream') =>
    ctx.app.inject({
      method: 'POST',
      url: `/api/v1/resources/import?community=taoyuan${query}`,
      headers: { authorization: `Bearer ${manager}`, 'content-type': type },
      payload: body,
    });
  const xlsx = async (fill: (ws: ExcelJS.Worksheet) => void): Promise<Buffer> => {
    const wb = new ExcelJS.Workbook();
    fill(wb.addWorksheet('resources'));
    return Buffer.from(await wb.xlsx.writeBuffer());
  };
  before(async () => {
    ctx = await createTestContext();
    manager = await ctx.login('manager');
  });
  after(() => ctx.close());

  it('refuses an XLSX whose rows run to column XFD, naming the file', async () => {
    const file = await xlsx((ws) => {
      for (let r = 1; r <= 200; r++) {
        ws.getCell(r, 1).value = r === 1 ? 'code' : `c${r}`;
        ws.getCell(r, LAST_COLUMN).value = 'x';
      }
    });
    assert.ok(file.length < 20_000, `${file.length} bytes`);
    const res = await upload(file, '&dryRun=true&fileName=w.xlsx');
    assert.equal(res.statusCode, 400, res.body);
    const body = res.json() as ErrorBody;
    assert.equal(body.error.code, 'invalid_input');
    assert.equal(body.error.details.file, 'w.xlsx');
    assert.match(body.error.message, /w\.xlsx: the header runs to column 16384; .*at most 100 columns/);
  });

  it('reads an XLSX by its header when stray cells sit in column XFD', async () => {
    const header = ['code', 'name', 'type', 'categories', 'lat', 'lng', 'capacity_concurrent', 'daily_quota'];
    const file = await xlsx((ws) => {
      ws.addRow(header);
      for (let i = 0; i < 3; i++) {
        ws.addRow([
          `taoyuan-wide-${i}`,
          `宽表资源${i}`,
          'team',
          'basic_living.property',
          22.5604,
          113.9436,
          2,
          10,
        ]);
        ws.getCell(i + 2, LAST_COLUMN).value = 'stray';
      }
    });
    const res = await upload(file, '&dryRun=true&fileName=wide.xlsx');
    assert.equal(res.statusCode, 200, res.body);
    const r = res.json() as { format: string; rows: number; created: number; problems: unknown[] };
    assert.deepEqual([r.format, r.rows, r.created, r.problems], ['xlsx', 3, 3, []]);
  });

  it('refuses a CSV of more than 10,000 data rows', async () => {
    const csv = ['code,name', ...Array.from({ length: 10_001 }, (_, i) => `c${i},n${i}`)].join('\n');
    const res = await upload(csv, '&dryRun=true&fileName=big.csv', 'text/csv');
    assert.equal(res.statusCode, 400, res.body);
    assert.match((res.json() as ErrorBody).error.message, /big\.csv: more than 10000 data rows/);
  });

  it('refuses grid codes and names that are not text, and imports nothing', async () => {
    const c = await ctx.database.db
      .selectFrom('communities')
      .select(['center_lat', 'center_lng'])
      .where('code', '=', 'taoyuan')
      .executeTakeFirstOrThrow();
    const [lat, lng, d] = [c.center_lat, c.center_lng, 0.0005];
    const ring = [
      [lng - d, lat - d],
      [lng + d, lat - d],
      [lng + d, lat + d],
      [lng - d, lat + d],
      [lng - d, lat - d],
    ];
    const collection = (properties: Record<string, unknown>) => ({
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties, geometry: { type: 'Polygon', coordinates: [ring] } }],
    });
    const url = '/api/v1/grids/import?community=taoyuan';
    const res = await ctx.call('POST', url, manager, collection({ code: { a: 1 }, name: { b: 2 } }));
    assert.equal(res.statusCode, 400, res.body);
    const body = res.json() as ErrorBody;
    assert.equal(body.error.code, 'validation_failed');
    assert.equal(body.error.details.field, 'features[0].properties.code');
    const paths = (body.error.details.issues as Array<{ path: string }>).map((i) => i.path);
    assert.deepEqual(paths, ['features[0].properties.code', 'features[0].properties.name']);
    for (const props of [
      { code: 7.5, name: 'n' },
      { code: true, name: 'n' },
      { code: '  ', name: 'n' },
      { code: 'g', name: 'x'.repeat(201) },
    ]) {
      const dry = await ctx.call('POST', `${url}&dryRun=true`, manager, collection(props));
      assert.equal(dry.statusCode, 200, dry.body);
      const r = dry.json() as { ok: boolean; created: string[]; issues: Array<{ path: string }> };
      assert.equal(r.ok, false, JSON.stringify(props));
      assert.deepEqual(r.created, []);
      assert.match(r.issues[0]?.path ?? '', /^features\[0\]\.properties\.(code|name)$/);
    }
    const grids = await ctx.database.db.selectFrom('grids').select('code').execute();
    assert.ok(!grids.some((g) => g.code === '[object Object]'), 'nothing imported');
    const good = await ctx.call(
      'POST',
      `${url}&dryRun=true`,
      manager,
      collection({ code: 'g-ok', name: '好网格' }),
    );
    assert.deepEqual((good.json() as { created: string[] }).created, ['g-ok']);
    // A whole-number code, as GIS exports often have, is kept as its text.
    const numeric = await ctx.call(
      'POST',
      `${url}&dryRun=true`,
      manager,
      collection({ code: 101, name: '一〇一网格' }),
    );
    assert.deepEqual((numeric.json() as { created: string[] }).created, ['101']);
  });

  it('refuses staff duty hours that are not HH:MM and certificate dates that do not exist', async () => {
    const user = await ctx.database.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', 'provider')
      .executeTakeFirstOrThrow();
    const put = (body: unknown) => ctx.call('PUT', `/api/v1/staff/${user.id}/capability`, manager, body);
    const fieldOf = (res: { json(): unknown }) => (res.json() as ErrorBody).error.details.field;
    const hours = await put({
      skills: [],
      certificates: [],
      dutyHours: { mon: [{ open: 'zz:zz', close: '!' }] },
    });
    assert.equal(hours.statusCode, 400, hours.body);
    assert.equal(fieldOf(hours), 'dutyHours.mon[0].open');
    assert.match(hours.body, /dutyHours\.mon\[0\]\.close/);
    const late = await put({
      skills: [],
      certificates: [],
      dutyHours: { tue: [{ open: '08:00', close: '24:60' }] },
    });
    assert.equal(fieldOf(late), 'dutyHours.tue[0].close');
    const date = await put({
      skills: [],
      certificates: [{ name: '电工证', expiresOn: '2026-02-31' }],
      dutyHours: null,
    });
    assert.equal(date.statusCode, 400, date.body);
    assert.equal(fieldOf(date), 'certificates[0].expiresOn');
    const ok = await put({
      skills: ['水电维修'],
      certificates: [{ name: '电工证', expiresOn: '2028-02-29' }],
      dutyHours: { mon: [{ open: '00:00', close: '24:00' }], sat: [{ open: '22:00', close: '06:00' }] },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual((ok.json() as { dutyHours: { mon: unknown[] } }).dutyHours.mon, [
      { open: '00:00', close: '24:00' },
    ]);
  });
});

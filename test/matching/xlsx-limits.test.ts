import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { CsvError } from '../../src/platform/csv.ts';
import { readSheet } from '../../src/modules/matching/resource.import.ts';
import type { XlsxOptions } from '../../src/modules/matching/resource.xlsx.ts';
import { utf8End } from '../../src/modules/matching/resource.xlsx-parts.ts';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';
import { rowXml, sharedStringsXml, sheetXml, xlsxBook, zip } from './xlsx-zip.ts';

const SHEET = 'xl/worksheets/sheet1.xml';
/** Excel's part order: the sheets before the shared strings. */
const EXCEL_ORDER = [
  '[Content_Types].xml',
  '_rels/.rels',
  'xl/workbook.xml',
  'xl/_rels/workbook.xml.rels',
  SHEET,
  'xl/sharedStrings.xml',
];

/** Reads with a probe counting the rows handed over and the sheet bytes inflated. */
async function probed(file: Buffer, fileName: string, options: XlsxOptions = {}) {
  const seen = { rows: 0, sheetBytes: 0, ms: 0 };
  const started = performance.now();
  let error: CsvError | undefined;
  let table: Awaited<ReturnType<typeof readSheet>> | undefined;
  try {
    table = await readSheet(file, fileName, {
      ...options,
      probe: {
        row: () => seen.rows++,
        inflated: (part, bytes) => {
          if (part === SHEET) seen.sheetBytes += bytes;
        },
      },
    });
  } catch (err) {
    if (!(err instanceof CsvError)) throw err;
    error = err;
  }
  seen.ms = performance.now() - started;
  return { seen, error, table };
}

/** A sheet of `rows` rows after a header, each of two shared-string cells. */
function sharedStringSheet(rows: number): string {
  const xml: string[] = [];
  for (let r = 1; r <= rows + 1; r++)
    xml.push(
      `<row r="${r}"><c r="A${r}" t="s"><v>${r === 1 ? 0 : 2}</v></c><c r="B${r}" t="s"><v>1</v></c></row>`,
    );
  return sheetXml(xml.join(''));
}

const inlineSheet = (rows: number): string =>
  sheetXml(
    [
      rowXml(1, ['code', 'name']),
      ...Array.from({ length: rows }, (_, i) => rowXml(i + 2, [`c${i}`, `n${i}`])),
    ].join(''),
  );

describe('resource import: XLSX read as a stream, within limits', () => {
  it('refuses a sheet of 10,001 data rows at the row after the limit, reading no further', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('resources');
    ws.addRow(['code', 'name']);
    for (let i = 0; i < 12_000; i++) ws.addRow([`c${i}`, `名${i % 7}`]);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const { seen, error } = await probed(file, 'big.xlsx');
    assert.equal(error?.code, 'too_many_rows');
    assert.match(error?.message ?? '', /^big\.xlsx: more than 10000 data rows; .*at most 10000/);
    // The header, 10,000 data rows and the one refused: not the 12,000 the sheet holds.
    assert.equal(seen.rows, 1 + 10_000 + 1);
  });

  it('refuses a small archive that inflates to a huge sheet after inflating a bounded part of it', async () => {
    const sheet = sharedStringSheet(200_000);
    const file = xlsxBook({
      sheets: [sheet],
      sharedStrings: sharedStringsXml(['code', 'name', 'c']),
      order: EXCEL_ORDER,
    });
    assert.ok(
      file.length < 2_000_000 && Buffer.byteLength(sheet) > 15_000_000,
      `${file.length} → ${sheet.length}`,
    );
    const { seen, error } = await probed(file, 'bomb.xlsx');
    assert.equal(error?.code, 'too_many_rows', error?.message);
    assert.match(error?.message ?? '', /^bomb\.xlsx: more than 10000 data rows/);
    assert.ok(seen.rows <= 10_000 + 2, `${seen.rows} rows read`);
    // The sheet is read as it inflates (not spooled whole first): a few rows' worth past the limit.
    assert.ok(
      seen.sheetBytes > 0 && seen.sheetBytes < 2_000_000,
      `${seen.sheetBytes} of ${sheet.length} bytes inflated`,
    );
  });

  it('refuses a sheet or shared strings larger than the limit before inflating any of it', async () => {
    const sheet = inlineSheet(2_000);
    const file = xlsxBook({ sheets: [sheet], order: EXCEL_ORDER.slice(0, 5) });
    const small = await probed(file, 'wide.xlsx', {
      xlsx: { maxSheetBytes: 100_000, maxSharedStringsBytes: 100_000, maxWorkbookBytes: 10_000 },
    });
    assert.equal(small.error?.code, 'xlsx_too_large');
    assert.match(
      small.error?.message ?? '',
      /^wide\.xlsx: xl\/worksheets\/sheet1\.xml inflates to \d+ bytes; .*at most 100000 bytes/,
    );
    assert.deepEqual([small.seen.rows, small.seen.sheetBytes], [0, 0]);
    // The default limit, against the size the archive states.
    const stated = xlsxBook({ sheets: [sheet], parts: { [SHEET]: { declaredSize: 65 * 1024 * 1024 } } });
    const big = await probed(stated, 'big.xlsx');
    assert.equal(big.error?.code, 'xlsx_too_large');
    assert.match(big.error?.message ?? '', /inflates to 65 MiB; an import reads at most 64 MiB/);
    assert.deepEqual([big.seen.rows, big.seen.sheetBytes], [0, 0]);
    const strings = xlsxBook({
      sheets: [sharedStringSheet(3)],
      sharedStrings: sharedStringsXml(['code', 'name', 'x'.repeat(2_000)]),
    });
    const many = await probed(strings, 's.xlsx', {
      xlsx: { maxSheetBytes: 100_000, maxSharedStringsBytes: 1_000, maxWorkbookBytes: 10_000 },
    });
    assert.equal(many.error?.code, 'xlsx_too_large');
    assert.match(many.error?.message ?? '', /xl\/sharedStrings\.xml inflates to/);
  });

  it('cuts off a part that inflates beyond its stated size, and refuses it', async () => {
    const sheet = inlineSheet(5_000);
    const file = xlsxBook({ sheets: [sheet], parts: { [SHEET]: { declaredSize: 64 * 1024 } } });
    const { seen, error } = await probed(file, 'liar.xlsx');
    assert.equal(error?.code, 'xlsx_unreadable');
    assert.match(
      error?.message ?? '',
      /^liar\.xlsx: xl\/worksheets\/sheet1\.xml inflates beyond its stated size/,
    );
    assert.ok(seen.sheetBytes <= 64 * 1024, `${seen.sheetBytes} bytes inflated`);
    assert.ok(seen.rows < 5_000, `${seen.rows} rows read`);
  });

  it('refuses a part shorter than stated or corrupt, without waiting for bytes that never come', async () => {
    const sheet = inlineSheet(50);
    const short = xlsxBook({
      sheets: [sheet],
      parts: { [SHEET]: { declaredSize: Buffer.byteLength(sheet) + 10_000 } },
    });
    const a = await probed(short, 'short.xlsx');
    assert.equal(a.error?.code, 'xlsx_unreadable');
    assert.match(a.error?.message ?? '', /shorter than its stated size/);
    const good = xlsxBook({ sheets: [sheet] });
    const at = good.indexOf(Buffer.from(SHEET)) + SHEET.length + 10;
    const corrupt = Buffer.from(good);
    corrupt.fill(0xff, at, at + 40);
    const b = await probed(corrupt, 'corrupt.xlsx');
    assert.equal(b.error?.code, 'xlsx_unreadable');
    assert.match(b.error?.message ?? '', /^corrupt\.xlsx: /);
    const badBook = zip([
      { name: 'xl/workbook.xml', data: '<workbook><sheets><sheet r:id="x"' },
      { name: 'xl/_rels/workbook.xml.rels', data: '<Relationships/>' },
      { name: SHEET, data: sheet },
    ]);
    for (const bytes of [
      Buffer.from('PK\x03\x04 not a zip at all'),
      good.subarray(0, good.length - 30),
      badBook,
    ]) {
      assert.equal((await probed(bytes, 'cut.xlsx')).error?.code, 'xlsx_unreadable');
    }
  });

  it('reads the first sheet in tab order, with or without shared strings, in any part order', async () => {
    const first = sheetXml(
      [rowXml(1, ['code', 'name']), rowXml(2, ['a', '甲']), rowXml(4, ['b', '乙'])].join(''),
    );
    const other = sheetXml(rowXml(1, ['other']));
    const inline = await probed(xlsxBook({ sheets: [other, first], tabs: [2, 1] }), 'tabs.xlsx');
    assert.equal(inline.error, undefined);
    assert.deepEqual(inline.table?.records, [
      { code: 'a', name: '甲' },
      { code: 'b', name: '乙' },
    ]);
    const shared = await probed(
      xlsxBook({
        sheets: [sharedStringSheet(3)],
        sharedStrings: sharedStringsXml(['code', 'name', 'c_x000D_d']),
        order: EXCEL_ORDER,
      }),
      'shared.xlsx',
    );
    assert.deepEqual(shared.table?.header, ['code', 'name']);
    assert.equal(shared.table?.records.length, 3);
    // Excel's escape for characters XML cannot hold, decoded as ExcelJS's whole-file reader does.
    assert.deepEqual(shared.table?.records[0], { code: 'c\rd', name: 'name' });
  });

  it('keeps characters whole where the inflated bytes are split into chunks', async () => {
    const names = Array.from({ length: 3_000 }, (_, i) => `资源名称${i}号`);
    const rows = [`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>`];
    names.forEach((_, i) =>
      rows.push(
        rowXml(i + 2, [`c${i}`]).replace('</row>', `<c r="B${i + 2}" t="s"><v>${i + 2}</v></c></row>`),
      ),
    );
    const file = xlsxBook({
      sheets: [sheetXml(rows.join(''))],
      sharedStrings: sharedStringsXml(['code', 'name', ...names]),
      order: EXCEL_ORDER,
    });
    const { table, error } = await probed(file, 'names.xlsx');
    assert.equal(error, undefined, error?.message);
    assert.deepEqual(
      table?.records.map((r) => r.name),
      names,
    );
    const bytes = Buffer.from('a资😀');
    assert.deepEqual(
      [7, 6, 5, 4, 3, 2, 1].map((n) => utf8End(bytes.subarray(0, n))),
      [4, 4, 4, 4, 1, 1, 1],
    );
    assert.equal(utf8End(bytes), 8);
  });

  it('reads what ExcelJS writes: numbers, booleans, formulas, rich text, only the first sheet', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('资源');
    ws.addRow(['code', 'lat', 'on_duty', 'f', 'name']);
    ws.addRow([
      ' c1 ',
      22.5604,
      true,
      { formula: 'B2*2', result: 45.1208 },
      { richText: [{ text: '桃' }, { text: '源' }] },
    ]);
    ws.addRow([]);
    ws.addRow(['c3', 113.9436, false, null, 'x & <y>']);
    wb.addWorksheet('notes').addRow(['ignored']);
    const { table, error } = await probed(Buffer.from(await wb.xlsx.writeBuffer()), 'book.xlsx');
    assert.equal(error, undefined);
    assert.deepEqual(table, {
      format: 'xlsx',
      header: ['code', 'lat', 'on_duty', 'f', 'name'],
      records: [
        { code: 'c1', lat: '22.5604', on_duty: 'true', f: '45.1208', name: '桃源' },
        { code: 'c3', lat: '113.9436', on_duty: 'false', f: '', name: 'x & <y>' },
      ],
    });
  });
});

describe('resource import API: an oversized XLSX is refused whole', () => {
  let ctx: TestContext;
  let manager: string;
  before(async () => {
    ctx = await createTestContext();
    manager = await ctx.login('manager');
  });
  after(() => ctx.close());

  it('answers 400 naming the file and the limit, and writes nothing', async () => {
    const header = ['code', 'name', 'type', 'categories', 'lat', 'lng', 'capacity_concurrent', 'daily_quota'];
    const rows = [rowXml(1, header)];
    for (let i = 0; i < 10_001; i++)
      rows.push(
        rowXml(i + 2, [
          `bulk-${i}`,
          `批量${i}`,
          'team',
          'basic_living.property',
          '22.5604',
          '113.9436',
          '2',
          '10',
        ]),
      );
    const file = xlsxBook({ sheets: [sheetXml(rows.join(''))] });
    const count = async (): Promise<number> =>
      (
        (await ctx.call('GET', '/api/v1/resources?community=taoyuan', manager)).json() as {
          items: unknown[];
        }
      ).items.length;
    const before = await count();
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/resources/import?community=taoyuan&fileName=bulk.xlsx',
      headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/octet-stream' },
      payload: file,
    });
    assert.equal(res.statusCode, 400, res.body);
    const body = res.json() as { error: { code: string; message: string; details: { file?: string } } };
    assert.equal(body.error.code, 'invalid_input');
    assert.equal(body.error.details.file, 'bulk.xlsx');
    assert.match(body.error.message, /^bulk\.xlsx: more than 10000 data rows; an import takes at most 10000/);
    assert.equal(await count(), before);
  });
});

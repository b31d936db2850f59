/**
 * A residents CSV as a spreadsheet saves it, through the API: a comma after the header's last
 * column and rows of commas only are read as the command line reads them (the header's empty
 * last column is none, the empty rows are skipped and counted), not refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../helpers.ts';
import type { TestContext } from '../helpers.ts';

const SHEET = [
  'name,phone,address,',
  '周一,13911120001,深圳市南山区桃源街道桃源村7栋101室,',
  ',,,',
  '周二,13911120002,深圳市南山区桃源街道桃源村7栋102室,',
  ',,,',
  ',,,',
].join('\r\n');

describe('residents import: a spreadsheet’s trailing comma and empty rows', () => {
  let ctx: TestContext;
  let admin: string;
  before(async () => {
    ctx = await createTestContext({ orders: 2 });
    admin = await ctx.login('admin');
  });
  after(() => ctx.close());

  const upload = (csv: string, query: string) =>
    ctx.app.inject({
      method: 'POST',
      url: `/api/v1/residents/import?${query}`,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv' },
      payload: csv,
    });

  it('a dry run and the import take the rows, skipping the empty ones and saying how many', async () => {
    const dry = await upload(SHEET, 'community=taoyuan&dryRun=true');
    assert.equal(dry.statusCode, 200, dry.body);
    const d = dry.json() as { rows: number; skippedEmptyRows: number; problems: unknown[] };
    assert.deepEqual([d.rows, d.skippedEmptyRows, d.problems], [2, 3, []]);
    const done = await upload(SHEET, 'community=taoyuan');
    assert.equal(done.statusCode, 200, done.body);
    const r = done.json() as { created: number; skippedEmptyRows: number };
    assert.deepEqual([r.created, r.skippedEmptyRows], [2, 3]);
  });

  it('a field under the empty header name is still refused, naming its row', async () => {
    const res = await upload(
      'name,phone,address,\n周三,13911120003,桃源村7栋103室,多余\n',
      'community=taoyuan',
    );
    assert.equal(res.statusCode, 400, res.body);
    const problems = (res.json() as { error: { details: { problems: { row: number; message: string }[] } } })
      .error.details.problems;
    assert.equal(problems[0]?.row, 2);
    assert.match(problems[0]?.message ?? '', /4 fields but the header has 3 columns \(extra: "多余"\)/);
  });
});

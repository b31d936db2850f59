import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell } from './work-order.export.ts';

test('an export cell never starts a spreadsheet formula, and quotes what CSV needs quoted', () => {
  for (const lead of ['=', '+', '-', '@', '\t', '\r']) {
    const out = csvCell(`${lead}SUM(1,2)`);
    assert.ok(out.startsWith("'") || out.startsWith(`"'`), JSON.stringify(out));
  }
  assert.equal(csvCell('\t=1+2'), "'\t=1+2");
  assert.equal(csvCell('\r=1+3'), `"'\r=1+3"`);
  assert.equal(csvCell('楼道灯坏了'), '楼道灯坏了');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('说"快点"'), '"说""快点"""');
  assert.equal(csvCell(-3), '-3', 'numbers are numbers');
  assert.equal(csvCell(null), '');
});

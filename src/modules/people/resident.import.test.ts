import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RESIDENT_CSV_COLUMNS, validateResidentRows } from './resident.import.ts';

describe('validateResidentRows', () => {
  it('an unknown column is refused with the list of the columns the import knows', () => {
    const { problems } = validateResidentRows({ header: ['姓名', '电话', '地址'], rows: [] }, 2026);
    const unknown = problems.filter((p) => p.message.startsWith('unknown column'));
    assert.deepEqual(
      unknown.map((p) => p.column),
      ['姓名', '电话', '地址'],
    );
    for (const p of unknown)
      assert.ok(p.message.includes(`the columns are: ${RESIDENT_CSV_COLUMNS.join(', ')}`), p.message);
  });

  it('an invalid phone is reported once per row, not again as a duplicate of itself', () => {
    const rows = [
      { name: '甲', address: '1栋', phone: '12345' },
      { name: '乙', address: '1栋', phone: '12345' },
      { name: '丙', address: '2栋', phone: '13900000001' },
      { name: '丁', address: '2栋', phone: '13900000001' },
    ];
    const { problems } = validateResidentRows({ header: ['name', 'address', 'phone'], rows }, 2026);
    assert.deepEqual(
      problems.map((p) => [p.row, p.column, p.message]),
      [
        [2, 'phone', '"12345" is not an 11-digit mobile number'],
        [3, 'phone', '"12345" is not an 11-digit mobile number'],
        [5, 'phone', 'phone 13900000001 also appears on row 4'],
      ],
    );
  });

  it('names the line each row starts on when it is given, and the header line for the file', () => {
    const sheet = {
      header: ['name', 'address', 'phone'],
      rows: [
        { name: '甲', address: '1栋', phone: '13900000001' },
        { name: '', address: '1栋', phone: '' },
        { name: '丙', address: '2栋', phone: '13900000001' },
      ],
      lines: [3, 5, 9],
      headerLine: 2,
    };
    assert.deepEqual(
      validateResidentRows(sheet, 2026).problems.map((p) => [p.row, p.column, p.message]),
      [
        [5, 'name', 'name is empty'],
        [9, 'phone', 'phone 13900000001 also appears on row 3'],
      ],
    );
    assert.deepEqual(
      validateResidentRows({ ...sheet, header: ['name'] }, 2026).problems.map((p) => p.row),
      [2],
    );
    assert.deepEqual(
      validateResidentRows({ ...sheet, rows: [], lines: [] }, 2026).problems.map((p) => [p.row, p.message]),
      [[3, 'the file has no data rows']],
    );
  });
});

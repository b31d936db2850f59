import { test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import fc from 'fast-check';
import { CsvError, decodeTextFile, parseCsv, parseCsvRecords, readCsv, recordsToCsv, toCsv } from './csv.ts';

test('parses quoted fields with commas, quotes and newlines', () => {
  const text = 'a,b,c\n"x, y","he said ""hi""","line1\nline2"\n';
  assert.deepEqual(parseCsv(text), [
    ['a', 'b', 'c'],
    ['x, y', 'he said "hi"', 'line1\nline2'],
  ]);
});

test('handles CRLF, BOM, blank lines and a missing final newline', () => {
  const text = '\uFEFFtext,label\r\n你好,a\r\n\r\n"多行\r\n内容",b';
  assert.deepEqual(parseCsv(text), [
    ['text', 'label'],
    ['你好', 'a'],
    ['多行\r\n内容', 'b'],
  ]);
});

test('keeps empty fields and rows of empty fields', () => {
  assert.deepEqual(parseCsv('a,,c\n,\n""\n'), [['a', '', 'c'], ['', ''], ['']]);
});

test('an unterminated quote is an error naming the line', () => {
  assert.throws(
    () => parseCsv('a,b\n1,"open\n2,3', { fileName: 'x.csv' }),
    (e: unknown) => e instanceof CsvError && e.code === 'csv_unterminated_quote' && /line 2/.test(e.message),
  );
});

test('records: header keyed rows, short rows padded, empty file rejected', () => {
  const r = parseCsvRecords(' text , label\n修水管,basic_living\n只有文本\n');
  assert.deepEqual(r.header, ['text', 'label']);
  assert.deepEqual(r.rows, [
    { text: '修水管', label: 'basic_living' },
    { text: '只有文本', label: '' },
  ]);
  assert.throws(
    () => parseCsvRecords('', { fileName: 'empty.csv' }),
    (e: unknown) => e instanceof CsvError && e.code === 'csv_empty' && e.message.includes('empty.csv'),
  );
  assert.throws(() => parseCsvRecords('a,a\n1,2'), /appears twice/);
});

test('records: fields past the header are kept apart, not dropped', () => {
  const r = parseCsvRecords(
    'name,phone,address\n吴1,13900000051,桃源村一区,5栋302\n吴2,13900000052,"桃源村一区,5栋303"\n',
  );
  assert.deepEqual(r.rows[0], { name: '吴1', phone: '13900000051', address: '桃源村一区' });
  assert.deepEqual(r.extras, [['5栋302'], []]);
});

test('maxRows: reading stops after that many rows, and says whether there are more', () => {
  // What lies past the rows read is not parsed: an unterminated quote there is no error.
  const text = 'a,b\n1,2\n\n3,4\n5,"open\n6,7\n';
  assert.deepEqual(readCsv(text, { maxRows: 3 }), {
    rows: [
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ],
    lines: [1, 2, 4],
    complete: false,
    skipped: 0,
  });
  assert.deepEqual(parseCsv(text, { maxRows: 2 }), [
    ['a', 'b'],
    ['1', '2'],
  ]);
  assert.throws(() => parseCsv(text), /unterminated quoted field starting on line 5/);
  // Only line ends after the last row read: nothing more.
  assert.equal(readCsv('a\nb\n\r\n\n', { maxRows: 2 }).complete, true);
  assert.equal(readCsv('a\nb\n\n,\n', { maxRows: 2 }).complete, false);
  assert.equal(readCsv('a\nb', { maxRows: 2 }).complete, true);

  const records = parseCsvRecords('name,address\na,b\nc,d\ne,f\ng,"h', { maxRows: 2 });
  assert.deepEqual(records.rows, [
    { name: 'a', address: 'b' },
    { name: 'c', address: 'd' },
  ]);
  assert.equal(records.more, true);
  assert.equal(parseCsvRecords('name,address\na,b\nc,d\n', { maxRows: 2 }).more, false);
  assert.equal(parseCsvRecords('name,address\na,b\nc,d\n').more, false);
});

test('records: a trailing empty header column is none, and rows of empty fields are skipped when asked', () => {
  // As a spreadsheet saves a sheet: a comma after the last column, and rows it once formatted.
  const text =
    'name,phone,address,\n张一,13900000101,桃源村一区,\n,,,\n张二,13900000102,桃源村二区,\n , ,,\n';
  const r = parseCsvRecords(text, { skipEmptyRows: true, maxRows: 2 });
  assert.deepEqual(r.header, ['name', 'phone', 'address']);
  assert.deepEqual(r.rows, [
    { name: '张一', phone: '13900000101', address: '桃源村一区' },
    { name: '张二', phone: '13900000102', address: '桃源村二区' },
  ]);
  assert.deepEqual(r.lines, [2, 4], 'the lines of the file, the skipped ones counted');
  assert.deepEqual([r.skipped, r.more], [2, false], 'the empty rows count neither as rows nor as more');
  // A field under the empty header name is one past the header: kept apart, not lost.
  assert.deepEqual(parseCsvRecords('name,address,\na,b,c\n').extras, [['c']]);
  // Without the option, rows of empty fields are rows (other imports refuse them row by row).
  assert.deepEqual(parseCsvRecords('a,b\n,\n1,2\n').rows.length, 2);
  assert.equal(readCsv('a\nb\n\n,\n', { maxRows: 2, skipEmptyRows: true }).complete, true);
});

test('maxRows: a file of millions of tiny rows is read no further than its first rows', () => {
  // A quote left open at the very end: a parser that went on past maxRows would stop on it with
  // an error. (Not timed: on a busy machine a time bound fails for reasons of its own.)
  const tiny = (rows: number) => 'name,address\n' + 'a,b\n'.repeat(rows) + '"open,b\n';
  assert.throws(() => parseCsvRecords(tiny(5)), /unterminated quoted field starting on line 7/);
  const text = tiny(3_000_000);
  const records = parseCsvRecords(text, { maxRows: 10_000 });
  assert.equal(records.rows.length, 10_000);
  assert.equal(records.more, true);
});

test('toCsv quotes only when needed and round-trips', () => {
  assert.equal(toCsv([['a', 'b,c', 'd"e', 'f\ng', '']]), 'a,"b,c","d""e","f\ng",\n');
  assert.equal(recordsToCsv(['x', 'y'], [{ x: 1, y: null }]), 'x,y\n1,\n');
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 2, maxLength: 4 }), {
        minLength: 1,
        maxLength: 5,
      }),
      (rows) => {
        assert.deepEqual(parseCsv(toCsv(rows)), rows);
      },
    ),
  );
});

test('decodes UTF-8, UTF-8 with BOM and GBK', () => {
  const s = 'text,label\n楼道灯坏了,basic_living\n';
  assert.deepEqual(decodeTextFile(Buffer.from(s, 'utf8'), 'a.csv'), {
    text: s,
    encoding: 'utf-8',
    converted: false,
  });
  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s, 'utf8')]);
  assert.equal(decodeTextFile(bom).encoding, 'utf-8-bom');
  assert.equal(decodeTextFile(bom).text, s);
  const gbk = iconv.encode(s, 'gbk');
  const d = decodeTextFile(gbk, 'gbk.csv');
  assert.equal(d.encoding, 'gb18030');
  assert.equal(d.converted, true);
  assert.equal(d.text, s);
});

test('rejects binary and undecodable bytes with the file name', () => {
  assert.throws(
    () => decodeTextFile(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), 'book.xlsx'),
    (e: unknown) => e instanceof CsvError && e.code === 'text_binary' && e.message.includes('book.xlsx'),
  );
  // Behind a byte-order mark too (Excel's "CSV UTF-8" always writes one), and in UTF-16.
  const nul = (bytes: Buffer) => () => decodeTextFile(bytes, 'people.csv');
  const isBinary = (e: unknown) => e instanceof CsvError && e.code === 'text_binary';
  assert.throws(
    nul(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('name\n"张\u0000"\n')])),
    isBinary,
  );
  assert.throws(
    nul(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name\n张\u0000\n', 'utf16le')])),
    isBinary,
  );
  const junk = Buffer.from(Array.from({ length: 64 }, (_, i) => (i % 2 === 0 ? 0xff : 0x81)));
  assert.throws(
    () => decodeTextFile(junk, 'junk.csv'),
    (e: unknown) => e instanceof CsvError && e.code === 'text_encoding_unknown',
  );
});

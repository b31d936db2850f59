import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../platform/errors.ts';
import {
  foldWidth,
  foldedOrNull,
  parseStatusList,
  parseTimeRange,
  searchPatterns,
  utcInstant,
} from './work-order.filters.ts';

test('utcInstant: an RFC 3339 date-time as the stored UTC form, else null', () => {
  assert.equal(utcInstant('2026-12-04T00:00:00Z'), '2026-12-04T00:00:00.000Z');
  assert.equal(utcInstant('2026-12-04T08:00:00+08:00'), '2026-12-04T00:00:00.000Z');
  assert.equal(utcInstant('2026-03-01T00:30:00+01:00'), '2026-02-28T23:30:00.000Z');
  assert.equal(utcInstant('2024-02-29T12:00:00.5z'), '2024-02-29T12:00:00.500Z');
  assert.equal(utcInstant('2026-12-04T00:00:00-0530'), '2026-12-04T05:30:00.000Z');
  assert.equal(utcInstant('0050-01-01T00:00:00Z'), '0050-01-01T00:00:00.000Z');
  assert.equal(utcInstant('9999-12-31T22:59:59-01:00'), '9999-12-31T23:59:59.000Z');
  assert.equal(utcInstant('0000-01-01T08:00:00+08:00'), '0000-01-01T00:00:00.000Z');
  for (const bad of [
    'yesterday',
    '2026-12-04',
    '2026-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-12-04T24:00:00Z',
    '2026-12-04T00:00:00',
    // Past the years 0000–9999 once in UTC: no stored form compares right with them.
    '9999-12-31T23:59:59-01:00',
    '9999-12-31T23:30:00-00:31',
    '0000-01-01T00:30:00+01:00',
  ])
    assert.equal(utcInstant(bad), null, bad);
});

test('parseTimeRange: [from, to) in UTC; bad or empty ranges name the field', () => {
  assert.deepEqual(parseTimeRange({ from: '2026-12-04T00:00:00+08:00', to: '2026-12-05T00:00:00+08:00' }), {
    from: '2026-12-03T16:00:00.000Z',
    to: '2026-12-04T16:00:00.000Z',
  });
  assert.deepEqual(parseTimeRange({}), {});
  const refused = (range: { from?: string; to?: string }, field: string, message: RegExp) =>
    assert.throws(
      () => parseTimeRange(range, (f) => `--${f}`),
      (e: unknown) => e instanceof AppError && e.details?.field === field && message.test(e.message),
    );
  refused({ to: '2026-12-04' }, 'to', /^--to: "2026-12-04" is not a date-time.*2026-12-04T00:00:00\+08:00$/);
  refused({ from: '2026-12-04T00:00:00Z', to: '2026-12-04T08:00:00+08:00' }, 'from', /--to is exclusive/);
  refused({ to: '9999-12-31T23:59:59-01:00' }, 'to', /within the years 0000–9999/);
});

test('parseStatusList: known statuses only', () => {
  assert.equal(parseStatusList(undefined), undefined);
  assert.deepEqual(parseStatusList(' closed, resolved ,'), ['closed', 'resolved']);
  assert.throws(
    () => parseStatusList('closed,open'),
    (e: unknown) => e instanceof AppError && e.details?.field === 'status' && /"open"/.test(e.message),
  );
});

test('foldWidth: full-width digits and Latin letters as ASCII, nothing else', () => {
  assert.equal(foldWidth('３号楼ＷｉＦｉ坏了，ａｂｃ０９ＡＺ'), '3号楼WiFi坏了，abc09AZ');
  assert.equal(foldWidth('灯坏了，晚上。（急）'), '灯坏了，晚上。（急）', 'punctuation stays');
  assert.equal(foldedOrNull('灯坏了'), null);
  assert.equal(foldedOrNull('５栋'), '5栋');
  assert.equal(foldedOrNull(null), null);
});

test('searchPatterns: folded, ASCII letters in lower case, and the NFKC form when it differs', () => {
  assert.deepEqual(searchPatterns('TAOYUAN-2026'), ['taoyuan-2026']);
  assert.deepEqual(searchPatterns('WiFi坏了'), ['wifi坏了']);
  assert.deepEqual(searchPatterns('ＷｉＦｉ'), ['wifi']);
  assert.deepEqual(searchPatterns('①号楼'), ['①号楼', '1号楼']);
  // Only ASCII letters change case: the databases fold nothing else.
  assert.deepEqual(searchPatterns('ÉCLAIR Ω'), ['Éclair Ω']);
  assert.deepEqual(searchPatterns('灯坏了，晚上'), ['灯坏了，晚上', '灯坏了,晚上']);
  // Typed with ASCII punctuation, the query also looks for it as Chinese text writes it.
  assert.deepEqual(searchPatterns('灯坏了,晚上(3楼)'), ['灯坏了,晚上(3楼)', '灯坏了，晚上（3楼）']);
  assert.deepEqual(searchPatterns('电费3.5元?'), ['电费3.5元?', '电费3.5元？']);
  assert.deepEqual(searchPatterns('10:30'), ['10:30', '10：30']);
});

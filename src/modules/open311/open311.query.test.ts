import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CLOSED_STATUSES,
  OPEN_STATUSES,
  parsePaging,
  parseRequestsQuery,
  parseUpdatesQuery,
} from './open311.query.ts';
import { Open311Error } from './open311.errors.ts';

const NOW = Date.parse('2026-11-20T02:00:00Z');
const DAY = 86_400_000;

function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof Open311Error) return e.issues.map((i) => i.description);
    throw e;
  }
  assert.fail('expected a 400');
}

describe('GET requests parameters', () => {
  it('defaults to the last 90 days, 1,000 rows, page 1', () => {
    const f = parseRequestsQuery({}, NOW);
    // Answers show whole seconds: a window's end holds its whole last second.
    assert.equal(f.createdTo, '2026-11-20T02:00:00.999Z');
    assert.equal(Date.parse(f.createdFrom ?? ''), NOW - 90 * DAY);
    assert.deepEqual([f.limit, f.offset, f.extensions], [1000, 0, false]);
  });

  it('treats empty parameters as absent', () => {
    assert.deepEqual(
      parseRequestsQuery({ start_date: '', status: ' ', service_code: '' }, NOW),
      parseRequestsQuery({}, NOW),
    );
  });

  it('lets service_request_id override every other filter', () => {
    const f = parseRequestsQuery(
      { service_request_id: 'A,B, A', status: 'open', start_date: '2020-01-01T00:00:00Z' },
      NOW,
    );
    assert.deepEqual(f.numbers, ['A', 'B']);
    assert.equal(f.statuses, undefined);
    assert.equal(f.createdFrom, undefined);
  });

  it('maps open and closed onto the lifecycle', () => {
    assert.deepEqual(parseRequestsQuery({ status: 'open' }, NOW).statuses, OPEN_STATUSES);
    assert.deepEqual(parseRequestsQuery({ status: 'closed' }, NOW).statuses, CLOSED_STATUSES);
    assert.equal(parseRequestsQuery({ status: 'OPEN,closed' }, NOW).statuses?.length, 11);
  });

  it('opens a 90-day window from one end', () => {
    const s = parseRequestsQuery({ start_date: '2026-01-01T00:00:00+08:00' }, NOW);
    assert.equal(s.createdFrom, '2025-12-31T16:00:00.000Z');
    assert.equal(Date.parse(s.createdTo ?? '') - Date.parse(s.createdFrom ?? ''), 90 * DAY + 999);
    const u = parseRequestsQuery({ updated_after: '2026-11-01T00:00:00Z' }, NOW);
    assert.equal(u.createdFrom, undefined, 'an update window replaces the default creation window');
    assert.equal(u.updatedFrom, '2026-11-01T00:00:00.000Z');
  });

  it('refuses dates without a zone, spans over 90 days, reversed ranges, bad statuses and paging', () => {
    assert.match(
      problems(() => parseRequestsQuery({ start_date: '2026-11-01T00:00:00' }, NOW))[0] ?? '',
      /^start_date:/,
    );
    // Dates and times that do not exist, which Date.parse moves to ones that do.
    for (const d of [
      '2026-02-30T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-11-01T24:30:00Z',
      '2026-11-01T10:60:00Z',
      '2026-11-01T10:00:00+25:00',
    ])
      assert.deepEqual(
        problems(() => parseRequestsQuery({ start_date: d }, NOW)),
        ['start_date: expected a W3C date-time with time zone, e.g. 2026-11-01T00:00:00+08:00'],
        d,
      );
    assert.equal(
      parseRequestsQuery({ start_date: '2028-02-29T23:59:59+08:00' }, NOW).createdFrom,
      '2028-02-29T15:59:59.000Z',
    );
    assert.match(
      problems(() =>
        parseRequestsQuery({ start_date: '2026-01-01T00:00:00Z', end_date: '2026-06-01T00:00:00Z' }, NOW),
      )[0] ?? '',
      /90 days/,
    );
    assert.match(
      problems(() =>
        parseRequestsQuery({ start_date: '2026-06-01T00:00:00Z', end_date: '2026-05-01T00:00:00Z' }, NOW),
      )[0] ?? '',
      /before/,
    );
    assert.equal(
      problems(() => parseRequestsQuery({ status: 'pending', page: '0', page_size: '2000' }, NOW)).length,
      3,
    );
    assert.deepEqual(parsePaging({ page: '3', page_size: '50' }), { limit: 50, offset: 100 });
  });

  it('gives the updates feed the last day by default', () => {
    const r = parseUpdatesQuery({}, NOW);
    assert.equal(Date.parse(r.to) - Date.parse(r.from), DAY);
  });
});

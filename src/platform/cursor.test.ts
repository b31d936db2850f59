import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { AppError } from './errors.ts';
import { newId } from './ids.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64url');

test('a cursor the API gave out reads back as the row it follows', () => {
  const row = { created_at: '2026-11-20T02:00:00.000Z', id: newId() };
  assert.deepEqual(decodeCursor(encodeCursor(row)), { createdAt: row.created_at, id: row.id });
  assert.deepEqual(decodeCursor(b64('0001-01-01T00:00:00.000Z|bench-0000000001')), {
    createdAt: '0001-01-01T00:00:00.000Z',
    id: 'bench-0000000001',
  });
  assert.equal(decodeCursor(undefined), undefined);
  assert.equal(decodeCursor(''), undefined);
});

test('a forged cursor is refused naming `cursor`, never taken as the first page', () => {
  const forged = [
    b64('\u0000|\u0000'),
    b64('x|y'),
    b64('2026-11-20T02:00:00.000Z'),
    b64('2026-11-20T02:00:00.000Z|'),
    b64('|abc'),
    b64('2026-11-20T02:00:00.000Z|a|b'),
    b64('2026-02-30T00:00:00.000Z|abc'), // no such day
    b64('2026-11-20T24:00:00.000Z|abc'),
    b64('2026-11-20T02:00:00Z|abc'), // not as stored
    b64('2026-11-20T02:00:00.000+08:00|abc'),
    b64('+010000-01-01T00:00:00.000Z|abc'),
    b64('2026-11-20T02:00:00.000Z|a\u0000b'),
    b64('2026-11-20T02:00:00.000Z|\ud800'),
    b64(`2026-11-20T02:00:00.000Z|${'a'.repeat(65)}`),
    b64('2026-11-20T02:00:00.000Z|abc') + '=', // not base64url
    'not a cursor',
    '%00',
  ];
  for (const c of forged) {
    assert.throws(
      () => decodeCursor(c),
      (e: unknown) => e instanceof AppError && e.code === 'invalid_input' && e.details?.field === 'cursor',
      JSON.stringify(c),
    );
  }
});

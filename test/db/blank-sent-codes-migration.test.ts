import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { freshDatabase } from '../helpers.ts';
import * as migration from '../../src/platform/db/migrations/2026120570_blank_sent_codes.ts';

describe('migration 2026120570: codes of one-time-code messages already done are blanked', () => {
  it('blanks sent and failed codes, leaves pending ones (still to deliver) and other templates alone', async () => {
    const fresh = await freshDatabase();
    try {
      const db = fresh.database.db as unknown as Kysely<unknown>;
      const add = (id: string, template: string, status: string, payload: unknown) =>
        sql`insert into outbox
        (id, idempotency_key, channel, recipient_type, recipient_id, address, template, locale, payload_json, status, attempts, next_attempt_at, created_at)
        values (${id}, ${`k-${id}`}, 'sms', 'resident', null, '13800000001', ${template}, 'zh-CN', ${JSON.stringify(payload)}, ${status}, 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`.execute(
          db,
        );
      await add('m1', 'otp', 'delivered', { code: '123456' });
      await add('m2', 'otp', 'failed', { code: '654321', ttl: 5 });
      await add('m3', 'otp', 'pending', { code: '111111' });
      await add('m4', 'order_closed', 'delivered', { code: 'KEEP', number: 'N1' });
      await migration.up(db);
      await migration.up(db); // a second run changes nothing
      const rows = await sql<{ id: string; payload_json: string }>`
        select id, payload_json from outbox where id in ('m1', 'm2', 'm3', 'm4') order by id`.execute(db);
      assert.deepEqual(
        rows.rows.map((r) => [r.id, JSON.parse(r.payload_json)]),
        [
          ['m1', { code: '******' }],
          ['m2', { code: '******', ttl: 5 }],
          ['m3', { code: '111111' }],
          ['m4', { code: 'KEEP', number: 'N1' }],
        ],
      );
    } finally {
      await fresh.dispose();
    }
  });
});

/**
 * Migration 2026120840: webhook events queued before kept their subscription's whole URL, token
 * and all, in the outbox's `address`; the migration leaves them the redacted form (scheme, host,
 * port, path, `?[redacted]`), across pages, whatever their status. Other channels' addresses are
 * not touched. On both databases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { freshDatabase } from '../helpers.ts';
import { migrateTo } from '../../src/platform/db/database.ts';
import { scrubWebhookAddresses } from '../../src/platform/db/migrations/2026120840_webhook_outbox_addresses.ts';

const AT = '2026-12-01T00:00:00.000Z';

/** id → [channel, status, address as written] */
const WRITTEN: Record<string, [string, string, string | null]> = {
  w1: ['webhook', 'pending', 'https://hooks.example.org/linli/in?token=s3cret-7781&team=ops'],
  w2: ['webhook', 'delivered', 'https://hooks.example.org/linli/in?token=s3cret-7781&team=ops'],
  w3: ['webhook', 'failed', 'https://user:pw@hooks.example.org:8443/a/b#frag'],
  w4: ['webhook', 'pending', 'https://hooks.example.org/plain'],
  w5: ['webhook', 'pending', 'http://[::1]:9000/x?key=k'],
  w6: ['webhook', 'cancelled', null],
  w7: ['webhook', 'delivered', 'https://hooks.example.org/done?[redacted]'],
  w8: ['webhook', 'failed', 'not a url ?token=t'],
  s1: ['sms', 'pending', '13800000001'],
  s2: ['wechat', 'delivered', 'https://x.example/?openid=o1'],
};
const SCRUBBED: Record<string, string | null> = {
  w1: 'https://hooks.example.org/linli/in?[redacted]',
  w2: 'https://hooks.example.org/linli/in?[redacted]',
  w3: 'https://hooks.example.org:8443/a/b?[redacted]',
  w4: 'https://hooks.example.org/plain',
  w5: 'http://[::1]:9000/x?[redacted]',
  w6: null,
  w7: 'https://hooks.example.org/done?[redacted]',
  w8: '[unreadable URL]',
  s1: '13800000001',
  s2: 'https://x.example/?openid=o1',
};

async function write(db: Kysely<unknown>, prefix: string): Promise<void> {
  for (const [id, [channel, status, address]] of Object.entries(WRITTEN))
    await sql`insert into outbox
      (id, idempotency_key, channel, recipient_type, recipient_id, address, template, locale,
       payload_json, status, attempts, next_attempt_at, created_at)
      values (${prefix + id}, ${`k-${prefix}${id}`}, ${channel}, 'address', 'sub-1', ${address},
       'work_order.created', 'en', '{}', ${status}, 0, ${AT}, ${AT})`.execute(db);
}

async function addresses(db: Kysely<unknown>, prefix: string): Promise<Record<string, string | null>> {
  const rows = await sql<{ id: string; address: string | null }>`
    select id, address from outbox where id like ${`${prefix}%`} order by id`.execute(db);
  return Object.fromEntries(rows.rows.map((r) => [r.id.slice(prefix.length), r.address]));
}

test('migration 2026120840 leaves webhook events only the redacted URL', async () => {
  const fresh = await freshDatabase({ migrate: false });
  try {
    const db = fresh.database.db as unknown as Kysely<unknown>;
    await migrateTo(fresh.database, '2026120820_reversals_and_proposal_indexes');
    await write(db, 'a-');
    await migrateTo(fresh.database, '2026120840_webhook_outbox_addresses');
    assert.deepEqual(await addresses(db, 'a-'), SCRUBBED);

    // Pages of two rows, the rows of one page scrubbed together; a second run changes nothing.
    await write(db, 'b-');
    assert.equal(await scrubWebhookAddresses(db, 2), 5);
    assert.deepEqual(await addresses(db, 'b-'), SCRUBBED);
    assert.equal(await scrubWebhookAddresses(db, 2), 0);
    assert.deepEqual(await addresses(db, 'a-'), SCRUBBED);
  } finally {
    await fresh.dispose();
  }
});

import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { migrationMeter } from '../migration-progress.ts';

/**
 * Webhook events in the outbox kept their subscription's URL whole in `address`, query string and
 * all, where endpoints commonly carry their access token; the worker now reads the URL from the
 * subscription when it sends, and an event keeps it only as people are shown it. The events
 * written before are scrubbed to that form, a page at a time.
 *
 * A migration must not change with the code around it, so the rule of `redactedWebhookUrl`
 * (notifications/webhook.url.ts) is restated here: scheme, host and port, and path, with
 * `?[redacted]` when a query, fragment or user info was left out.
 */
const PAGE = 1000;

/** The URL as people are shown it (see above); applied twice it changes nothing. */
function redactedUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '[unreadable URL]';
  }
  const hidden = u.search.length > 1 || u.hash.length > 1 || u.username !== '' || u.password !== '';
  return `${u.protocol}//${u.host}${u.pathname}${hidden ? '?[redacted]' : ''}`;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await scrubWebhookAddresses(db);
}

/** The whole URLs are not kept anywhere but the subscriptions, which the code before this reads too. */
export async function down(): Promise<void> {}

/**
 * Rewrites the `address` of every webhook event to its redacted form, `page` rows at a time in
 * the order of their ids; returns how many changed (exported for its test).
 */
export async function scrubWebhookAddresses(db: Kysely<unknown>, page = PAGE): Promise<number> {
  const meter = migrationMeter('hiding the query of webhook URLs in the outbox', 'messages');
  let after = '';
  let read = 0;
  let changed = 0;
  for (;;) {
    const rows = (
      await sql<{ id: string; address: string }>`select id, address from outbox
        where channel = 'webhook' and address is not null and id > ${after}
        order by id limit ${page}`.execute(db)
    ).rows;
    const last = rows[rows.length - 1];
    if (!last) break;
    after = last.id;
    read += rows.length;
    // A page holds the events of a few subscriptions: one statement per URL, not per row.
    const idsBy = new Map<string, string[]>();
    for (const r of rows) {
      const redacted = redactedUrl(r.address);
      if (redacted !== r.address) idsBy.set(redacted, [...(idsBy.get(redacted) ?? []), r.id]);
    }
    for (const [address, ids] of idsBy) {
      await sql`update outbox set address = ${address}
        where id in (${sql.join(ids.map((id) => sql`${id}`))})`.execute(db);
      changed += ids.length;
    }
    meter.update(read);
  }
  meter.finish();
  return changed;
}

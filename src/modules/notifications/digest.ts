import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { enqueue } from './outbox.repository.ts';
import {
  digestDue,
  digestsDue,
  heldFor,
  lockPreference,
  markDigested,
  releaseHeld,
  setLastDigest,
} from './notifications.repository.ts';
import { resolveRecipients } from './outbox.worker.ts';
import { renderTemplate } from './templates.ts';

const SUMMARY_ITEMS = 5;

/**
 * Gathers the messages held for staff in digest mode into one digest message per user whose
 * interval has passed. One transaction per user: the digest exists exactly when its messages are
 * marked as digested, and its key (user + instant) makes a retried run write it once. The user's
 * preference row is locked first and the interval checked again under the lock, so nodes that
 * gather the same digest at once (their instants differ) write it once.
 */
export async function runDigests(
  database: Database,
  clock: Clock,
): Promise<{ digests: number; messages: number }> {
  const now = clock.now().toISOString();
  // A message held while its recipient switched back to immediate delivery (the switch releases
  // what it finds, but a delivery run may hold one just after) is sent on its own.
  await releaseHeld(database.db, now);
  let digests = 0;
  let messages = 0;
  for (const pref of await digestsDue(database.db, now)) {
    const n = await database.db.transaction().execute(async (trx) => {
      // Another node may be gathering this digest at the same moment: the preference row is
      // taken first and the interval asked again under it, so the second node finds the digest
      // made. Without it both read the same held messages and each wrote a digest of them.
      const locked = await lockPreference(trx, database.dialect, pref.user_id);
      if (!locked || !digestDue(locked, Date.parse(now))) return 0;
      // What was held for them is checked as a message sent now would be: an item about an order
      // of a community they no longer serve, or held while their account was deactivated, is
      // cancelled with the reason, not summed up for them.
      const { sendable: held } = await resolveRecipients(trx, await heldFor(trx, pref.user_id));
      if (held.length === 0) return 0;
      const items = held.map((m) => {
        const payload = JSON.parse(m.payload_json) as Record<string, unknown>;
        return {
          template: m.template,
          title: renderTemplate(m.template, pref.locale, payload).title,
          orderId: typeof payload.orderId === 'string' ? payload.orderId : null,
          number: typeof payload.number === 'string' ? payload.number : null,
          at: m.created_at,
        };
      });
      const sep = pref.locale === 'en' ? '; ' : '；';
      const summary = items
        .slice(0, SUMMARY_ITEMS)
        .map((i) => (i.number ? `${i.title} ${i.number}` : i.title))
        .join(sep);
      await enqueue(
        trx,
        {
          idempotencyKey: `digest:${pref.user_id}:${now}`,
          channel: 'inapp',
          recipientType: 'user',
          recipientId: pref.user_id,
          address: null,
          template: 'digest',
          locale: pref.locale === 'en' ? 'en' : 'zh-CN',
          payload: {
            count: items.length,
            summary: items.length > SUMMARY_ITEMS ? `${summary}…` : summary,
            items,
          },
        },
        now,
      );
      const marked = await markDigested(
        trx,
        held.map((m) => m.id),
        now,
      );
      await setLastDigest(trx, pref.user_id, now);
      return marked;
    });
    if (n > 0) {
      digests += 1;
      messages += n;
    }
  }
  return { digests, messages };
}

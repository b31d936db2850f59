import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/context.ts';

/** A delivery channel. Real SMS/WeChat/webhook providers implement this; development adapters record. */
export interface ChannelAdapter {
  deliver(msg: {
    id: string;
    channel: string;
    recipientId: string | null;
    address: string | null;
    template: string;
    locale: string;
    payload: unknown;
  }): Promise<void>;
}

/** Records deliveries in the log: the development adapter for SMS and WeChat, and the in-app inbox's delivery. */
export class RecordingAdapter implements ChannelAdapter {
  readonly sent: { channel: string; template: string; recipientId: string | null; payload: unknown }[] = [];
  constructor(private readonly logger: Logger) {}
  async deliver(msg: Parameters<ChannelAdapter['deliver']>[0]): Promise<void> {
    this.sent.push({
      channel: msg.channel,
      template: msg.template,
      recipientId: msg.recipientId,
      payload: msg.payload,
    });
    if (this.sent.length > 1000) this.sent.splice(0, 500);
    this.logger.info(
      { channel: msg.channel, template: msg.template, to: msg.recipientId ?? msg.address },
      'notification delivered (development adapter)',
    );
  }
}

const BACKOFF_SECONDS = [10, 30, 120, 600, 3600];
const MAX_ATTEMPTS = 8;

/**
 * Delivers due outbox messages. Each message is claimed by moving its next attempt into the
 * future inside a transaction (row-locked with SKIP LOCKED on PostgreSQL), so several nodes
 * never send the same message at once; the idempotency key travels with it to the provider.
 */
export async function deliverDue(
  database: Database,
  clock: Clock,
  adapters: Record<string, ChannelAdapter>,
  limit = 50,
): Promise<{ delivered: number; failed: number }> {
  const now = clock.now();
  const nowIso = now.toISOString();
  const leaseUntil = new Date(now.getTime() + 60_000).toISOString();
  const claimed = await database.db.transaction().execute(async (trx) => {
    let q = trx
      .selectFrom('outbox')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', nowIso)
      .orderBy('next_attempt_at')
      .limit(limit);
    if (database.dialect === 'postgres') q = q.forUpdate().skipLocked();
    const rows = await q.execute();
    if (rows.length) {
      await trx
        .updateTable('outbox')
        .set({ next_attempt_at: leaseUntil })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
    }
    return rows;
  });
  let delivered = 0;
  let failed = 0;
  for (const m of claimed) {
    const adapter = adapters[m.channel];
    try {
      if (!adapter) throw new Error(`no adapter for channel ${m.channel}`);
      await adapter.deliver({
        id: m.idempotency_key,
        channel: m.channel,
        recipientId: m.recipient_id,
        address: m.address,
        template: m.template,
        locale: m.locale,
        payload: JSON.parse(m.payload_json) as unknown,
      });
      await database.db
        .updateTable('outbox')
        .set({
          status: 'delivered',
          delivered_at: clock.now().toISOString(),
          attempts: m.attempts + 1,
          last_error: null,
        })
        .where('id', '=', m.id)
        .execute();
      delivered += 1;
    } catch (err) {
      const attempts = m.attempts + 1;
      const wait = BACKOFF_SECONDS[Math.min(attempts - 1, BACKOFF_SECONDS.length - 1)] ?? 3600;
      await database.db
        .updateTable('outbox')
        .set({
          status: attempts >= MAX_ATTEMPTS ? 'failed' : 'pending',
          attempts,
          last_error: err instanceof Error ? err.message.slice(0, 500) : String(err).slice(0, 500),
          next_attempt_at: new Date(clock.now().getTime() + wait * 1000).toISOString(),
        })
        .where('id', '=', m.id)
        .execute();
      failed += 1;
    }
  }
  return { delivered, failed };
}

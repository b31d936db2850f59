/**
 * The timer worker. Timers live in the database (`sla_timers`), so they survive restarts and a
 * worker that starts late fires everything that fell due meanwhile. A batch is claimed first, in
 * a transaction of its own that leases the rows (PostgreSQL picks them `FOR UPDATE SKIP LOCKED`,
 * so several nodes take disjoint batches). It is then fired in one transaction that locks the
 * timers' orders first, in id order, as every action on an order does before it touches the
 * order's SLA rows and its community's audit head: a batch and actions on its orders queue
 * instead of deadlocking (a claim that kept its row locks while the batch took the audit head
 * deadlocked with an action holding the head and re-planning the same timer). A timer fires only
 * if it still holds this lease (an action that re-planned it cleared it), and its effects and its
 * `pending → fired` mark commit together, so it fires exactly once. Deferred kinds (those whose
 * effect runs its own transaction, like auto-close through the work-order service) keep the
 * lease while they run, and their handlers must be idempotent.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/database.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/context.ts';
import { backoffSeconds } from '../notifications/outbox.worker.ts';
import { claimDueTimers, markTimerFailed, markTimerFired, takeLeasedTimer } from './sla.repository.ts';
import { lockOrders } from '../work-orders/work-order.repository.ts';
import type { TimerRow } from './sla.repository.ts';

export type InlineHandler = (trx: Kysely<DB>, timer: TimerRow, now: string) => Promise<void>;
export type DeferredHandler = (timer: TimerRow, now: string) => Promise<void>;

export interface TimerRunResult {
  claimed: number;
  fired: number;
  failed: number;
}

export interface TimerWorkerOptions {
  batch: number;
  leaseMs: number;
  maxAttempts: number;
}

export class TimerWorker {
  private readonly inline = new Map<string, InlineHandler>();
  private readonly deferred = new Map<string, DeferredHandler>();

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: TimerWorkerOptions,
  ) {}

  on(kind: string, handler: InlineHandler): void {
    this.inline.set(kind, handler);
  }

  onDeferred(kind: string, handler: DeferredHandler): void {
    this.deferred.set(kind, handler);
  }

  /** Fires every timer due now, batch after batch (at most `maxBatches`), and reports the counts. */
  async runDue(maxBatches = 50): Promise<TimerRunResult> {
    const total: TimerRunResult = { claimed: 0, fired: 0, failed: 0 };
    for (let i = 0; i < maxBatches; i++) {
      const r = await this.runBatch();
      total.claimed += r.claimed;
      total.fired += r.fired;
      total.failed += r.failed;
      if (r.claimed < this.options.batch) break;
    }
    return total;
  }

  /** Claims one batch and fires it. */
  async runBatch(): Promise<TimerRunResult> {
    const now = this.clock.now();
    const nowIso = now.toISOString();
    const lease = new Date(now.getTime() + this.options.leaseMs).toISOString();
    const { dialect } = this.database;
    let claimed: TimerRow[];
    try {
      claimed = await this.database.db
        .transaction()
        .execute((trx) => claimDueTimers(trx, dialect, nowIso, lease, this.options.batch));
    } catch (err) {
      // The database is busy elsewhere (another process holding SQLite's write lock): the next run claims them.
      this.logger.warn({ err }, 'could not claim due timers; trying again on the next run');
      return { claimed: 0, fired: 0, failed: 0 };
    }
    const inline = claimed.filter((t) => this.inline.has(t.kind));
    const later = claimed.filter((t) => !this.inline.has(t.kind) && this.deferred.has(t.kind));
    for (const t of claimed)
      if (!this.inline.has(t.kind) && !this.deferred.has(t.kind))
        await markTimerFailed(
          this.database.db,
          t.id,
          `no handler for timer kind ${t.kind}`,
          null,
          t.attempts,
        );
    let fired = 0;
    let failed = 0;
    try {
      fired = await this.database.db.transaction().execute(async (trx) => {
        await lockOrders(trx, dialect, ordersOf(inline));
        let n = 0;
        for (const t of inline) {
          const now = await takeLeasedTimer(trx, t.id, nowIso, lease);
          if (!now) continue;
          await this.inline.get(t.kind)?.(trx, now, nowIso);
          n += 1;
        }
        return n;
      });
    } catch (err) {
      // One failing timer must not hold back the batch: fire them one transaction each.
      this.logger.warn({ err }, 'timer batch failed; firing its timers one by one');
      fired = 0;
      for (const t of inline) {
        const outcome = await this.fireOne(t, nowIso, lease);
        if (outcome === 'fired') fired += 1;
        else if (outcome === 'failed') failed += 1;
      }
    }
    for (const t of later) {
      const handler = this.deferred.get(t.kind);
      if (!handler) continue;
      try {
        await handler(t, nowIso);
        if (
          await markTimerFired(this.database.db, t.id, this.clock.now().toISOString(), t.lease_until ?? lease)
        )
          fired += 1;
      } catch (err) {
        failed += 1;
        await this.fail(t, err);
      }
    }
    return { claimed: claimed.length, fired, failed };
  }

  /**
   * Fires one timer in its own transaction (after its batch failed). `skipped` when the timer is
   * no longer under this lease: fired by another worker, or re-planned by an action.
   */
  private async fireOne(t: TimerRow, nowIso: string, lease: string): Promise<'fired' | 'skipped' | 'failed'> {
    const handler = this.inline.get(t.kind);
    if (!handler) return 'failed';
    try {
      return await this.database.db.transaction().execute(async (trx) => {
        await lockOrders(trx, this.database.dialect, ordersOf([t]));
        const now = await takeLeasedTimer(trx, t.id, nowIso, lease);
        if (!now) return 'skipped' as const;
        await handler(trx, now, nowIso);
        return 'fired' as const;
      });
    } catch (err) {
      await this.fail(t, err);
      return 'failed';
    }
  }

  private async fail(t: TimerRow, err: unknown): Promise<void> {
    const attempts = t.attempts;
    const message = err instanceof Error ? err.message : String(err);
    const retryAt =
      attempts >= this.options.maxAttempts
        ? null
        : new Date(this.clock.now().getTime() + backoffSeconds(attempts) * 1000).toISOString();
    this.logger.error({ err, timer: t.key, attempts }, 'timer failed');
    await markTimerFailed(this.database.db, t.id, message, retryAt, attempts);
  }
}

function ordersOf(timers: TimerRow[]): string[] {
  return timers.map((t) => t.work_order_id).filter((id): id is string => id !== null);
}

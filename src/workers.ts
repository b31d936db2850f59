import type { Database } from './platform/db/database.ts';
import type { FileStore } from './platform/files.ts';
import type { Logger } from './platform/context.ts';
import type { Principal } from './platform/auth/principal.ts';
import { systemClock } from './platform/clock.ts';
import type { BuiltApp } from './platform/http/app.ts';
import { deliverDue } from './modules/notifications/outbox.worker.ts';
import { createChannelAdapters } from './modules/notifications/adapters.ts';
import { runDigests } from './modules/notifications/digest.ts';
import { sweepOrphanPhotos } from './modules/work-orders/photo-sweep.ts';
import { anchorHeads } from './modules/audit/audit.anchoring.ts';
import type { Anchor } from './modules/audit/audit.anchors.ts';

/**
 * How long `stop` waits for the loops' iterations in flight (a webhook delivery takes at most its
 * timeout, 5 s by default): under the 10 s a stopping server gives itself before it exits anyway.
 */
export const WORKERS_STOP_GRACE_MS = 8_000;

export interface Workers {
  /**
   * Starts no new iteration, wakes the loops that wait for their next one, and waits for those
   * in flight (at most `graceMs`), so a delivery in progress is recorded before the database
   * closes: cut half way, a message sent could be sent again. Answers the loops still running.
   */
  stop(options?: { graceMs?: number }): Promise<{ stillRunning: string[] }>;
}

/** Background loops of one app node: outbox delivery, webhooks, SLA timers, digests, auto-close, the close of proposals' voting, orphan photo files and audit anchors. Each is safe to run on several nodes. */
export function startWorkers(
  built: BuiltApp,
  database: Database,
  system: Principal,
  logger: Logger,
  files?: FileStore,
  audit: { anchorFile: string | null; anchorMinutes: number } = { anchorFile: null, anchorMinutes: 0 },
): Workers {
  const sla = built.services.sla;
  const { adapters } = createChannelAdapters(database, systemClock, logger, {
    webhookTimeoutMs: sla.settings.webhookTimeoutMs,
  });
  const webhookTimeout = sla.settings.webhookTimeoutMs;
  let stopped = false;
  const loops: Promise<void>[] = [];
  /** Loops inside an iteration now, by name. */
  const running = new Set<string>();
  /** Ends the waits between iterations (at stop). */
  const wakers = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      wakers.add(wake);
    });
  const every = (ms: number, name: string, fn: () => Promise<unknown>) => {
    loops.push(
      (async () => {
        while (!stopped) {
          running.add(name);
          try {
            await fn();
          } catch (err) {
            logger.error({ err }, `${name} worker failed; retrying`);
          } finally {
            running.delete(name);
          }
          if (!stopped) await pause(ms);
        }
      })(),
    );
  };
  every(1000, 'outbox', () => deliverDue(database, systemClock, adapters, { excludeChannels: ['webhook'] }));
  // Webhooks in their own loop: a slow subscriber never delays residents' and staff messages.
  every(1000, 'webhooks', () =>
    deliverDue(database, systemClock, adapters, { channels: ['webhook'], timeoutMs: webhookTimeout + 1000 }),
  );
  every(1000, 'sla-timers', () => sla.timers.runDue());
  every(1000, 'dispatch-timeouts', () => built.services.dispatch.processDue());
  every(30_000, 'digests', () => runDigests(database, systemClock));
  every(60_000, 'auto-close', () => built.services.workOrders.autoCloseDue(system));
  // Proposals whose voting window has ended are decided (selected or not) within a minute.
  every(60_000, 'proposal-close', () => built.services.proposals.closeDue(system));
  if (files)
    every(60 * 60_000, 'photo-sweep', async () => {
      const removed = await sweepOrphanPhotos(database.db, files, systemClock.now().getTime());
      if (removed > 0) logger.info({ removed }, 'removed photo files no order points at');
    });
  // Chain heads that moved, to this node's anchor file and to `audit.anchor` subscribers; the first
  // run is at start-up, so a chain is anchored before the node takes its first change.
  const sentAnchors = new Map<string, Anchor>();
  if (audit.anchorMinutes > 0)
    every(audit.anchorMinutes * 60_000, 'audit-anchors', async () => {
      const run = await anchorHeads(database.db, {
        file: audit.anchorFile,
        at: systemClock.now().toISOString(),
        sent: sentAnchors,
        signer: built.services.auditSigner,
      });
      for (const h of run.wentBack)
        logger.warn(
          { community: h.code ?? h.communityId, seq: h.seq },
          'audit chain head is behind an earlier anchor: the database was restored from an older backup, or the chain was cut; run linli audit verify',
        );
      if (run.anchored.length > 0)
        logger.info(
          {
            anchored: run.anchored.map((a) => `${a.code ?? a.communityId}@${a.seq}`),
            webhooks: run.webhooks,
          },
          'anchored audit chain heads',
        );
    });
  return {
    stop: async ({ graceMs = WORKERS_STOP_GRACE_MS } = {}) => {
      stopped = true;
      for (const wake of [...wakers]) wake();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([Promise.all(loops), deadline]);
      clearTimeout(timer);
      const stillRunning = [...running];
      if (stillRunning.length > 0)
        logger.warn(
          { workers: stillRunning, graceMs },
          'background work still running when the node stopped; it is left unfinished',
        );
      return { stillRunning };
    },
  };
}

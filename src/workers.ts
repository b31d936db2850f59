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

/** Background loops of one app node: outbox delivery, webhooks, SLA timers, digests, auto-close and orphan photo files. Each is safe to run on several nodes. */
export function startWorkers(
  built: BuiltApp,
  database: Database,
  system: Principal,
  logger: Logger,
  files?: FileStore,
) {
  const sla = built.services.sla;
  const { adapters } = createChannelAdapters(database, systemClock, logger, {
    webhookTimeoutMs: sla.settings.webhookTimeoutMs,
  });
  const webhookTimeout = sla.settings.webhookTimeoutMs;
  let stopped = false;
  const loops: Promise<void>[] = [];
  const every = (ms: number, name: string, fn: () => Promise<unknown>) => {
    loops.push(
      (async () => {
        while (!stopped) {
          try {
            await fn();
          } catch (err) {
            logger.error({ err }, `${name} worker failed; retrying`);
          }
          await new Promise((r) => setTimeout(r, ms).unref());
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
  if (files)
    every(60 * 60_000, 'photo-sweep', async () => {
      const removed = await sweepOrphanPhotos(database.db, files, systemClock.now().getTime());
      if (removed > 0) logger.info({ removed }, 'removed photo files no order points at');
    });
  return {
    stop: async () => {
      stopped = true;
    },
  };
}

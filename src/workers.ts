import type { Database } from './platform/db/database.ts';
import type { Logger } from './platform/context.ts';
import type { Principal } from './platform/auth/principal.ts';
import { systemClock } from './platform/clock.ts';
import type { BuiltApp } from './platform/http/app.ts';
import { RecordingAdapter, deliverDue } from './modules/notifications/outbox.worker.ts';

/** Background loops of one app node: outbox delivery and auto-close. Each is safe to run on several nodes. */
export function startWorkers(built: BuiltApp, database: Database, system: Principal, logger: Logger) {
  const recorder = new RecordingAdapter(logger);
  const adapters = { sms: recorder, wechat: recorder, inapp: recorder, webhook: recorder };
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
  every(1000, 'outbox', () => deliverDue(database, systemClock, adapters));
  every(60_000, 'auto-close', () => built.services.workOrders.autoCloseDue(system));
  return {
    stop: async () => {
      stopped = true;
    },
  };
}

/**
 * The SLA, supervision, closing-the-loop and notification services of one app, wired together:
 * construct it with the work-order service, push `hooks` into the work-order lifecycle, and run
 * `timers.runDue()` and the outbox from the background workers.
 */
import type { Deps } from '../../platform/context.ts';
import type { WorkOrderService, LifecycleHooks } from '../work-orders/work-order.service.ts';
import { FeedbackService } from '../feedback/feedback.service.ts';
import { NotificationService } from '../notifications/notifications.service.ts';
import { SlaCatalog } from './sla.catalog.ts';
import { SlaService } from './sla.service.ts';
import { loadSlaSettings } from './sla.settings.ts';
import type { SlaSettings } from './sla.settings.ts';
import { SupervisionService } from './sla.supervision.ts';
import { TimerWorker } from './sla.timers.ts';
import { SlaViews } from './sla.views.ts';

export class SlaModule {
  readonly settings: SlaSettings;
  readonly catalog: SlaCatalog;
  readonly supervision: SupervisionService;
  readonly sla: SlaService;
  readonly feedback: FeedbackService;
  readonly notifications: NotificationService;
  readonly views: SlaViews;
  readonly timers: TimerWorker;
  readonly hooks: LifecycleHooks[];

  constructor(deps: Deps, workOrders: WorkOrderService, settings?: SlaSettings) {
    this.settings = settings ?? loadSlaSettings(process.env, deps.config.autoCloseDays);
    this.catalog = new SlaCatalog(deps);
    this.supervision = new SupervisionService(deps, workOrders, this.settings);
    this.sla = new SlaService(deps, this.catalog, this.settings, this.supervision);
    this.feedback = new FeedbackService(deps, workOrders, this.settings);
    this.notifications = new NotificationService(deps);
    this.views = new SlaViews(deps, workOrders, this.settings);
    this.timers = new TimerWorker(deps.database, deps.clock, deps.logger, {
      batch: this.settings.timerBatch,
      leaseMs: this.settings.timerLeaseMs,
      maxAttempts: this.settings.timerMaxAttempts,
    });
    this.sla.registerTimers(this.timers);
    this.supervision.registerTimers(this.timers);
    this.feedback.registerTimers(this.timers);
    this.hooks = [this.sla.hooks, this.supervision.hooks, this.feedback.hooks, this.notifications.hooks];
  }
}

/**
 * The notification API: a signed-in user's or resident's inbox with unread counts, staff
 * delivery preferences (immediate or digest, language), and webhook subscriptions per
 * community; plus the lifecycle hook that tells webhook subscribers about every order change.
 */
import type { Deps } from '../../platform/context.ts';
import { AppError, forbidden, invalidInput, notFound } from '../../platform/errors.ts';
import { newId, randomToken } from '../../platform/ids.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import type { LifecycleHooks } from '../work-orders/work-order.service.ts';
import type { WorkOrderRow } from '../work-orders/work-order.repository.ts';
import { emitWebhookEvent } from './notify.ts';
import { NOT_SENT } from './outbox.recipients.ts';
import { redactedWebhookUrl } from './webhook.url.ts';
import { WEBHOOK_EVENTS, allowPrivateWebhooks, internalHostReason } from './webhook.guard.ts';
import * as repo from './notifications.repository.ts';
import type { InboxRow, PreferenceRow, WebhookRow } from './notifications.repository.ts';

export interface Preferences {
  mode: 'immediate' | 'digest';
  digestMinutes: number;
  locale: 'zh-CN' | 'en';
}

const DEFAULT_PREFERENCES: Preferences = { mode: 'immediate', digestMinutes: 60, locale: 'zh-CN' };
const WEBHOOK_ADMINS = ['admin', 'manager'];

function recipientOf(p: Principal): { type: string; id: string } {
  if (p.kind === 'user') return { type: 'user', id: p.id };
  if (p.kind === 'resident') return { type: 'resident', id: p.id };
  throw forbidden('only people have an inbox');
}

function orderEvent(order: WorkOrderRow, action: string) {
  return {
    orderId: order.id,
    number: order.number,
    action,
    status: order.status,
    category: order.category,
    urgency: order.urgency,
    priority: order.priority,
    version: order.version,
  };
}

export class NotificationService {
  constructor(private readonly deps: Deps) {}

  private get db() {
    return this.deps.database.db;
  }

  /** Every order change, as a webhook event `work_order.<action>` to subscribers that want it. */
  readonly hooks: LifecycleHooks = {
    onCreated: async (trx, order, at) => {
      await emitWebhookEvent(
        trx,
        order.community_id,
        'work_order.created',
        orderEvent(order, 'create'),
        `order:${order.id}:1`,
        at,
      );
    },
    // A batch of new orders asks for each community's subscriptions once.
    onCreatedBatch: async (trx, orders, at) => {
      const byCommunity = new Map<string, typeof orders>();
      for (const o of orders)
        byCommunity.set(o.community_id, [...(byCommunity.get(o.community_id) ?? []), o]);
      for (const [communityId, list] of byCommunity) {
        const subs = await repo.activeWebhooks(trx, communityId);
        if (subs.length === 0) continue;
        for (const order of list) {
          await emitWebhookEvent(
            trx,
            communityId,
            'work_order.created',
            orderEvent(order, 'create'),
            `order:${order.id}:1`,
            at,
            subs,
          );
        }
      }
    },
    onTransition: async (trx, before, after, action, at) => {
      // The order left its assignee (rejected, transferred, sent to someone else) or was closed
      // without their work (cancelled, merged, referred, not actionable): their "new order" items
      // for it are no longer something to do.
      if (
        before.assignee_id &&
        (after.assignee_id !== before.assignee_id || repo.CLOSED_WITHOUT_WORK.includes(after.status))
      )
        await repo.settleAssignmentItems(trx, after.id, before.assignee_id, at);
      await emitWebhookEvent(
        trx,
        after.community_id,
        `work_order.${action}`,
        orderEvent(after, action),
        `order:${after.id}:${after.version}`,
        at,
      );
    },
  };

  async inbox(
    p: Principal,
    q: {
      unread?: boolean | undefined;
      before?: { createdAt: string; id: string } | undefined;
      limit: number;
    },
  ): Promise<{ items: InboxRow[]; unread: number }> {
    const who = recipientOf(p);
    const [items, unread] = await Promise.all([
      repo.listInbox(this.db, who, { unreadOnly: q.unread ?? false, before: q.before, limit: q.limit }),
      repo.countUnread(this.db, who),
    ]);
    return { items, unread };
  }

  async unreadCount(p: Principal): Promise<number> {
    return repo.countUnread(this.db, recipientOf(p));
  }

  async markRead(p: Principal, ids: string[] | 'all'): Promise<{ marked: number; unread: number }> {
    const who = recipientOf(p);
    const marked = await repo.markRead(this.db, who, ids, this.deps.clock.now().toISOString());
    return { marked, unread: await repo.countUnread(this.db, who) };
  }

  async readOne(p: Principal, id: string): Promise<InboxRow> {
    const who = recipientOf(p);
    const item = await repo.findInboxItem(this.db, id);
    if (!item || item.recipient_type !== who.type || item.recipient_id !== who.id)
      throw notFound('not_found', 'inbox item', id);
    if (item.read_at === null) await repo.markRead(this.db, who, [id], this.deps.clock.now().toISOString());
    return (await repo.findInboxItem(this.db, id)) as InboxRow;
  }

  async preferences(p: Principal): Promise<Preferences> {
    if (p.kind !== 'user') throw forbidden('delivery preferences are for staff');
    const [row] = await repo.preferencesOf(this.db, [p.id]);
    return row ? fromRow(row) : DEFAULT_PREFERENCES;
  }

  async setPreferences(p: Principal, input: Partial<Preferences>): Promise<Preferences> {
    if (p.kind !== 'user') throw forbidden('delivery preferences are for staff');
    const current = await this.preferences(p);
    const next: Preferences = { ...current, ...input };
    if (!(
      Number.isInteger(next.digestMinutes) &&
      next.digestMinutes >= 5 &&
      next.digestMinutes <= 7 * 24 * 60
    ))
      throw invalidInput('digestMinutes', 'a digest interval is 5 minutes to 7 days');
    const at = this.deps.clock.now().toISOString();
    const [row] = await repo.preferencesOf(this.db, [p.id]);
    // Switching to digest mode starts the first interval now.
    const lastDigest =
      next.mode === 'digest' && current.mode !== 'digest' ? at : (row?.last_digest_at ?? null);
    await this.db.transaction().execute(async (trx) => {
      await repo.upsertPreference(trx, {
        user_id: p.id,
        mode: next.mode,
        digest_minutes: next.digestMinutes,
        locale: next.locale,
        last_digest_at: lastDigest,
        updated_at: at,
      });
      // Back to immediate delivery: what was held for the next digest goes out now, one by one.
      if (next.mode === 'immediate') await repo.releaseHeld(trx, at, p.id);
    });
    return next;
  }

  private webhookAdmin(
    p: Principal,
    communityId: string | undefined,
  ): { userId: string; username: string; communityId: string } {
    if (p.kind !== 'user' || !WEBHOOK_ADMINS.includes(p.role))
      throw forbidden('only administrators manage webhooks');
    const community = communityId ?? (p.communityIds.length === 1 ? p.communityIds[0] : undefined);
    if (!community)
      throw invalidInput('communityId', 'you serve several communities: say which one (communityId)');
    if (!p.communityIds.includes(community)) throw forbidden('you do not serve this community');
    return { userId: p.id, username: p.username, communityId: community };
  }

  async createWebhook(
    p: Principal,
    input: { url: string; events: string[]; communityId?: string | undefined },
  ): Promise<{ hook: WebhookRow; secret: string }> {
    const admin = this.webhookAdmin(p, input.communityId);
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw invalidInput('url', 'url must be an absolute http(s) URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw invalidInput('url', 'url must be an absolute http(s) URL');
    if (url.username || url.password)
      throw invalidInput('url', 'credentials do not belong in the URL; the body is signed');
    // Checked on the parsed URL, which has already turned 0x7f000001 or 2130706433 into 127.0.0.1.
    const internal = allowPrivateWebhooks() ? null : internalHostReason(url);
    if (internal) throw invalidInput('url', `webhooks go to public addresses only: ${internal}`);
    const events = [...new Set(input.events)];
    if (events.length === 0) throw invalidInput('events', 'name the events, or "*" for all');
    const unknown = events.filter((e) => e !== '*' && !WEBHOOK_EVENTS.includes(e));
    if (unknown.length)
      throw invalidInput(
        'events',
        `unknown events ${unknown.join(', ')}: use ${WEBHOOK_EVENTS.join(', ')} or *`,
      );
    const secret = randomToken(32);
    const at = this.deps.clock.now().toISOString();
    const row: WebhookRow = {
      id: newId(),
      community_id: admin.communityId,
      url: url.toString(),
      secret,
      events_json: JSON.stringify(events),
      active: 1,
      created_by: admin.userId,
      created_at: at,
    };
    await this.db.transaction().execute(async (trx) => {
      await repo.insertWebhook(trx, row);
      await appendAudit(trx, this.deps.database.dialect, {
        communityId: admin.communityId,
        createdAt: at,
        actor: `user:${admin.username}`,
        action: 'webhook.created',
        entityType: 'webhook',
        entityId: row.id,
        // Never the query or user info, where endpoints carry their tokens: the chain is kept
        // for years and read by auditors.
        payload: { url: redactedWebhookUrl(row.url), events },
      });
    });
    return { hook: row, secret };
  }

  async listWebhooks(p: Principal): Promise<WebhookRow[]> {
    if (p.kind !== 'user' || !WEBHOOK_ADMINS.includes(p.role))
      throw forbidden('only administrators manage webhooks');
    return repo.listWebhooks(this.db, p.communityIds);
  }

  async deleteWebhook(p: Principal, id: string): Promise<void> {
    const hook = await repo.findWebhook(this.db, id);
    if (!hook || p.kind !== 'user' || !p.communityIds.includes(hook.community_id))
      throw notFound('not_found', 'webhook', id);
    const admin = this.webhookAdmin(p, hook.community_id);
    const at = this.deps.clock.now().toISOString();
    await this.db.transaction().execute(async (trx) => {
      if (!(await repo.deactivateWebhook(trx, id)))
        throw new AppError('conflict', 'this webhook is already removed', { id });
      // What was still waiting for it will not go out: cancelled with the reason, not delivered.
      const cancelled = await repo.cancelWebhookEvents(trx, id, NOT_SENT.webhookRemoved);
      await appendAudit(trx, this.deps.database.dialect, {
        communityId: hook.community_id,
        createdAt: at,
        actor: `user:${admin.username}`,
        action: 'webhook.deleted',
        entityType: 'webhook',
        entityId: id,
        payload: { url: redactedWebhookUrl(hook.url), cancelledEvents: cancelled },
      });
    });
  }
}

function fromRow(r: PreferenceRow): Preferences {
  return {
    mode: r.mode === 'digest' ? 'digest' : 'immediate',
    digestMinutes: Number(r.digest_minutes),
    locale: r.locale === 'en' ? 'en' : 'zh-CN',
  };
}

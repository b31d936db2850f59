/**
 * Channel adapters: the in-app inbox, SMS and WeChat template messages behind provider
 * interfaces (development providers record what they would send), and signed webhooks.
 * Real providers plug in through `createChannelAdapters({ sms, wechat })`.
 */
import type { Database } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/context.ts';
import { newId } from '../../platform/ids.ts';
import { logOtpCodesFrom } from '../../platform/config.ts';
import { findWebhook, insertInboxItem, isAssignedTo, phoneOf } from './notifications.repository.ts';
import type { ChannelAdapter, OutgoingMessage } from './outbox.worker.ts';
import { NOT_SENT, NotSentError } from './outbox.recipients.ts';
import { loggableRecipient, loggableText } from './secrets.ts';
import { renderTemplate } from './templates.ts';
import { signWebhook, SIGNATURE_HEADER } from './webhook.signing.ts';
import {
  allowPrivateWebhooks,
  checkedLookup,
  internalHostReason,
  PermanentDeliveryError,
  systemResolver,
} from './webhook.guard.ts';
import type { HostResolver } from './webhook.guard.ts';
import { postWebhook } from './webhook.transport.ts';

/** An SMS gateway. `key` is the idempotency key: a gateway that supports it de-duplicates retries. */
export interface SmsProvider {
  send(to: string, text: string, key: string): Promise<void>;
}

/** A WeChat template-message sender (公众号/小程序订阅消息). */
export interface WechatProvider {
  send(
    recipient: string,
    template: string,
    data: { title: string; body: string },
    key: string,
  ): Promise<void>;
}

export interface RecordedMessage {
  channel: 'sms' | 'wechat';
  to: string;
  template: string;
  text: string;
  key: string;
}

/**
 * Development SMS and WeChat provider: keeps the last messages in memory and logs them, the
 * recipient masked (138****0001) and contact data in the text blanked; one-time codes show in
 * the log only when `logCodes` is on (LINLI_LOG_OTP, the demo).
 */
export class RecordingProvider implements SmsProvider, WechatProvider {
  readonly sent: RecordedMessage[] = [];
  private readonly logCodes: boolean;
  constructor(
    private readonly channel: 'sms' | 'wechat',
    private readonly logger: Logger,
    options: { logCodes?: boolean } = {},
  ) {
    this.logCodes = options.logCodes ?? false;
  }
  async send(to: string, a: string, b: string | { title: string; body: string }, c?: string): Promise<void> {
    const msg: RecordedMessage =
      typeof b === 'string'
        ? { channel: this.channel, to, template: 'sms', text: a, key: b }
        : { channel: this.channel, to, template: a, text: `${b.title}：${b.body}`, key: c ?? '' };
    this.sent.push(msg);
    if (this.sent.length > 2000) this.sent.splice(0, 1000);
    this.logger.info(
      { channel: msg.channel, to: loggableRecipient(to), key: msg.key },
      `${msg.channel} (development): ${loggableText(msg.text, this.logCodes)}`,
    );
  }
}

/**
 * In-app delivery: the rendered message becomes an inbox item of its recipient, once per key. A
 * "new order" message delivered after the order has left its recipient, or was closed without
 * their work, is kept, already read.
 */
export class InboxAdapter implements ChannelAdapter {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}
  async deliver(msg: OutgoingMessage): Promise<void> {
    if (!msg.recipientId) throw new Error('an in-app message needs a recipient');
    const { title, body } = renderTemplate(msg.template, msg.locale, msg.payload);
    const payload = (typeof msg.payload === 'object' && msg.payload !== null ? msg.payload : {}) as Record<
      string,
      unknown
    >;
    const orderId = typeof payload.orderId === 'string' ? payload.orderId : null;
    const now = this.clock.now().toISOString();
    const stale =
      msg.template === 'order_assigned' &&
      orderId !== null &&
      (msg.recipientType ?? 'user') === 'user' &&
      !(await isAssignedTo(this.database.db, orderId, msg.recipientId));
    await insertInboxItem(this.database.db, {
      id: newId(),
      message_key: msg.id,
      recipient_type: msg.recipientType ?? 'user',
      recipient_id: msg.recipientId,
      template: msg.template,
      title,
      body,
      payload_json: JSON.stringify(payload),
      order_id: orderId,
      created_at: now,
      read_at: stale ? now : null,
    });
  }
}

export class SmsAdapter implements ChannelAdapter {
  constructor(
    private readonly database: Database,
    private readonly provider: SmsProvider,
  ) {}
  async deliver(msg: OutgoingMessage): Promise<void> {
    const to =
      msg.address ??
      (msg.recipientId ? await phoneOf(this.database.db, msg.recipientType ?? '', msg.recipientId) : null);
    if (!to) throw new Error('no phone number for this recipient');
    const { title, body } = renderTemplate(msg.template, msg.locale, msg.payload);
    await this.provider.send(to, `【邻里】${title}：${body}`, msg.id);
  }
}

export class WechatAdapter implements ChannelAdapter {
  constructor(private readonly provider: WechatProvider) {}
  async deliver(msg: OutgoingMessage): Promise<void> {
    const to = msg.address ?? msg.recipientId;
    if (!to) throw new Error('no WeChat recipient');
    await this.provider.send(to, msg.template, renderTemplate(msg.template, msg.locale, msg.payload), msg.id);
  }
}

/**
 * POSTs the event as JSON to the subscriber, signed with its secret, with a hard timeout; a
 * non-2xx answer or a timeout is a failure the outbox retries with back-off. Redirects are not
 * followed (a signed body is meant for the URL that was registered, and a Location could point
 * inside). The name is resolved once per delivery and the socket connects to exactly the
 * addresses that passed the internal-address check, so a DNS answer that changes between the
 * check and the connection (rebinding) cannot reach the server's own network.
 */
export class WebhookAdapter implements ChannelAdapter {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly allowPrivate: boolean = allowPrivateWebhooks(),
    private readonly resolve: HostResolver = systemResolver,
  ) {}
  async deliver(msg: OutgoingMessage): Promise<void> {
    const sub = msg.recipientId ? await findWebhook(this.database.db, msg.recipientId) : undefined;
    // A subscription removed since the message was written (its removal cancels what it finds
    // waiting; this one was already claimed): not sent, and never counted as delivered.
    if (!sub || sub.active !== 1) throw new NotSentError(NOT_SENT.webhookRemoved);
    // The URL the worker read from the subscription when it took the message (the outbox keeps
    // it only redacted); a caller that resolved none gets the subscription's.
    const url = new URL(msg.address ?? sub.url);
    // Names like localhost, and IP literals (connected to without a lookup); a name's addresses
    // are checked by the lookup the socket uses, whatever the URL came from. The subscription may
    // predate the rule.
    const reason = this.allowPrivate ? null : internalHostReason(url);
    if (reason) throw new PermanentDeliveryError(`webhook refused: ${reason}`);
    const body = JSON.stringify({ id: msg.id, event: msg.template, data: msg.payload });
    const ts = Math.floor(this.clock.now().getTime() / 1000);
    const status = await postWebhook(url, {
      headers: {
        'content-type': 'application/json',
        'user-agent': 'linli-webhooks/1',
        'x-linli-event': msg.template,
        'x-linli-delivery': msg.id,
        [SIGNATURE_HEADER]: signWebhook(sub.secret, ts, body),
      },
      body,
      timeoutMs: this.timeoutMs,
      lookup: checkedLookup(this.resolve, this.allowPrivate),
    });
    if (status < 200 || status >= 300) throw new Error(`webhook endpoint answered ${status}`);
  }
}

export interface ChannelSet {
  adapters: Record<string, ChannelAdapter>;
  /** The development recorders (absent when real providers were given). */
  recorded: { sms?: RecordingProvider; wechat?: RecordingProvider };
}

/** The adapters of one node: real providers when given, recording development providers otherwise. */
export function createChannelAdapters(
  database: Database,
  clock: Clock,
  logger: Logger,
  options: {
    sms?: SmsProvider;
    wechat?: WechatProvider;
    webhookTimeoutMs?: number;
    /** Let webhooks reach private addresses (tests, local development); default LINLI_WEBHOOK_ALLOW_PRIVATE. */
    webhookAllowPrivate?: boolean;
    /** How webhook host names are resolved (default the system resolver; tests inject a fake). */
    webhookResolve?: HostResolver;
    /** Let the development providers log one-time codes; default LINLI_LOG_OTP (off unless 1; the demo sets it). */
    logCodes?: boolean;
  } = {},
): ChannelSet {
  const logCodes = options.logCodes ?? logOtpCodesFrom();
  const sms: SmsProvider = options.sms ?? new RecordingProvider('sms', logger, { logCodes });
  const wechat: WechatProvider = options.wechat ?? new RecordingProvider('wechat', logger, { logCodes });
  return {
    adapters: {
      inapp: new InboxAdapter(database, clock),
      sms: new SmsAdapter(database, sms),
      wechat: new WechatAdapter(wechat),
      webhook: new WebhookAdapter(
        database,
        clock,
        options.webhookTimeoutMs ?? 5000,
        options.webhookAllowPrivate ?? allowPrivateWebhooks(),
        options.webhookResolve,
      ),
    },
    recorded: {
      ...(sms instanceof RecordingProvider ? { sms } : {}),
      ...(wechat instanceof RecordingProvider ? { wechat } : {}),
    },
  };
}

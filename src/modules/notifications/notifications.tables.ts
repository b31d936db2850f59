/** Tables of the notifications module beyond the core outbox (migration 2026112120_sla). */
export interface InboxItemTable {
  id: string;
  /** The outbox idempotency key: delivering a message twice leaves one inbox item. */
  message_key: string;
  recipient_type: string;
  recipient_id: string;
  template: string;
  title: string;
  body: string;
  payload_json: string;
  order_id: string | null;
  created_at: string;
  read_at: string | null;
}

export interface NotificationPreferenceTable {
  user_id: string;
  /** immediate | digest */
  mode: string;
  digest_minutes: number;
  locale: string;
  last_digest_at: string | null;
  updated_at: string;
}

export interface WebhookSubscriptionTable {
  id: string;
  community_id: string;
  url: string;
  secret: string;
  /** JSON array of event names (templates), or ["*"]. */
  events_json: string;
  active: number;
  created_by: string;
  created_at: string;
}

export type NotificationTables = {
  inbox_items: InboxItemTable;
  notification_preferences: NotificationPreferenceTable;
  webhook_subscriptions: WebhookSubscriptionTable;
};

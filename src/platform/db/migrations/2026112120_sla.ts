import type { Kysely } from 'kysely';

/**
 * SLA, supervision, closing the loop and notifications: policies and calendars as data, the
 * stored per-order metrics, durable timers, escalations and supervision orders (督办), return
 * visits (回访) and surveys, the in-app inbox, per-user delivery preferences and webhooks.
 * Portable column types only, as in the core migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sla_calendars')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('weekly_json', 'text', (c) => c.notNull())
    .addColumn('holidays_json', 'text', (c) => c.notNull())
    .addColumn('workdays_json', 'text', (c) => c.notNull())
    .addColumn('workday_hours_from', 'integer', (c) => c.notNull())
    .addColumn('holiday_region', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sla_holiday_files')
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('file_json', 'text', (c) => c.notNull())
    .addColumn('provisional', 'integer', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addColumn('imported_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sla_holiday_files_pk', ['region', 'year'])
    .execute();

  await db.schema
    .createTable('sla_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('priority_band', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('community_id', 'text')
    .addColumn('calendar_id', 'text', (c) => c.notNull())
    .addColumn('first_response_minutes', 'double precision', (c) => c.notNull())
    .addColumn('resolution_minutes', 'double precision', (c) => c.notNull())
    .addColumn('update_interval_minutes', 'double precision')
    .addColumn('warn_at_ratio', 'double precision', (c) => c.notNull())
    .addColumn('escalation_chain_json', 'text', (c) => c.notNull())
    .addColumn('escalation_step_minutes', 'double precision', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sla_order_metrics')
    .addColumn('work_order_id', 'text', (c) => c.primaryKey())
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('policy_json', 'text', (c) => c.notNull())
    .addColumn('calendar_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('grid_id', 'text')
    .addColumn('assignee_id', 'text')
    .addColumn('sla_status', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('first_response_due_at', 'text')
    .addColumn('first_response_at', 'text')
    .addColumn('first_response_minutes', 'double precision', (c) => c.notNull())
    .addColumn('first_response_met', 'integer')
    .addColumn('first_response_warned_at', 'text')
    .addColumn('first_response_breached_at', 'text')
    .addColumn('resolution_due_at', 'text')
    .addColumn('resolution_at', 'text')
    .addColumn('resolution_minutes', 'double precision', (c) => c.notNull())
    .addColumn('resolution_met', 'integer')
    .addColumn('resolution_warned_at', 'text')
    .addColumn('resolution_breached_at', 'text')
    .addColumn('update_due_at', 'text')
    .addColumn('paused_minutes', 'double precision', (c) => c.notNull())
    .addColumn('paused_wall_minutes', 'double precision', (c) => c.notNull())
    .addColumn('reopen_count', 'integer', (c) => c.notNull())
    .addColumn('escalation_level', 'text')
    .addColumn('escalated_at', 'text')
    .addColumn('history_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sla_metrics_community_due')
    .on('sla_order_metrics')
    .columns(['community_id', 'sla_status', 'resolution_due_at'])
    .execute();
  await db.schema
    .createIndex('sla_metrics_assignee')
    .on('sla_order_metrics')
    .columns(['assignee_id', 'sla_status'])
    .execute();
  await db.schema
    .createIndex('sla_metrics_community_month')
    .on('sla_order_metrics')
    .columns(['community_id', 'month'])
    .execute();

  await db.schema
    .createTable('sla_timers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('work_order_id', 'text')
    .addColumn('community_id', 'text')
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('fired_at', 'text')
    .execute();
  await db.schema.createIndex('sla_timers_due').on('sla_timers').columns(['status', 'due_at']).execute();
  await db.schema
    .createIndex('sla_timers_order')
    .on('sla_timers')
    .columns(['work_order_id', 'status'])
    .execute();

  await db.schema
    .createTable('sla_escalations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('work_order_id', 'text', (c) => c.notNull())
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('clock', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sla_escalations_order')
    .on('sla_escalations')
    .columns(['work_order_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('sla_supervisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('work_order_id', 'text', (c) => c.notNull())
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('level', 'text')
    .addColumn('issued_by', 'text', (c) => c.notNull())
    .addColumn('issued_by_name', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('response', 'text')
    .addColumn('responded_by', 'text')
    .addColumn('responded_by_name', 'text')
    .addColumn('responded_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('sla_supervisions_community')
    .on('sla_supervisions')
    .columns(['community_id', 'status', 'due_at'])
    .execute();
  await db.schema
    .createIndex('sla_supervisions_order')
    .on('sla_supervisions')
    .column('work_order_id')
    .execute();

  await db.schema
    .createTable('return_visits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('work_order_id', 'text', (c) => c.notNull())
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('rating', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('satisfaction', 'integer')
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addColumn('completed_by', 'text')
    .execute();
  await db.schema
    .createIndex('return_visits_community')
    .on('return_visits')
    .columns(['community_id', 'status', 'due_at'])
    .execute();

  await db.schema
    .createTable('satisfaction_surveys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('work_order_id', 'text', (c) => c.notNull().unique())
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('resident_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'text')
    .addColumn('score', 'integer')
    .addColumn('comment', 'text')
    .execute();
  await db.schema
    .createIndex('satisfaction_surveys_resident')
    .on('satisfaction_surveys')
    .column('resident_id')
    .execute();

  await db.schema
    .createTable('inbox_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('message_key', 'text', (c) => c.notNull().unique())
    .addColumn('recipient_type', 'text', (c) => c.notNull())
    .addColumn('recipient_id', 'text', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('order_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text')
    .execute();
  await db.schema
    .createIndex('inbox_items_recipient')
    .on('inbox_items')
    .columns(['recipient_type', 'recipient_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('notification_preferences')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('digest_minutes', 'integer', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('last_digest_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhook_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('events_json', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webhook_subscriptions_community')
    .on('webhook_subscriptions')
    .columns(['community_id', 'active'])
    .execute();

  // Digest mode holds a user's messages; the digest worker gathers them per recipient.
  await db.schema.createIndex('outbox_recipient').on('outbox').columns(['status', 'recipient_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('outbox_recipient').ifExists().execute();
  for (const t of [
    'webhook_subscriptions',
    'notification_preferences',
    'inbox_items',
    'satisfaction_surveys',
    'return_visits',
    'sla_supervisions',
    'sla_escalations',
    'sla_timers',
    'sla_order_metrics',
    'sla_policies',
    'sla_holiday_files',
    'sla_calendars',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}

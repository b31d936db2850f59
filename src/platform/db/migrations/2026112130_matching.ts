import type { Kysely } from 'kysely';

// Matching and dispatch: the service-resource catalogue, service packages, the staff who work for
// each resource and what they can do, dispatch rules, and every assignment with its acceptance
// deadline (the deadline lives in the row, so a restarted node picks the timers up again).
// Portable column types only, so the same migration runs on SQLite and PostgreSQL.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('resources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('community_id', 'text', (c) => c.notNull().references('communities.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('categories_json', 'text', (c) => c.notNull())
    .addColumn('keywords_json', 'text', (c) => c.notNull())
    .addColumn('lat', 'double precision', (c) => c.notNull())
    .addColumn('lng', 'double precision', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('service_area_json', 'text', (c) => c.notNull())
    .addColumn('capacity_concurrent', 'integer', (c) => c.notNull())
    .addColumn('capacity_daily', 'integer', (c) => c.notNull())
    .addColumn('opening_hours_json', 'text', (c) => c.notNull())
    .addColumn('contacts_json', 'text', (c) => c.notNull())
    .addColumn('rating', 'double precision', (c) => c.notNull())
    .addColumn('on_duty', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('emergency_responder', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skills_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('certificates_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('resources_community_code', ['community_id', 'code'])
    .execute();

  await db.schema
    .createTable('service_packages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('community_id', 'text', (c) => c.notNull().references('communities.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull().references('resources.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('duration_minutes', 'integer', (c) => c.notNull())
    .addColumn('price_cny', 'double precision', (c) => c.notNull())
    .addColumn('eligibility_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('service_packages_community_code', ['community_id', 'code'])
    .execute();

  // The people who work for a resource: a dispatch to a resource names one of them.
  await db.schema
    .createTable('resource_staff')
    .addColumn('resource_id', 'text', (c) => c.notNull().references('resources.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addPrimaryKeyConstraint('resource_staff_pk', ['resource_id', 'user_id'])
    .execute();
  await db.schema.createIndex('resource_staff_user').on('resource_staff').column('user_id').execute();

  // What a staff member can do and when: skills, certificates with expiry, weekly on-duty hours.
  await db.schema
    .createTable('staff_capabilities')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
    .addColumn('skills_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('certificates_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('duty_hours_json', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('dispatch_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('community_id', 'text', (c) => c.notNull().references('communities.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('urgencies_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('priorities_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('accept_timeout_s', 'integer', (c) => c.notNull())
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('dispatch_rules_community')
    .on('dispatch_rules')
    .column('community_id')
    .execute();

  await db.schema
    .createTable('dispatch_assignments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('work_order_id', 'text', (c) => c.notNull().references('work_orders.id'))
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('lane', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('score', 'double precision')
    .addColumn('reason', 'text')
    .addColumn('assigned_at', 'text', (c) => c.notNull())
    .addColumn('deadline_at', 'text')
    .addColumn('responded_at', 'text')
    .addColumn('response_note', 'text')
    .execute();
  await db.schema
    .createIndex('dispatch_assignments_due')
    .on('dispatch_assignments')
    .columns(['state', 'deadline_at'])
    .execute();
  await db.schema
    .createIndex('dispatch_assignments_order')
    .on('dispatch_assignments')
    .column('work_order_id')
    .execute();
  await db.schema
    .createIndex('dispatch_assignments_resource')
    .on('dispatch_assignments')
    .columns(['community_id', 'resource_id', 'assigned_at'])
    .execute();

  // Round-robin memory per pool (community × category), shared by every app node.
  await db.schema
    .createTable('dispatch_rotation')
    .addColumn('pool_key', 'text', (c) => c.primaryKey())
    .addColumn('last_code', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'dispatch_rotation',
    'dispatch_assignments',
    'dispatch_rules',
    'staff_capabilities',
    'resource_staff',
    'service_packages',
    'resources',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}

import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('work_orders')
    .addColumn('needs_triage', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('work_orders_triage')
    .on('work_orders')
    .columns(['community_id', 'needs_triage', 'created_at'])
    .execute();

  // Labels given by people: corrections of the model and triage decisions, the training data of a community.
  await db.schema
    .createTable('classification_labels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('work_order_id', 'text', (c) => c.notNull())
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('subcategory', 'text')
    .addColumn('urgency', 'text', (c) => c.notNull())
    .addColumn('previous_json', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('classification_labels_community')
    .on('classification_labels')
    .columns(['community_id', 'created_at'])
    .execute();

  // Versioned models per community; exactly one may be active, earlier ones stay for rollback.
  await db.schema
    .createTable('classifier_models')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('taxonomy_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('metrics_json', 'text', (c) => c.notNull())
    .addColumn('model_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('activated_at', 'text')
    .addUniqueConstraint('classifier_models_version', ['community_id', 'version'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('classifier_models').ifExists().execute();
  await db.schema.dropTable('classification_labels').ifExists().execute();
  await db.schema.dropIndex('work_orders_triage').ifExists().execute();
  await db.schema.alterTable('work_orders').dropColumn('needs_triage').execute();
}

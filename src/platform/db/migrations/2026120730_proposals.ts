import type { Kysely } from 'kysely';

/**
 * Participation (民生微实事 / 社区议事厅): residents' proposals, their votes (one per resident and
 * proposal: the primary key, so a race cannot count a resident twice on either database) and
 * their timeline (review steps and implementation progress).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('proposals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('grid_id', 'text')
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('filed_by', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('reject_reason', 'text')
    .addColumn('voting_starts_at', 'text')
    .addColumn('voting_ends_at', 'text')
    .addColumn('quorum', 'integer')
    .addColumn('budget_estimate', 'integer')
    .addColumn('votes', 'integer', (c) => c.notNull())
    .addColumn('progress_percent', 'integer', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('proposals_community_created')
    .on('proposals')
    .columns(['community_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('proposal_votes')
    .addColumn('proposal_id', 'text', (c) => c.notNull())
    .addColumn('resident_id', 'text', (c) => c.notNull())
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('proposal_votes_pk', ['proposal_id', 'resident_id'])
    .execute();
  await db.schema
    .createIndex('proposal_votes_community_created')
    .on('proposal_votes')
    .columns(['community_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('proposal_updates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('proposal_id', 'text', (c) => c.notNull())
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('percent', 'integer')
    .addColumn('note', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('proposal_updates_proposal')
    .on('proposal_updates')
    .columns(['proposal_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('proposal_updates').execute();
  await db.schema.dropTable('proposal_votes').execute();
  await db.schema.dropTable('proposals').execute();
}

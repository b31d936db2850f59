import type { Kysely } from 'kysely';

/**
 * A transaction is reversed (冲正) at most once: one reversal may name it. The unique index is the
 * check that holds when two staff reverse the same transaction at once (NULLs, the transactions
 * that reverse nothing, are distinct on both databases). Proposals whose voting window has ended
 * are found by the close pass through their status and end; a resident's proposals and votes by
 * the resident (their copy of their data, and erasure).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('time_transactions_reverses')
    .unique()
    .on('time_transactions')
    .column('reverses_id')
    .execute();
  await db.schema
    .createIndex('proposals_status_voting_ends')
    .on('proposals')
    .columns(['status', 'voting_ends_at'])
    .execute();
  await db.schema.createIndex('proposals_author').on('proposals').column('author_id').execute();
  await db.schema
    .createIndex('proposal_votes_resident')
    .on('proposal_votes')
    .columns(['resident_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('proposal_votes_resident').execute();
  await db.schema.dropIndex('proposals_author').execute();
  await db.schema.dropIndex('proposals_status_voting_ends').execute();
  await db.schema.dropIndex('time_transactions_reverses').execute();
}

import type { Kysely } from 'kysely';

/**
 * The names a resident had before a rename, each with when it stopped being theirs: the text
 * written about them before the rename (an order's description, a note, a survey comment) names
 * them by it, so erasure (PIPL art. 47) blanks these too and then deletes the rows, and a copy of
 * their data (art. 45) lists them. One row per resident and name: renamed back and forth, a name
 * keeps one row with its latest end, and a name that is theirs again is no former name.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('resident_former_names')
    .addColumn('resident_id', 'text', (c) => c.notNull().references('residents.id'))
    .addColumn('community_id', 'text', (c) => c.notNull().references('communities.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('resident_former_names_pk', ['resident_id', 'name'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('resident_former_names').execute();
}

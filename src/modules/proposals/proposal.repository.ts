import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from '../../platform/db/database.ts';
import type { DB } from '../../platform/db/schema.ts';
import { selectInChunks } from '../../platform/db/in-chunks.ts';
import type { ProposalTable, ProposalTables, ProposalUpdateTable } from './proposal.tables.ts';
import type { ProposalPatch, ProposalStatus } from './proposal.machine.ts';

type Db = Kysely<DB & ProposalTables>;
const t = (db: Kysely<DB>): Db => db.withTables<ProposalTables>();

export type ProposalRow = Selectable<ProposalTable>;
export type ProposalUpdateRow = Selectable<ProposalUpdateTable>;

export async function insertProposal(db: Kysely<DB>, row: ProposalTable): Promise<void> {
  await t(db).insertInto('proposals').values(row).execute();
}

export async function findProposal(db: Kysely<DB>, id: string): Promise<ProposalRow | undefined> {
  return t(db).selectFrom('proposals').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface ListFilter {
  communityIds: string[];
  status?: ProposalStatus | undefined;
  /** Residents: only these statuses, or any status of their own proposals. */
  visibleTo?: { publicStatuses: readonly ProposalStatus[]; authorId: string } | undefined;
  before?: { createdAt: string; id: string } | undefined;
  limit: number;
}

/** Newest first, a keyset page after `before`. */
export async function listProposals(db: Kysely<DB>, f: ListFilter): Promise<ProposalRow[]> {
  if (f.communityIds.length === 0) return [];
  let q = t(db).selectFrom('proposals').selectAll().where('community_id', 'in', f.communityIds);
  if (f.status) q = q.where('status', '=', f.status);
  const v = f.visibleTo;
  if (v)
    q = q.where((eb) => eb.or([eb('status', 'in', [...v.publicStatuses]), eb('author_id', '=', v.authorId)]));
  const b = f.before;
  if (b)
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', b.createdAt),
        eb.and([eb('created_at', '=', b.createdAt), eb('id', '<', b.id)]),
      ]),
    );
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}

/** Proposals open for voting whose window ended by `at`, oldest end first (the close pass's work). */
export async function dueForClose(
  db: Kysely<DB>,
  at: string,
  limit: number,
): Promise<{ id: string; version: number }[]> {
  return t(db)
    .selectFrom('proposals')
    .select(['id', 'version'])
    .where('status', '=', 'open_for_voting')
    .where('voting_ends_at', '<=', at)
    .orderBy('voting_ends_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Applies a step if the proposal is still at `version`; false when someone changed it first. */
export async function updateProposal(
  db: Kysely<DB>,
  id: string,
  version: number,
  change: ProposalPatch & { status: ProposalStatus; updated_at: string },
): Promise<boolean> {
  const r = await t(db)
    .updateTable('proposals')
    .set({ ...change, version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Locks the proposal's row at `version` (PostgreSQL: votes in flight commit first, and later ones
 * wait); false when it is at another version.
 */
export async function touchProposal(
  db: Kysely<DB>,
  id: string,
  version: number,
  at: string,
): Promise<boolean> {
  const r = await t(db)
    .updateTable('proposals')
    .set({ updated_at: at })
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Records a vote once per resident and proposal (the primary key); false when it was there. */
export async function insertVote(
  db: Kysely<DB>,
  row: { proposal_id: string; resident_id: string; community_id: string; created_at: string },
): Promise<boolean> {
  const r = await t(db)
    .insertInto('proposal_votes')
    .values(row)
    .onConflict((oc) => oc.columns(['proposal_id', 'resident_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function deleteVote(db: Kysely<DB>, proposalId: string, residentId: string): Promise<boolean> {
  const r = await t(db)
    .deleteFrom('proposal_votes')
    .where('proposal_id', '=', proposalId)
    .where('resident_id', '=', residentId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/**
 * Moves the tally by one, only while the window is open at `at`; false otherwise (the caller
 * rolls back the vote). On PostgreSQL the row lock orders concurrent votes, so the count is exact.
 */
export async function moveTally(db: Kysely<DB>, id: string, delta: 1 | -1, at: string): Promise<boolean> {
  const r = await t(db)
    .updateTable('proposals')
    .set((eb) => ({ votes: eb('votes', '+', delta) }))
    .where('id', '=', id)
    .where('status', '=', 'open_for_voting')
    .where('voting_starts_at', '<=', at)
    .where('voting_ends_at', '>', at)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function countVotes(db: Kysely<DB>, proposalId: string): Promise<number> {
  const r = await t(db)
    .selectFrom('proposal_votes')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('proposal_id', '=', proposalId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Which of these proposals the resident has voted on. */
export async function votedAmong(
  db: Kysely<DB>,
  residentId: string,
  proposalIds: string[],
): Promise<Set<string>> {
  const rows = await selectInChunks(proposalIds, (ids) =>
    t(db)
      .selectFrom('proposal_votes')
      .select('proposal_id')
      .where('resident_id', '=', residentId)
      .where('proposal_id', 'in', ids)
      .execute(),
  );
  return new Set(rows.map((r) => r.proposal_id));
}

export async function insertUpdate(db: Kysely<DB>, row: ProposalUpdateTable): Promise<void> {
  await t(db).insertInto('proposal_updates').values(row).execute();
}

export async function updatesOf(db: Kysely<DB>, proposalId: string): Promise<ProposalUpdateRow[]> {
  return t(db)
    .selectFrom('proposal_updates')
    .selectAll()
    .where('proposal_id', '=', proposalId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export interface AuthorRow {
  id: string;
  name: string;
  phone: string | null;
  community_id: string;
  grid_id: string | null;
  erased_at: string | null;
}

/** Residents with their household's grid. */
export async function residentsByIds(db: Kysely<DB>, ids: string[]): Promise<Map<string, AuthorRow>> {
  const rows = await selectInChunks([...new Set(ids)], (chunk) =>
    db
      .selectFrom('residents')
      .leftJoin('households', 'households.id', 'residents.household_id')
      .select([
        'residents.id',
        'residents.name',
        'residents.phone',
        'residents.community_id',
        'households.grid_id',
        'residents.erased_at',
      ])
      .where('residents.id', 'in', chunk)
      .execute(),
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Whether the resident is there and not erased, read inside a change's transaction: FOR SHARE on
 * PostgreSQL, so an erasure (which updates the resident's row first) either committed before and
 * is seen, or waits for the change and then finds what it wrote.
 */
export async function isLivingResident(trx: Kysely<DB>, dialect: Dialect, id: string): Promise<boolean> {
  const q = trx.selectFrom('residents').select('erased_at').where('id', '=', id);
  const r = await (dialect === 'postgres' ? q.forShare() : q).executeTakeFirst();
  return r !== undefined && r.erased_at === null;
}

// ── participation ────────────────────────────────────────────────────────────

/** After `from`, up to and including `to` (the default `to`, the present, counts what happened now). */
export interface Period {
  from: string;
  to: string;
}

/** Residents (not erased) per community and grid (null: no household or no grid). */
export async function residentsPerGrid(db: Kysely<DB>, communityIds: string[]) {
  const rows = await db
    .selectFrom('residents')
    .leftJoin('households', 'households.id', 'residents.household_id')
    .select((eb) => [
      'residents.community_id',
      'households.grid_id',
      eb.fn.countAll<number | string>().as('n'),
    ])
    .where('residents.community_id', 'in', communityIds)
    .where('residents.erased_at', 'is', null)
    .groupBy(['residents.community_id', 'households.grid_id'])
    .execute();
  return rows.map((r) => ({ communityId: r.community_id, gridId: r.grid_id, n: Number(r.n) }));
}

/** Distinct residents who filed a proposal or voted in the period, per community and their grid. */
export async function participantsPerGrid(db: Kysely<DB>, communityIds: string[], p: Period) {
  const d = t(db);
  const who = d
    .selectFrom('proposals')
    .select(['community_id', 'author_id as resident_id'])
    .where('community_id', 'in', communityIds)
    .where('created_at', '>', p.from)
    .where('created_at', '<=', p.to)
    .union(
      d
        .selectFrom('proposal_votes')
        .select(['community_id', 'resident_id'])
        .where('community_id', 'in', communityIds)
        .where('created_at', '>', p.from)
        .where('created_at', '<=', p.to),
    );
  const rows = await d
    .selectFrom(who.as('u'))
    .innerJoin('residents', 'residents.id', 'u.resident_id')
    .leftJoin('households', 'households.id', 'residents.household_id')
    .select((eb) => ['u.community_id', 'households.grid_id', eb.fn.countAll<number | string>().as('n')])
    .where('residents.erased_at', 'is', null)
    .groupBy(['u.community_id', 'households.grid_id'])
    .execute();
  return rows.map((r) => ({ communityId: r.community_id, gridId: r.grid_id, n: Number(r.n) }));
}

/** Proposals filed in the period, per community, grid and status. */
export async function proposalsPerStatus(db: Kysely<DB>, communityIds: string[], p: Period) {
  const rows = await t(db)
    .selectFrom('proposals')
    .select((eb) => ['community_id', 'grid_id', 'status', eb.fn.countAll<number | string>().as('n')])
    .where('community_id', 'in', communityIds)
    .where('created_at', '>', p.from)
    .where('created_at', '<=', p.to)
    .groupBy(['community_id', 'grid_id', 'status'])
    .execute();
  return rows.map((r) => ({
    communityId: r.community_id,
    gridId: r.grid_id,
    status: r.status,
    n: Number(r.n),
  }));
}

/** Votes cast in the period (and not withdrawn), per community and the voter's grid. */
export async function votesPerGrid(db: Kysely<DB>, communityIds: string[], p: Period) {
  const rows = await t(db)
    .selectFrom('proposal_votes')
    .leftJoin('residents', 'residents.id', 'proposal_votes.resident_id')
    .leftJoin('households', 'households.id', 'residents.household_id')
    .select((eb) => [
      'proposal_votes.community_id',
      'households.grid_id',
      eb.fn.countAll<number | string>().as('n'),
    ])
    .where('proposal_votes.community_id', 'in', communityIds)
    .where('proposal_votes.created_at', '>', p.from)
    .where('proposal_votes.created_at', '<=', p.to)
    .groupBy(['proposal_votes.community_id', 'households.grid_id'])
    .execute();
  return rows.map((r) => ({ communityId: r.community_id, gridId: r.grid_id, n: Number(r.n) }));
}

export async function communityNames(db: Kysely<DB>, ids: string[]) {
  return db.selectFrom('communities').select(['id', 'code', 'name']).where('id', 'in', ids).execute();
}

export async function gridNames(db: Kysely<DB>, communityIds: string[]) {
  return db
    .selectFrom('grids')
    .select(['id', 'community_id', 'name'])
    .where('community_id', 'in', communityIds)
    .execute();
}

// ── erasure ──────────────────────────────────────────────────────────────────

/** The words of a resident's proposals and of their timelines, for an erasure to anonymise. */
export async function proposalTextsOf(db: Kysely<DB>, authorId: string) {
  const proposals = await t(db)
    .selectFrom('proposals')
    .select(['id', 'title', 'description', 'reject_reason'])
    .where('author_id', '=', authorId)
    .execute();
  const updates = await selectInChunks(
    proposals.map((p) => p.id),
    (ids) =>
      t(db)
        .selectFrom('proposal_updates')
        .select(['id', 'note'])
        .where('proposal_id', 'in', ids)
        .where('note', 'is not', null)
        .execute(),
  );
  return { proposals, updates };
}

export async function setProposalText(
  db: Kysely<DB>,
  id: string,
  text: { title: string; description: string; reject_reason: string | null },
): Promise<void> {
  await t(db).updateTable('proposals').set(text).where('id', '=', id).execute();
}

export async function setProposalUpdateNote(db: Kysely<DB>, id: string, note: string | null): Promise<void> {
  await t(db).updateTable('proposal_updates').set({ note }).where('id', '=', id).execute();
}

/**
 * Participation (民生微实事 / 社区议事厅): filing, reviewing and deciding proposals, one vote per
 * resident, implementation tracking and the participation index. Each change is written with
 * its audit entry, in the community's chain, in one transaction.
 */
import type { Kysely } from 'kysely';
import type { Deps } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import {
  AppError,
  forbidden,
  invalidInput,
  isTransientDatabaseError,
  notFound,
} from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { actorLabel, scopedCommunities } from '../../platform/auth/principal.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { PUBLIC_STATUSES, step, votingPhase } from './proposal.machine.ts';
import type {
  ProposalAction,
  ProposalInput,
  ProposalPatch,
  ProposalState,
  ProposalStatus,
} from './proposal.machine.ts';
import { canPropose, canRead, canSteward, canVote } from './proposal.policy.ts';
import type { ProposalFacts } from './proposal.policy.ts';
import * as repo from './proposal.repository.ts';
import type { AuthorRow, ProposalRow, ProposalUpdateRow } from './proposal.repository.ts';
import { participationReport } from './proposal.participation-report.ts';
import type { ParticipationReport } from './proposal.participation-report.ts';

const DAY_MS = 86_400_000;

export const stateOf = (r: ProposalRow): ProposalState => ({
  status: r.status as ProposalStatus,
  votingStartsAt: r.voting_starts_at,
  votingEndsAt: r.voting_ends_at,
  quorum: r.quorum,
  votes: r.votes,
  progressPercent: r.progress_percent,
});

/** A step's changes without the words typed into it (the reason), for the audit chain. */
function withoutText(patch: ProposalPatch): Omit<ProposalPatch, 'reject_reason'> {
  const { reject_reason: _reason, ...rest } = patch;
  return rest;
}

export const factsOf = (r: ProposalRow): ProposalFacts => ({
  communityId: r.community_id,
  authorId: r.author_id,
  status: r.status as ProposalStatus,
});

export interface ProposalPage {
  rows: ProposalRow[];
  authors: Map<string, AuthorRow>;
  voted: Set<string>;
}

export interface ProposalDetail extends ProposalPage {
  updates: ProposalUpdateRow[];
}

export interface VoteResult {
  voted: boolean;
  votes: number;
}

export class ProposalService {
  constructor(private readonly deps: Pick<Deps, 'database' | 'clock'>) {}

  private get db() {
    return this.deps.database.db;
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  private audit(trx: Kysely<DB>, p: Principal, r: ProposalRow, action: string, payload: unknown, at: string) {
    return appendAudit(trx, this.deps.database.dialect, {
      communityId: r.community_id,
      createdAt: at,
      actor: actorLabel(p),
      action: `proposal.${action}`,
      entityType: 'proposal',
      entityId: r.id,
      payload,
    });
  }

  /**
   * Refuses, inside a change's transaction and before it writes, a resident erased since the request
   * was read: an erasure that raced the request, or a principal a node cached (for up to a second)
   * before the erasure reached it. Answered as every erased resident is: `resident_not_found`.
   */
  private async refuseErased(trx: Kysely<DB>, residentId: string): Promise<void> {
    if (!(await repo.isLivingResident(trx, this.deps.database.dialect, residentId)))
      throw notFound('resident_not_found', 'resident', residentId);
  }

  /** A proposal the caller may read, else `proposal_not_found` (others' are not told to exist). */
  private async readable(p: Principal, id: string, db: Kysely<DB> = this.db): Promise<ProposalRow> {
    const r = await repo.findProposal(db, id);
    if (!r || !canRead(p, factsOf(r))) throw notFound('proposal_not_found', 'proposal', id);
    return r;
  }

  private async withPeople(p: Principal, rows: ProposalRow[]): Promise<ProposalPage> {
    const authors = await repo.residentsByIds(
      this.db,
      rows.map((r) => r.author_id),
    );
    const voted =
      p.kind === 'resident'
        ? await repo.votedAmong(
            this.db,
            p.id,
            rows.map((r) => r.id),
          )
        : new Set<string>();
    return { rows, authors, voted };
  }

  async list(
    p: Principal,
    f: {
      community?: string | undefined;
      status?: ProposalStatus | undefined;
      before?: { createdAt: string; id: string } | undefined;
      limit: number;
    },
  ): Promise<ProposalPage> {
    let communityIds: string[];
    if (p.kind === 'resident') {
      if (f.community && f.community !== p.communityId) throw forbidden('residents read their own community');
      communityIds = [p.communityId];
    } else communityIds = scopedCommunities(p, f.community);
    const rows = await repo.listProposals(this.db, {
      communityIds,
      status: f.status,
      visibleTo: p.kind === 'resident' ? { publicStatuses: PUBLIC_STATUSES, authorId: p.id } : undefined,
      before: f.before,
      limit: f.limit,
    });
    return this.withPeople(p, rows);
  }

  async get(p: Principal, id: string): Promise<ProposalDetail> {
    const r = await this.readable(p, id);
    const page = await this.withPeople(p, [r]);
    return { ...page, updates: await repo.updatesOf(this.db, id) };
  }

  /** Files a proposal: a resident for themselves, an agent for a resident (`residentId`). */
  async propose(
    p: Principal,
    input: {
      title: string;
      description: string;
      budgetEstimate?: number | undefined;
      residentId?: string | undefined;
    },
  ): Promise<ProposalRow> {
    const title = input.title.trim();
    const description = input.description.trim();
    if ([...title].length < 2) throw invalidInput('title', 'a title has at least 2 characters');
    if (!description) throw invalidInput('description', 'say what the proposal is about');
    const budget = input.budgetEstimate;
    if (budget !== undefined && !(Number.isInteger(budget) && budget >= 0))
      throw invalidInput('budgetEstimate', 'budgetEstimate is whole yuan, 0 or more');
    let authorId: string;
    if (p.kind === 'resident') {
      if (input.residentId !== undefined && input.residentId !== p.id)
        throw forbidden('residents propose for themselves');
      authorId = p.id;
    } else if (p.kind === 'user') {
      if (!input.residentId)
        throw invalidInput('residentId', 'staff file a proposal for a resident: name them');
      authorId = input.residentId;
    } else throw forbidden('residents and agents file proposals');
    const author = (await repo.residentsByIds(this.db, [authorId])).get(authorId);
    const servesAuthor = author && (p.kind === 'resident' || p.communityIds.includes(author.community_id));
    if (!author || author.erased_at !== null || !servesAuthor)
      throw notFound('resident_not_found', 'resident', authorId);
    if (!canPropose(p, author.community_id)) throw forbidden('agents file proposals for residents');
    const at = this.now();
    const row = {
      id: newId(Date.parse(at)),
      community_id: author.community_id,
      grid_id: author.grid_id,
      author_id: authorId,
      filed_by: p.kind === 'user' ? p.id : null,
      title,
      description,
      status: 'submitted',
      version: 1,
      reject_reason: null,
      voting_starts_at: null,
      voting_ends_at: null,
      quorum: null,
      budget_estimate: budget ?? null,
      votes: 0,
      progress_percent: 0,
      decided_at: null,
      completed_at: null,
      created_at: at,
      updated_at: at,
    };
    await this.db.transaction().execute(async (trx) => {
      await this.refuseErased(trx, authorId);
      await repo.insertProposal(trx, row);
      await repo.insertUpdate(trx, {
        id: newId(Date.parse(at)),
        proposal_id: row.id,
        community_id: row.community_id,
        action: 'submit',
        status: 'submitted',
        percent: null,
        note: null,
        actor: actorLabel(p),
        created_at: at,
      });
      await this.audit(
        trx,
        p,
        row,
        'submitted',
        // The chain holds no words people typed (an erasure could not reach them there).
        { proxy: p.kind === 'user', budgetEstimate: row.budget_estimate },
        at,
      );
    });
    return row;
  }

  /** A step of the lifecycle by a manager or admin of the community, at the version they saw. */
  async act(
    p: Principal,
    id: string,
    action: ProposalAction,
    input: ProposalInput & { version: number },
  ): Promise<ProposalRow> {
    const seen = await this.readable(p, id);
    // The system decides too: the close pass, once a window has ended (`closeDue`).
    const closing = p.kind === 'system' && action === 'decide';
    if (!closing && !canSteward(p, seen.community_id))
      throw forbidden('managers and admins of the community steward proposals');
    const at = this.now();
    const check = (r: ProposalRow) => {
      if (r.version !== input.version)
        throw new AppError('version_conflict', `the proposal is at version ${r.version}`, {
          expected: input.version,
          actual: r.version,
        });
    };
    check(seen);
    await this.db.transaction().execute(async (trx) => {
      // Taken first, so votes still being counted are in before a decision reads the tally.
      if (!(await repo.touchProposal(trx, id, input.version, at)))
        throw new AppError('version_conflict', 'the proposal changed meanwhile', { expected: input.version });
      const r = await this.readable(p, id, trx);
      check(r);
      const s = step(stateOf(r), action, input, at);
      if (!s.ok)
        throw new AppError(s.code, s.message, s.field ? { field: s.field } : { status: r.status, action });
      await repo.updateProposal(trx, id, r.version, { ...s.patch, status: s.status, updated_at: at });
      await repo.insertUpdate(trx, {
        id: newId(Date.parse(at)),
        proposal_id: id,
        community_id: r.community_id,
        action,
        status: s.status,
        percent: s.percent,
        note: s.note,
        actor: actorLabel(p),
        created_at: at,
      });
      await this.audit(
        trx,
        p,
        r,
        action,
        {
          from: r.status,
          to: s.status,
          version: r.version + 1,
          votes: r.votes,
          ...withoutText(s.patch),
          noted: s.note !== null,
        },
        at,
      );
    });
    return (await repo.findProposal(this.db, id)) as ProposalRow;
  }

  /**
   * The close pass: decides every proposal whose voting window has ended (selected when its votes
   * reach the quorum, else not selected), as a steward's `decide` would, audited as the system's.
   * Safe on several app nodes at once and idempotent: each decision is taken at the version read,
   * under the proposal's row (the lock votes in flight hold), so of two nodes one decides and the
   * other's `version_conflict` (or a proposal decided by hand meanwhile) is passed over. Answers
   * how many it decided.
   */
  async closeDue(system: Principal, limit = 100): Promise<number> {
    const due = await repo.dueForClose(this.db, this.now(), limit);
    let closed = 0;
    for (const d of due) {
      try {
        await this.act(system, d.id, 'decide', { version: d.version });
        closed += 1;
      } catch (err) {
        const passed =
          err instanceof AppError && (err.code === 'version_conflict' || err.code === 'invalid_transition');
        if (!passed && !isTransientDatabaseError(err)) throw err;
      }
    }
    return closed;
  }

  /**
   * One resident, one vote: a second vote by the same resident changes nothing and answers as the
   * first did (idempotent). Only inside the window, only residents of the proposal's community,
   * and never for a resident whose data was erased (`resident_not_found`, nothing written).
   */
  async vote(p: Principal, id: string): Promise<VoteResult> {
    return this.ballot(p, id, true);
  }

  /** Withdraws the resident's vote while the window is open; without one it changes nothing. */
  async withdraw(p: Principal, id: string): Promise<VoteResult> {
    return this.ballot(p, id, false);
  }

  private async ballot(p: Principal, id: string, cast: boolean): Promise<VoteResult> {
    const r = await this.readable(p, id);
    if (p.kind !== 'resident' || !canVote(p, r.community_id))
      throw forbidden('residents of the community vote');
    const at = this.now();
    const phase = votingPhase(stateOf(r), at);
    if (phase !== 'open')
      throw new AppError('invalid_transition', `voting is not open (${phase})`, { status: r.status, phase });
    await this.db.transaction().execute(async (trx) => {
      await this.refuseErased(trx, p.id);
      const changed = cast
        ? await repo.insertVote(trx, {
            proposal_id: id,
            resident_id: p.id,
            community_id: r.community_id,
            created_at: at,
          })
        : await repo.deleteVote(trx, id, p.id);
      if (!changed) return;
      if (!(await repo.moveTally(trx, id, cast ? 1 : -1, at)))
        throw new AppError('invalid_transition', 'voting closed meanwhile', { phase: 'closed' });
      await this.audit(trx, p, r, cast ? 'voted' : 'vote_withdrawn', {}, at);
    });
    const after = (await repo.findProposal(this.db, id)) as ProposalRow;
    return { voted: cast, votes: after.votes };
  }

  /** The participation index of the communities the caller serves (one if asked), ranked. */
  async participation(
    p: Principal,
    q: { community?: string | undefined; from?: string | undefined; to?: string | undefined },
  ): Promise<ParticipationReport> {
    const communityIds = scopedCommunities(p, q.community);
    const to = q.to ?? this.now();
    const from = q.from ?? new Date(Date.parse(to) - 365 * DAY_MS).toISOString();
    for (const [field, v] of [
      ['from', from],
      ['to', to],
    ] as const)
      if (Number.isNaN(Date.parse(v))) throw invalidInput(field, `${field} is not a date-time`);
    const period = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    if (period.from >= period.to) throw invalidInput('from', 'the period must begin before it ends');
    return participationReport(this.db, communityIds, period);
  }
}

/**
 * The time bank's use cases: record service, verify or reject it (verification mints the
 * minutes), transfer minutes between residents and redeem them. Each change checks the people
 * it concerns (read in it, FOR SHARE on PostgreSQL, so an erasure is seen or waits) and the ledger
 * rules on the accounts read under lock, writes the transaction, its postings and the balances,
 * and appends to the community's audit chain, in one database transaction.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Static } from '@sinclair/typebox';
import type { Deps } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { AppError, forbidden, invalidInput } from '../../platform/errors.ts';
import { actorLabel, communitiesOf } from '../../platform/auth/principal.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { decodeCursor, encodeCursor } from '../../platform/cursor.ts';
import { newId } from '../../platform/ids.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { canonicalJson } from '../audit/canonical-json.ts';
import { servedCommunity } from '../tenancy/community.access.ts';
import { localDay } from '../work-orders/work-order.number.ts';
import { tidyText } from '../people/resident.import.ts';
import {
  afterReversal,
  decide,
  earnPostings,
  postingsProblem,
  redeemPostings,
  reversalPostings,
  reversalRefusal,
  serviceDateProblem,
  transferPostings,
} from './time-bank.ledger.ts';
import type {
  AccountKind,
  LedgerProblem,
  Posting,
  RecordDecision,
  RecordStatus,
  TransactionKind,
} from './time-bank.ledger.ts';
import {
  mayDecide,
  mayReadCommunity,
  mayRecord,
  mayRedeemFor,
  mayReverse,
  maySeeRecord,
} from './time-bank.policy.ts';
import * as repo from './time-bank.repository.ts';
import { presentAccount, presentHistory, presentRecord, presentTransaction } from './time-bank.presenter.ts';
import type {
  AccountView,
  HistoryItemView,
  MoveResult,
  MyAccountView,
  RecordInput,
  RecordView,
  RedeemInput,
  ReverseInput,
  TransactionView,
  TransferInput,
} from './time-bank.schema.ts';

type Move = Static<typeof MoveResult>;

/** An account a transaction posts to, named by owner: made on first use. */
interface AccountRef {
  kind: AccountKind;
  residentId: string | null;
}

function raise(p: LedgerProblem): never {
  if (p.code === 'insufficient_balance')
    throw new AppError('insufficient_balance', p.message, { field: 'minutes', balance: p.balance });
  if (p.code === 'invalid_input') throw invalidInput(p.field, p.message);
  // Postings are built here, never taken from a request: an unbalanced set is a defect.
  throw new Error(p.message);
}

const isUniqueViolation = (e: unknown) => {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
};

export class TimeBankService {
  constructor(private readonly deps: Pick<Deps, 'database' | 'clock'>) {}

  private get db() {
    return this.deps.database.db;
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  /**
   * Posts a transaction: the accounts are made if new (in owner order, so two first uses at once
   * wait instead of deadlocking), read under lock, checked, then written with the balances.
   */
  private async post(
    trx: Kysely<DB>,
    tx: Omit<repo.NewTransaction, 'id'>,
    refs: AccountRef[],
    build: (ids: string[]) => Posting[],
  ): Promise<{ id: string; postings: Posting[]; balances: Map<string, number> }> {
    const owner = (r: AccountRef) => (r.kind === 'resident' ? (r.residentId ?? '') : r.kind);
    const ids = new Map<string, string>();
    for (const r of [...refs].sort((a, b) => (owner(a) < owner(b) ? -1 : 1)))
      ids.set(owner(r), await repo.ensureAccount(trx, tx.communityId, r.kind, r.residentId, tx.at));
    const accountIds = refs.map((r) => ids.get(owner(r)) as string);
    const accounts = await repo.lockAccounts(trx, this.deps.database.dialect, accountIds);
    const postings = build(accountIds);
    const problem = postingsProblem(accounts, postings);
    if (problem) raise(problem);
    const id = newId(Date.parse(tx.at));
    await repo.insertTransaction(trx, { ...tx, id }, postings);
    const balances = new Map([...accounts.values()].map((a) => [a.id, a.balance]));
    for (const p of postings) balances.set(p.accountId, (balances.get(p.accountId) ?? 0) + p.minutes);
    return { id, postings, balances };
  }

  private async audit(
    trx: Kysely<DB>,
    p: Principal,
    communityId: string,
    action: string,
    entityType: string,
    entityId: string,
    payload: unknown,
    at: string,
  ): Promise<void> {
    await appendAudit(trx, this.deps.database.dialect, {
      communityId,
      createdAt: at,
      actor: actorLabel(p),
      action,
      entityType,
      entityId,
      payload,
    });
  }

  /** The community a caller acts in: a resident's own; staff name one of theirs unless they serve one. */
  private async communityOf(
    p: Principal,
    requested: string | undefined,
  ): Promise<{ id: string; timeZone: string }> {
    const mine = communitiesOf(p);
    if (p.kind === 'resident' && requested !== undefined && requested !== p.communityId)
      throw forbidden('residents act in their own community');
    const ref = requested ?? (mine.length === 1 ? mine[0] : undefined);
    if (!ref) throw invalidInput('communityId', 'you serve several communities: say which one (communityId)');
    const c = await servedCommunity(this.db, mine, ref, 'communityId');
    return { id: c.id, timeZone: c.time_zone };
  }

  /** A living resident of the community, or 404 naming the field. */
  private async resident(communityId: string, id: string, field: string): Promise<repo.PersonRow> {
    const [r] = await repo.residentsByIds(this.db, [id]);
    if (!r || r.community_id !== communityId || r.erased_at !== null)
      throw new AppError('resident_not_found', `resident ${id} was not found`, { field });
    return r;
  }

  private async names(ids: Iterable<string>): Promise<Map<string, string>> {
    const rows = await repo.residentsByIds(this.db, [...new Set(ids)]);
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  private async presentRecords(
    p: Principal,
    rows: repo.ServiceRecordRow[],
  ): Promise<Static<typeof RecordView>[]> {
    const names = await this.names(
      rows.flatMap((r) => [r.volunteer_id, ...(r.beneficiary_id ? [r.beneficiary_id] : [])]),
    );
    return rows.map((r) => presentRecord(p, r, names));
  }

  /** An order the record or redemption may name: of the community, and for a resident one that concerns them. */
  private async order(
    communityId: string,
    id: string,
    residents: (string | null)[] | null,
    db: Kysely<DB> = this.db,
  ): Promise<void> {
    const o = await repo.orderFacts(db, id);
    const concerns =
      residents === null ||
      (o !== undefined &&
        residents.some((r) => r !== null && (r === o.beneficiary_id || r === o.reporter_id)));
    if (!o || o.community_id !== communityId || !concerns)
      throw new AppError('work_order_not_found', `work order ${id} was not found`, { field: 'workOrderId' });
  }

  /** Records service by a volunteer; pending until verified. */
  async record(p: Principal, input: RecordInput): Promise<Static<typeof RecordView>> {
    const community = await this.communityOf(p, input.communityId);
    const volunteerId = input.volunteerId ?? (p.kind === 'resident' ? p.id : undefined);
    if (!volunteerId) throw invalidInput('volunteerId', 'say who served (volunteerId)');
    if (!mayRecord(p, community.id, volunteerId))
      throw forbidden(
        p.kind === 'resident' ? 'a resident records their own service' : 'you may not record service',
      );
    await this.resident(community.id, volunteerId, 'volunteerId');
    if (input.beneficiaryId !== undefined && input.beneficiaryPhone !== undefined)
      throw invalidInput('beneficiaryPhone', 'name the beneficiary once: by id or by phone');
    let beneficiaryId: string | null = null;
    if (input.beneficiaryId !== undefined)
      beneficiaryId = (await this.resident(community.id, input.beneficiaryId, 'beneficiaryId')).id;
    if (input.beneficiaryPhone !== undefined) {
      const b = await repo.residentByPhone(this.db, community.id, input.beneficiaryPhone);
      if (!b)
        throw new AppError('resident_not_found', 'no resident of the community has this phone', {
          field: 'beneficiaryPhone',
        });
      beneficiaryId = b.id;
    }
    if (beneficiaryId === volunteerId)
      throw invalidInput('beneficiaryId', 'a volunteer does not serve themselves');
    const description = tidyText(input.description);
    if (!description) throw invalidInput('description', 'describe the service');
    const at = this.now();
    const dateProblem = serviceDateProblem(input.serviceDate, localDay(at, community.timeZone));
    if (dateProblem) raise(dateProblem);
    if (input.workOrderId !== undefined)
      await this.order(
        community.id,
        input.workOrderId,
        p.kind === 'resident' ? [volunteerId, beneficiaryId] : null,
      );
    const row = {
      id: newId(Date.parse(at)),
      community_id: community.id,
      volunteer_id: volunteerId,
      beneficiary_id: beneficiaryId,
      minutes: input.minutes,
      service_date: input.serviceDate,
      description,
      work_order_id: input.workOrderId ?? null,
      status: 'pending',
      version: 1,
      recorded_by: actorLabel(p),
      created_at: at,
      decided_by: null,
      decided_at: null,
      reject_reason: null,
      transaction_id: null,
      reversal_id: null,
    };
    await this.db.transaction().execute(async (trx) => {
      // Read again under the erasure's lock: a record for someone erased since the checks above
      // would wait for a verification nobody can give (an erasure settles the pending ones it finds).
      const people = await repo.residentsInChange(trx, this.deps.database.dialect, [
        volunteerId,
        ...(beneficiaryId ? [beneficiaryId] : []),
      ]);
      for (const [id, field] of [
        [volunteerId, 'volunteerId'],
        [beneficiaryId, 'beneficiaryId'],
      ] as const)
        if (id !== null && !people.some((r) => r.id === id && r.erased_at === null))
          throw new AppError('resident_not_found', `resident ${id} was not found`, { field });
      await repo.insertRecord(trx, row);
      await this.audit(
        trx,
        p,
        community.id,
        'time_bank.service_recorded',
        'time_service_record',
        row.id,
        {
          volunteerId,
          beneficiaryId,
          minutes: row.minutes,
          serviceDate: row.service_date,
          workOrderId: row.work_order_id,
        },
        at,
      );
    });
    const [view] = await this.presentRecords(p, [row]);
    return view as Static<typeof RecordView>;
  }

  /**
   * Verifies (minting the minutes into the volunteer's account) or rejects a pending record. A
   * record no longer pending answers `invalid_transition`; one changed since `version`,
   * `version_conflict`: a retried or doubled verification credits once.
   */
  async decide(
    p: Principal,
    id: string,
    decision: RecordDecision,
    opts: { version?: number | undefined; reason?: string | undefined },
  ): Promise<Static<typeof RecordView>> {
    const reason = decision === 'reject' ? tidyText(opts.reason ?? '') : null;
    if (decision === 'reject' && !reason) throw invalidInput('reason', 'say why the record is rejected');
    const at = this.now();
    await this.db.transaction().execute(async (trx) => {
      const r = await repo.findRecord(trx, id);
      const facts = r && {
        communityId: r.community_id,
        volunteerId: r.volunteer_id,
        beneficiaryId: r.beneficiary_id,
        status: r.status,
      };
      if (!r || !facts || !maySeeRecord(p, facts))
        throw new AppError('not_found', `service record ${id} was not found`, { id });
      if (!mayDecide(p, facts))
        throw forbidden(
          'service is verified by the beneficiary or by a grid worker, manager or admin of the community',
        );
      const next = decide(r.status as RecordStatus, decision);
      if (!next)
        throw new AppError('invalid_transition', `the record is already ${r.status}`, { status: r.status });
      if (opts.version !== undefined && opts.version !== Number(r.version))
        throw new AppError('version_conflict', 'the record changed since you read it', {
          field: 'version',
          version: Number(r.version),
        });
      let transactionId: string | null = null;
      if (decision === 'verify') {
        // An erased volunteer is a tombstone: minutes minted to it would be an account nobody holds.
        // (Read FOR SHARE on PostgreSQL: an erasure under way is waited for, and then seen.)
        const [volunteer] = await repo.residentsInChange(trx, this.deps.database.dialect, [r.volunteer_id]);
        if (!volunteer || volunteer.erased_at !== null)
          throw new AppError(
            'conflict',
            "the volunteer's personal data was erased: the record can only be rejected",
            { field: 'volunteerId' },
          );
        const posted = await this.post(
          trx,
          {
            communityId: r.community_id,
            kind: 'earn',
            memo: r.description,
            actor: actorLabel(p),
            at,
            recordId: r.id,
            workOrderId: r.work_order_id,
          },
          [
            { kind: 'issuance', residentId: null },
            { kind: 'resident', residentId: r.volunteer_id },
          ],
          ([issuance, volunteer]) => earnPostings(issuance as string, volunteer as string, Number(r.minutes)),
        );
        transactionId = posted.id;
      }
      // The conditional update is the check that counts: of two decisions at once, one moves it.
      const moved = await repo.decideRecord(trx, id, opts.version, {
        status: next,
        decided_by: actorLabel(p),
        decided_at: at,
        reject_reason: reason,
        transaction_id: transactionId,
      });
      if (!moved) throw new AppError('invalid_transition', 'the record was decided just now', { id });
      await this.audit(
        trx,
        p,
        r.community_id,
        decision === 'verify' ? 'time_bank.service_verified' : 'time_bank.service_rejected',
        'time_service_record',
        r.id,
        decision === 'verify' ? { minutes: Number(r.minutes), transactionId } : { reason },
        at,
      );
    });
    const row = await repo.findRecord(this.db, id);
    const [view] = await this.presentRecords(p, row ? [row] : []);
    return view as Static<typeof RecordView>;
  }

  /** Service records the caller may see: a resident's own, staff's of their communities; newest first. */
  async listRecords(
    p: Principal,
    q: {
      community?: string | undefined;
      status?: RecordStatus | undefined;
      cursor?: string | undefined;
      limit: number;
    },
  ): Promise<{ items: Static<typeof RecordView>[]; nextCursor: string | null }> {
    const after = decodeCursor(q.cursor);
    let communityIds: string[];
    if (p.kind === 'resident') communityIds = [p.communityId];
    else if (p.kind === 'user') {
      communityIds = q.community ? [(await this.communityOf(p, q.community)).id] : p.communityIds;
      communityIds = communityIds.filter((c) => mayReadCommunity(p, c));
      if (communityIds.length === 0) throw forbidden('your role does not read the time bank');
    } else throw forbidden('residents and staff only');
    const rows = await repo.listRecords(this.db, {
      communityIds,
      residentId: p.kind === 'resident' ? p.id : undefined,
      status: q.status,
      after,
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: await this.presentRecords(p, page),
      nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null,
    };
  }

  /** A resident's balance and the minutes still awaiting verification. */
  async myAccount(p: Principal): Promise<Static<typeof MyAccountView>> {
    if (p.kind !== 'resident') throw forbidden('residents only: staff read the community accounts');
    const account = await repo.residentAccount(this.db, p.communityId, p.id);
    return {
      balance: account ? Number(account.balance) : 0,
      pendingMinutes: await repo.pendingMinutes(this.db, p.communityId, p.id),
    };
  }

  /** A resident's postings, newest first, a page at a time. */
  async myHistory(
    p: Principal,
    q: { cursor?: string | undefined; limit: number },
  ): Promise<{ items: Static<typeof HistoryItemView>[]; nextCursor: string | null }> {
    if (p.kind !== 'resident') throw forbidden('residents only: staff read the community accounts');
    const after = decodeCursor(q.cursor);
    const account = await repo.residentAccount(this.db, p.communityId, p.id);
    if (!account) return { items: [], nextCursor: null };
    const rows = await repo.accountHistory(this.db, account.id, after, q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((h) => presentHistory(p, h)),
      nextCursor:
        rows.length > q.limit && last
          ? encodeCursor({ created_at: last.createdAt, id: last.postingId })
          : null,
    };
  }

  /** A community's accounts with their balances (staff). */
  async accounts(
    p: Principal,
    community: string | undefined,
    limit: number,
  ): Promise<Static<typeof AccountView>[]> {
    if (p.kind !== 'user') throw forbidden('staff only');
    const c = await this.communityOf(p, community);
    if (!mayReadCommunity(p, c.id)) throw forbidden('your role does not read the time bank');
    return (await repo.communityAccounts(this.db, c.id, limit)).map((a) => presentAccount(p, a));
  }

  /**
   * Runs a keyed change once: a retry with the same `Idempotency-Key` (by the same caller) gets
   * the first answer back, the same key with another request `idempotency_conflict`.
   */
  private async once(
    p: Principal,
    key: string | undefined,
    request: unknown,
    run: (trx: Kysely<DB>) => Promise<Move>,
  ): Promise<{ result: Move; replayed: boolean }> {
    const scope = actorLabel(p);
    const hash = createHash('sha256').update(canonicalJson(request)).digest('hex');
    const replay = async (): Promise<{ result: Move; replayed: boolean } | null> => {
      if (key === undefined) return null;
      const prior = await repo.findRequestKey(this.db, scope, key);
      if (!prior) return null;
      if (prior.request_hash !== hash)
        throw new AppError('idempotency_conflict', 'this Idempotency-Key was used for a different request', {
          field: 'Idempotency-Key',
        });
      return { result: JSON.parse(prior.response_json) as Move, replayed: true };
    };
    const first = await replay();
    if (first) return first;
    try {
      const result = await this.db.transaction().execute(async (trx) => {
        const out = await run(trx);
        if (key !== undefined)
          await repo.insertRequestKey(trx, {
            scope,
            key,
            request_hash: hash,
            response_json: JSON.stringify(out),
            created_at: this.now(),
          });
        return out;
      });
      return { result, replayed: false };
    } catch (e) {
      // The same key sent twice at once: the one that committed first answers both.
      if (key !== undefined && isUniqueViolation(e)) {
        const again = await replay();
        if (again) return again;
      }
      throw e;
    }
  }

  private moveResult(
    p: Principal,
    tx: { id: string; kind: TransactionKind; memo: string; at: string; workOrderId: string | null },
    minutes: number,
    counterparty: string | null,
    balance: number,
  ): Move {
    return {
      transaction: presentHistory(p, {
        transactionId: tx.id,
        kind: tx.kind,
        memo: tx.memo,
        minutes,
        createdAt: tx.at,
        postingId: tx.id,
        workOrderId: tx.workOrderId,
        recordId: null,
        counterpartyName: counterparty,
      }),
      balance,
    };
  }

  /**
   * A resident gives minutes to another resident of their community (found by phone). Who the
   * two are is read in the transaction that moves the minutes, as the balance is: an erasure of
   * either that commits after the request was read is seen (`resident_not_found`, nothing written).
   */
  async transfer(
    p: Principal,
    input: TransferInput,
    key?: string,
  ): Promise<{ result: Move; replayed: boolean }> {
    if (p.kind !== 'resident') throw forbidden('a resident transfers their own minutes');
    const memo = tidyText(input.memo ?? '');
    return this.once(p, key, { op: 'transfer', ...input }, async (trx) => {
      const notFound = () =>
        new AppError('resident_not_found', 'no resident of your community has this phone', {
          field: 'toPhone',
        });
      const found = await repo.residentByPhone(trx, p.communityId, input.toPhone);
      if (!found) throw notFound();
      if (found.id === p.id) throw invalidInput('toPhone', 'transfer to someone else');
      // Both read again under the erasure's lock (FOR SHARE on PostgreSQL, where an erasure takes
      // the resident's row first): one under way is waited for, and then seen. The sender's
      // principal may be a node's copy from before their erasure.
      const parties = await repo.residentsInChange(trx, this.deps.database.dialect, [p.id, found.id]);
      const living = (id: string) =>
        parties.find((r) => r.id === id && r.community_id === p.communityId && r.erased_at === null);
      if (!living(p.id))
        throw new AppError('resident_not_found', `resident ${p.id} was not found`, { id: p.id });
      const to = living(found.id);
      if (!to || to.phone !== input.toPhone) throw notFound();
      const at = this.now();
      const posted = await this.post(
        trx,
        { communityId: p.communityId, kind: 'transfer', memo, actor: actorLabel(p), at },
        [
          { kind: 'resident', residentId: p.id },
          { kind: 'resident', residentId: to.id },
        ],
        ([from, dest]) => transferPostings(from as string, dest as string, input.minutes),
      );
      const fromAccount = posted.postings[0]?.accountId ?? '';
      await this.audit(
        trx,
        p,
        p.communityId,
        'time_bank.transferred',
        'time_transaction',
        posted.id,
        {
          fromResidentId: p.id,
          toResidentId: to.id,
          minutes: input.minutes,
        },
        at,
      );
      return this.moveResult(
        p,
        { id: posted.id, kind: 'transfer', memo, at, workOrderId: null },
        -input.minutes,
        to.name,
        posted.balances.get(fromAccount) ?? 0,
      );
    });
  }

  /**
   * Spends a resident's minutes on a service: their own, or by staff who may verify, on their
   * behalf. Whose minutes, their community and the order named are read in the transaction that
   * spends them, as the balance is: an erasure that commits after the request was read is seen.
   */
  async redeem(p: Principal, input: RedeemInput, key?: string): Promise<{ result: Move; replayed: boolean }> {
    if (p.kind !== 'resident' && p.kind !== 'user') throw forbidden('residents and staff only');
    const residentId = input.residentId ?? (p.kind === 'resident' ? p.id : undefined);
    if (!residentId) throw invalidInput('residentId', 'say whose minutes (residentId)');
    return this.once(p, key, { op: 'redeem', ...input }, async (trx) => {
      const notFound = () =>
        new AppError('resident_not_found', `resident ${residentId} was not found`, { field: 'residentId' });
      // Under the erasure's lock (FOR SHARE on PostgreSQL): one under way is waited for, and then seen.
      const [r] = await repo.residentsInChange(trx, this.deps.database.dialect, [residentId]);
      const communityId = p.kind === 'resident' ? p.communityId : r?.community_id;
      if (!communityId || (p.kind === 'user' && !p.communityIds.includes(communityId))) throw notFound();
      if (!mayRedeemFor(p, communityId, residentId))
        throw forbidden(
          p.kind === 'resident' ? 'a resident spends their own minutes' : 'your role may not redeem minutes',
        );
      if (!r || r.community_id !== communityId || r.erased_at !== null) throw notFound();
      const memo = tidyText(input.memo);
      if (!memo) throw invalidInput('memo', 'name the service the minutes pay for');
      if (input.workOrderId !== undefined)
        await this.order(communityId, input.workOrderId, p.kind === 'resident' ? [residentId] : null, trx);
      const at = this.now();
      const posted = await this.post(
        trx,
        {
          communityId,
          kind: 'redeem',
          memo,
          actor: actorLabel(p),
          at,
          workOrderId: input.workOrderId ?? null,
        },
        [
          { kind: 'resident', residentId },
          { kind: 'redemption', residentId: null },
        ],
        ([from, redemption]) => redeemPostings(from as string, redemption as string, input.minutes),
      );
      const fromAccount = posted.postings[0]?.accountId ?? '';
      await this.audit(
        trx,
        p,
        communityId,
        'time_bank.redeemed',
        'time_transaction',
        posted.id,
        {
          residentId,
          minutes: input.minutes,
          workOrderId: input.workOrderId ?? null,
        },
        at,
      );
      return this.moveResult(
        p,
        { id: posted.id, kind: 'redeem', memo, at, workOrderId: input.workOrderId ?? null },
        -input.minutes,
        null,
        posted.balances.get(fromAccount) ?? 0,
      );
    });
  }

  /** A community's transactions with their postings, newest first (staff who read the time bank). */
  async listTransactions(
    p: Principal,
    q: { community?: string | undefined; cursor?: string | undefined; limit: number },
  ): Promise<{ items: Static<typeof TransactionView>[]; nextCursor: string | null }> {
    if (p.kind !== 'user') throw forbidden('staff only');
    const c = await this.communityOf(p, q.community);
    if (!mayReadCommunity(p, c.id)) throw forbidden('your role does not read the time bank');
    const rows = await repo.communityTransactions(this.db, c.id, decodeCursor(q.cursor), q.limit + 1);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: await this.presentTransactions(p, page),
      nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null,
    };
  }

  private async presentTransactions(
    p: Principal,
    rows: repo.TransactionRow[],
    db: Kysely<DB> = this.db,
  ): Promise<Static<typeof TransactionView>[]> {
    const ids = rows.map((x) => x.id);
    const postings = await repo.postingsWithAccounts(db, ids);
    const reversed = await repo.reversalsOf(db, ids);
    return rows.map((x) =>
      presentTransaction(
        p,
        x,
        postings.filter((q) => q.transactionId === x.id),
        reversed.get(x.id) ?? null,
      ),
    );
  }

  /** Marks the record of a reversed earn `reversed` (from verified only), audited on the record. */
  private async reverseRecord(
    trx: Kysely<DB>,
    p: Principal,
    recordId: string,
    earnId: string,
    reversalId: string,
    at: string,
  ): Promise<void> {
    const r = await repo.findRecord(trx, recordId);
    const next = r ? afterReversal(r.status as RecordStatus) : null;
    if (!r || !next) return;
    if (!(await repo.reverseRecord(trx, r.id, { status: next, reversal_id: reversalId }))) return;
    await this.audit(
      trx,
      p,
      r.community_id,
      'time_bank.service_reversed',
      'time_service_record',
      r.id,
      { minutes: Number(r.minutes), transactionId: earnId, reversalId },
      at,
    );
  }

  /**
   * Reverses (冲正) a posted transaction: a new `reversal` transaction with every posting's sign
   * turned, the reason as its memo; history is never edited. By a manager or admin of the
   * community. Refused (409) for a reversal, for a transaction reversed already (the unique index
   * on `reverses_id` decides between two at once), and when it would take a resident below zero
   * (`insufficient_balance`: the minutes were spent or given on since). Reversing an earn marks its
   * service record `reversed` in the same transaction.
   */
  async reverse(p: Principal, id: string, input: ReverseInput): Promise<Static<typeof TransactionView>> {
    const seen = await repo.findTransaction(this.db, id);
    if (!seen || !mayReadCommunity(p, seen.community_id))
      throw new AppError('not_found', `transaction ${id} was not found`, { id });
    if (!mayReverse(p, seen.community_id))
      throw forbidden('a manager or admin of the community reverses a transaction');
    const reason = tidyText(input.reason);
    if (!reason) throw invalidInput('reason', 'say why the transaction is reversed');
    const at = this.now();
    const reversalId = newId(Date.parse(at));
    try {
      await this.db.transaction().execute(async (trx) => {
        const original = await repo.postingsOf(trx, id);
        // The accounts first, in id order as every posting takes them: a reversal and a transfer
        // over the same accounts take turns, and the check below reads the balances as they are.
        const accounts = await repo.lockAccounts(
          trx,
          this.deps.database.dialect,
          original.map((o) => o.accountId),
        );
        const refusal = reversalRefusal(seen.kind as TransactionKind, await repo.reversalOf(trx, id));
        if (refusal) throw new AppError(refusal.code, refusal.message, { id });
        const postings = reversalPostings(original);
        const problem = postingsProblem(accounts, postings);
        if (problem) raise(problem);
        await repo.insertTransaction(
          trx,
          {
            id: reversalId,
            communityId: seen.community_id,
            kind: 'reversal',
            memo: reason,
            actor: actorLabel(p),
            at,
            recordId: seen.record_id,
            workOrderId: seen.work_order_id,
            reversesId: id,
          },
          postings,
        );
        // The chain holds ids and minutes, not the words of the reason (an erasure could not reach them).
        await this.audit(
          trx,
          p,
          seen.community_id,
          'time_bank.reversed',
          'time_transaction',
          reversalId,
          { reversesId: id, reversedKind: seen.kind, postings },
          at,
        );
        // The service record whose verification posted an earn shows its minutes were taken back.
        if (seen.kind === 'earn' && seen.record_id !== null)
          await this.reverseRecord(trx, p, seen.record_id, id, reversalId, at);
      });
    } catch (e) {
      if (isUniqueViolation(e))
        throw new AppError('invalid_transition', 'the transaction was reversed just now', { id });
      throw e;
    }
    const row = await repo.findTransaction(this.db, reversalId);
    const [view] = await this.presentTransactions(p, row ? [row] : []);
    return view as Static<typeof TransactionView>;
  }
}

/**
 * The time bank's SQL: accounts (made on first use, locked in id order while a transaction
 * posts to them), transactions with their postings and the balances they change, service
 * records, and the idempotency keys of transfers and redemptions.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from '../../platform/db/database.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { Cursor } from '../../platform/cursor.ts';
import { newId } from '../../platform/ids.ts';
import { selectInChunks } from '../../platform/db/in-chunks.ts';
import type { Account, AccountKind, Posting, TransactionKind } from './time-bank.ledger.ts';
import type { TimeBankTables, TimeServiceRecordTable, TimeTransactionTable } from './time-bank.tables.ts';

type Db = Kysely<DB & TimeBankTables>;
const t = (db: Kysely<DB>): Db => db.withTables<TimeBankTables>();

export type ServiceRecordRow = Selectable<TimeServiceRecordTable>;
export type TransactionRow = Selectable<TimeTransactionTable>;

/** The account of a resident or of the community, made if it does not exist yet; answers its id. */
export async function ensureAccount(
  db: Kysely<DB>,
  communityId: string,
  kind: AccountKind,
  residentId: string | null,
  at: string,
): Promise<string> {
  const owner = kind === 'resident' ? (residentId ?? '') : kind;
  await t(db)
    .insertInto('time_accounts')
    .values({
      id: newId(),
      community_id: communityId,
      kind,
      resident_id: kind === 'resident' ? residentId : null,
      owner_key: owner,
      balance: 0,
      created_at: at,
    })
    .onConflict((oc) => oc.columns(['community_id', 'owner_key']).doNothing())
    .execute();
  const row = await t(db)
    .selectFrom('time_accounts')
    .select('id')
    .where('community_id', '=', communityId)
    .where('owner_key', '=', owner)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A resident's account in their community, if they have one. */
export async function residentAccount(
  db: Kysely<DB>,
  communityId: string,
  residentId: string,
): Promise<{ id: string; balance: number } | undefined> {
  return t(db)
    .selectFrom('time_accounts')
    .select(['id', 'balance'])
    .where('community_id', '=', communityId)
    .where('owner_key', '=', residentId)
    .where('kind', '=', 'resident')
    .executeTakeFirst();
}

/**
 * The accounts a transaction posts to, read inside it. On PostgreSQL their rows stay locked
 * until the commit, taken in id order so two transactions over the same accounts wait rather
 * than deadlock; SQLite's single writer already makes them take turns.
 */
export async function lockAccounts(
  trx: Kysely<DB>,
  dialect: Dialect,
  ids: readonly string[],
): Promise<Map<string, Account>> {
  let q = t(trx)
    .selectFrom('time_accounts')
    .select(['id', 'kind', 'balance'])
    .where('id', 'in', [...new Set(ids)])
    .orderBy('id');
  if (dialect === 'postgres') q = q.forUpdate();
  const rows = await q.execute();
  return new Map(
    rows.map((r) => [r.id, { id: r.id, kind: r.kind as AccountKind, balance: Number(r.balance) }]),
  );
}

export interface NewTransaction {
  id: string;
  communityId: string;
  kind: TransactionKind;
  memo: string;
  actor: string;
  at: string;
  recordId?: string | null;
  workOrderId?: string | null;
  reversesId?: string | null;
}

/** Writes a transaction, its postings and the balances they change (checked by the caller, under lock). */
export async function insertTransaction(
  trx: Kysely<DB>,
  tx: NewTransaction,
  postings: readonly Posting[],
): Promise<void> {
  await t(trx)
    .insertInto('time_transactions')
    .values({
      id: tx.id,
      community_id: tx.communityId,
      kind: tx.kind,
      memo: tx.memo,
      actor: tx.actor,
      created_at: tx.at,
      record_id: tx.recordId ?? null,
      work_order_id: tx.workOrderId ?? null,
      reverses_id: tx.reversesId ?? null,
    })
    .execute();
  await t(trx)
    .insertInto('time_postings')
    .values(
      postings.map((p) => ({
        id: newId(),
        transaction_id: tx.id,
        account_id: p.accountId,
        community_id: tx.communityId,
        minutes: p.minutes,
        created_at: tx.at,
      })),
    )
    .execute();
  for (const p of postings)
    await t(trx)
      .updateTable('time_accounts')
      .set((eb) => ({ balance: eb('balance', '+', p.minutes) }))
      .where('id', '=', p.accountId)
      .execute();
}

export async function findTransaction(db: Kysely<DB>, id: string): Promise<TransactionRow | undefined> {
  return t(db).selectFrom('time_transactions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function postingsOf(db: Kysely<DB>, transactionId: string): Promise<Posting[]> {
  const rows = await t(db)
    .selectFrom('time_postings')
    .select(['account_id', 'minutes'])
    .where('transaction_id', '=', transactionId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ accountId: r.account_id, minutes: Number(r.minutes) }));
}

export interface HistoryRow {
  transactionId: string;
  kind: string;
  memo: string;
  minutes: number;
  createdAt: string;
  postingId: string;
  workOrderId: string | null;
  recordId: string | null;
  /** The other resident of a transfer: their name, when there is one. */
  counterpartyName: string | null;
}

/**
 * An account's postings, newest first, after the cursor (the last posting of the page before);
 * all of them when `limit` is null (a resident's copy of their data).
 */
export async function accountHistory(
  db: Kysely<DB>,
  accountId: string,
  after: Cursor | undefined,
  limit: number | null,
): Promise<HistoryRow[]> {
  let q = t(db)
    .selectFrom('time_postings as p')
    .innerJoin('time_transactions as x', 'x.id', 'p.transaction_id')
    .select([
      'p.id as postingId',
      'p.minutes',
      'p.created_at',
      'x.id as transactionId',
      'x.kind',
      'x.memo',
      'x.work_order_id',
      'x.record_id',
    ])
    .where('p.account_id', '=', accountId);
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('p.created_at', '<', after.createdAt),
        eb.and([eb('p.created_at', '=', after.createdAt), eb('p.id', '<', after.id)]),
      ]),
    );
  q = q.orderBy('p.created_at', 'desc').orderBy('p.id', 'desc');
  const rows = await (limit === null ? q : q.limit(limit)).execute();
  const transfers = rows.filter((r) => r.kind === 'transfer').map((r) => r.transactionId);
  const others = new Map<string, string>();
  const names = await selectInChunks(transfers, (chunk) =>
    t(db)
      .selectFrom('time_postings as p')
      .innerJoin('time_accounts as a', 'a.id', 'p.account_id')
      .innerJoin('residents as r', 'r.id', 'a.resident_id')
      .select(['p.transaction_id', 'r.name'])
      .where('p.transaction_id', 'in', chunk)
      .where('p.account_id', '<>', accountId)
      .execute(),
  );
  for (const n of names) others.set(n.transaction_id, n.name);
  return rows.map((r) => ({
    transactionId: r.transactionId,
    kind: r.kind,
    memo: r.memo,
    minutes: Number(r.minutes),
    createdAt: r.created_at,
    postingId: r.postingId,
    workOrderId: r.work_order_id,
    recordId: r.record_id,
    counterpartyName: others.get(r.transactionId) ?? null,
  }));
}

export interface AccountListRow {
  id: string;
  kind: string;
  balance: number;
  residentId: string | null;
  name: string | null;
  phone: string | null;
  createdAt: string;
}

/** A community's accounts: its issuance and redemption accounts first, then residents' by balance. */
export async function communityAccounts(
  db: Kysely<DB>,
  communityId: string,
  limit: number,
): Promise<AccountListRow[]> {
  const rows = await t(db)
    .selectFrom('time_accounts as a')
    .leftJoin('residents as r', 'r.id', 'a.resident_id')
    .select(['a.id', 'a.kind', 'a.balance', 'a.resident_id', 'r.name', 'r.phone', 'a.created_at'])
    .where('a.community_id', '=', communityId)
    .orderBy((eb) =>
      eb
        .case()
        .when('a.kind', '=', 'issuance')
        .then(0)
        .when('a.kind', '=', 'redemption')
        .then(1)
        .else(2)
        .end(),
    )
    .orderBy('a.balance', 'desc')
    .orderBy('a.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    balance: Number(r.balance),
    residentId: r.resident_id,
    name: r.name,
    phone: r.phone,
    createdAt: r.created_at,
  }));
}

/** Each account's stored balance and the sum of its postings, of one community: they must agree. */
export async function balanceCheck(
  db: Kysely<DB>,
  communityId: string,
): Promise<{ id: string; kind: string; balance: number; sum: number }[]> {
  const rows = await t(db)
    .selectFrom('time_accounts as a')
    .leftJoin('time_postings as p', 'p.account_id', 'a.id')
    .select((eb) => [
      'a.id',
      'a.kind',
      'a.balance',
      eb.fn.coalesce(eb.fn.sum<number>('p.minutes'), eb.lit(0)).as('sum'),
    ])
    .where('a.community_id', '=', communityId)
    .groupBy(['a.id', 'a.kind', 'a.balance'])
    .execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind, balance: Number(r.balance), sum: Number(r.sum) }));
}

/** Transactions of a community whose postings do not sum to zero (there must be none). */
export async function unbalancedTransactions(db: Kysely<DB>, communityId: string): Promise<string[]> {
  const rows = await t(db)
    .selectFrom('time_postings')
    .select('transaction_id')
    .where('community_id', '=', communityId)
    .groupBy('transaction_id')
    .having((eb) => eb.fn.sum('minutes'), '<>', 0)
    .execute();
  return rows.map((r) => r.transaction_id);
}

// Service records.

export async function insertRecord(db: Kysely<DB>, row: TimeServiceRecordTable): Promise<void> {
  await t(db).insertInto('time_service_records').values(row).execute();
}

export async function findRecord(db: Kysely<DB>, id: string): Promise<ServiceRecordRow | undefined> {
  return t(db).selectFrom('time_service_records').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Decides a pending record: true when this call moved it (it was pending, at `version` if given).
 * The update itself is the check, so two decisions at once cannot both win.
 */
export async function decideRecord(
  trx: Kysely<DB>,
  id: string,
  version: number | undefined,
  patch: Pick<
    TimeServiceRecordTable,
    'status' | 'decided_by' | 'decided_at' | 'reject_reason' | 'transaction_id'
  >,
): Promise<boolean> {
  let q = t(trx)
    .updateTable('time_service_records')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('status', '=', 'pending');
  if (version !== undefined) q = q.where('version', '=', version);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Marks a verified record reversed (冲正), naming the reversal: true when this call moved it. The
 * update is the check: only a verified record moves, once.
 */
export async function reverseRecord(
  trx: Kysely<DB>,
  id: string,
  patch: Pick<TimeServiceRecordTable, 'status' | 'reversal_id'>,
): Promise<boolean> {
  const r = await t(trx)
    .updateTable('time_service_records')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('status', '=', 'verified')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** A volunteer's records still pending, oldest first (an erasure settles them). */
export async function pendingRecordsOf(db: Kysely<DB>, volunteerId: string): Promise<ServiceRecordRow[]> {
  return t(db)
    .selectFrom('time_service_records')
    .selectAll()
    .where('volunteer_id', '=', volunteerId)
    .where('status', '=', 'pending')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export interface RecordFilter {
  communityIds: readonly string[];
  /** A resident: only records they volunteered or received. */
  residentId?: string | undefined;
  status?: string | undefined;
  after?: Cursor | undefined;
  limit: number;
}

/** Service records, newest first, after the cursor. */
export async function listRecords(db: Kysely<DB>, f: RecordFilter): Promise<ServiceRecordRow[]> {
  if (f.communityIds.length === 0) return [];
  let q = t(db)
    .selectFrom('time_service_records')
    .selectAll()
    .where('community_id', 'in', [...f.communityIds]);
  const resident = f.residentId;
  if (resident !== undefined)
    q = q.where((eb) => eb.or([eb('volunteer_id', '=', resident), eb('beneficiary_id', '=', resident)]));
  if (f.status) q = q.where('status', '=', f.status);
  const after = f.after;
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
      ]),
    );
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
}

/** Minutes of a volunteer's records still awaiting verification. */
export async function pendingMinutes(
  db: Kysely<DB>,
  communityId: string,
  volunteerId: string,
): Promise<number> {
  const r = await t(db)
    .selectFrom('time_service_records')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('minutes'), eb.lit(0)).as('minutes'))
    .where('community_id', '=', communityId)
    .where('volunteer_id', '=', volunteerId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r?.minutes ?? 0);
}

// Residents and orders the time bank refers to.

export interface PersonRow {
  id: string;
  community_id: string;
  name: string;
  phone: string | null;
  erased_at: string | null;
}

export async function residentsByIds(db: Kysely<DB>, ids: readonly string[]): Promise<PersonRow[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('residents')
    .select(['id', 'community_id', 'name', 'phone', 'erased_at'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
}

/**
 * Residents read inside a change's transaction, FOR SHARE on PostgreSQL: an erasure (which
 * updates the resident's row first) either committed before, and the change sees the tombstone,
 * or waits for the change and then finds what it wrote.
 */
export async function residentsInChange(
  trx: Kysely<DB>,
  dialect: Dialect,
  ids: readonly string[],
): Promise<PersonRow[]> {
  if (ids.length === 0) return [];
  const q = trx
    .selectFrom('residents')
    .select(['id', 'community_id', 'name', 'phone', 'erased_at'])
    .where('id', 'in', [...new Set(ids)])
    .orderBy('id');
  return (dialect === 'postgres' ? q.forShare() : q).execute();
}

export async function residentByPhone(
  db: Kysely<DB>,
  communityId: string,
  phone: string,
): Promise<PersonRow | undefined> {
  return db
    .selectFrom('residents')
    .select(['id', 'community_id', 'name', 'phone', 'erased_at'])
    .where('community_id', '=', communityId)
    .where('phone', '=', phone)
    .where('erased_at', 'is', null)
    .executeTakeFirst();
}

export async function orderFacts(
  db: Kysely<DB>,
  id: string,
): Promise<
  { id: string; community_id: string; beneficiary_id: string | null; reporter_id: string | null } | undefined
> {
  return db
    .selectFrom('work_orders')
    .select(['id', 'community_id', 'beneficiary_id', 'reporter_id'])
    .where('id', '=', id)
    .executeTakeFirst();
}

// Idempotency keys of transfers and redemptions.

export async function findRequestKey(
  db: Kysely<DB>,
  scope: string,
  key: string,
): Promise<{ request_hash: string; response_json: string } | undefined> {
  return t(db)
    .selectFrom('time_request_keys')
    .select(['request_hash', 'response_json'])
    .where('scope', '=', scope)
    .where('key', '=', key)
    .executeTakeFirst();
}

export async function insertRequestKey(
  trx: Kysely<DB>,
  row: { scope: string; key: string; request_hash: string; response_json: string; created_at: string },
): Promise<void> {
  await t(trx).insertInto('time_request_keys').values(row).execute();
}

// Reversals (冲正) and the staff list of transactions.

/** The reversal that undoes this transaction, if one was posted. */
export async function reversalOf(db: Kysely<DB>, transactionId: string): Promise<string | null> {
  const row = await t(db)
    .selectFrom('time_transactions')
    .select('id')
    .where('reverses_id', '=', transactionId)
    .executeTakeFirst();
  return row?.id ?? null;
}

export interface TransactionPostingRow {
  transactionId: string;
  accountId: string;
  accountKind: string;
  residentId: string | null;
  name: string | null;
  minutes: number;
}

/** A community's transactions, newest first, after the cursor (the last of the page before). */
export async function communityTransactions(
  db: Kysely<DB>,
  communityId: string,
  after: Cursor | undefined,
  limit: number,
): Promise<TransactionRow[]> {
  let q = t(db).selectFrom('time_transactions').selectAll().where('community_id', '=', communityId);
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
      ]),
    );
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** The postings of these transactions with their accounts and the residents who hold them. */
export async function postingsWithAccounts(
  db: Kysely<DB>,
  transactionIds: readonly string[],
): Promise<TransactionPostingRow[]> {
  if (transactionIds.length === 0) return [];
  const rows = await t(db)
    .selectFrom('time_postings as p')
    .innerJoin('time_accounts as a', 'a.id', 'p.account_id')
    .leftJoin('residents as r', 'r.id', 'a.resident_id')
    .select(['p.transaction_id', 'p.account_id', 'a.kind', 'a.resident_id', 'r.name', 'p.minutes'])
    .where('p.transaction_id', 'in', [...new Set(transactionIds)])
    .orderBy('p.transaction_id')
    .orderBy('p.minutes')
    .execute();
  return rows.map((r) => ({
    transactionId: r.transaction_id,
    accountId: r.account_id,
    accountKind: r.kind,
    residentId: r.resident_id,
    name: r.name,
    minutes: Number(r.minutes),
  }));
}

/** Which of these transactions were reversed, and by which reversal. */
export async function reversalsOf(
  db: Kysely<DB>,
  transactionIds: readonly string[],
): Promise<Map<string, string>> {
  if (transactionIds.length === 0) return new Map();
  const rows = await t(db)
    .selectFrom('time_transactions')
    .select(['id', 'reverses_id'])
    .where('reverses_id', 'in', [...new Set(transactionIds)])
    .execute();
  return new Map(rows.flatMap((r) => (r.reverses_id ? [[r.reverses_id, r.id] as const] : [])));
}

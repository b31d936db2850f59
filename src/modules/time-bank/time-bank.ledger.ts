/**
 * The time bank's ledger rules: pure functions over plain data, no database and no clock.
 *
 * Double entry: every transaction is a set of postings to accounts whose minutes sum to zero.
 * A community has one issuance account, which mints the minutes of verified service (its
 * balance is minus all minutes ever earned), one redemption account, which receives the minutes
 * spent on services, and an account per resident who earns, receives or spends minutes. A
 * resident's balance never goes below zero; the two system accounts have no such floor.
 */

export const ACCOUNT_KINDS = ['resident', 'issuance', 'redemption'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export const TRANSACTION_KINDS = ['earn', 'transfer', 'redeem', 'reversal'] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];

/** The most minutes one service record may earn (ten hours). */
export const MAX_RECORD_MINUTES = 600;
/** The most minutes one transfer or redemption may move (a year of weekly two-hour service). */
export const MAX_MOVE_MINUTES = 100_000;

export interface Account {
  id: string;
  kind: AccountKind;
  balance: number;
}

export interface Posting {
  accountId: string;
  /** Signed: a credit is positive, a debit negative. */
  minutes: number;
}

export type LedgerProblem =
  | { code: 'invalid_input'; field: string; message: string }
  | { code: 'insufficient_balance'; accountId: string; balance: number; message: string }
  | { code: 'unbalanced'; message: string };

/** Minutes to move: a whole number of at least one, at most `max`. */
export function minutesProblem(minutes: number, max: number, field = 'minutes'): LedgerProblem | null {
  if (!Number.isSafeInteger(minutes) || minutes < 1 || minutes > max)
    return { code: 'invalid_input', field, message: `${field} must be a whole number from 1 to ${max}` };
  return null;
}

/** Verified service: the issuance account mints the minutes into the volunteer's account. */
export function earnPostings(issuanceId: string, volunteerId: string, minutes: number): Posting[] {
  return [
    { accountId: issuanceId, minutes: -minutes },
    { accountId: volunteerId, minutes },
  ];
}

/** One resident gives minutes to another. */
export function transferPostings(fromId: string, toId: string, minutes: number): Posting[] {
  return [
    { accountId: fromId, minutes: -minutes },
    { accountId: toId, minutes },
  ];
}

/** A resident spends minutes on a service: they go to the redemption account. */
export function redeemPostings(residentId: string, redemptionId: string, minutes: number): Posting[] {
  return [
    { accountId: residentId, minutes: -minutes },
    { accountId: redemptionId, minutes },
  ];
}

/** Why a transaction cannot be reversed (冲正), or null: a reversal is final, and undoes once. */
export function reversalRefusal(
  kind: TransactionKind,
  reversedBy: string | null,
): { code: 'invalid_transition'; message: string } | null {
  if (kind === 'reversal')
    return { code: 'invalid_transition', message: 'a reversal is not reversed: post a new transaction' };
  if (reversedBy !== null)
    return { code: 'invalid_transition', message: `the transaction was reversed already (${reversedBy})` };
  return null;
}

/** Undoes a transaction: the same postings with their signs turned. */
export function reversalPostings(original: readonly Posting[]): Posting[] {
  return original.map((p) => ({ accountId: p.accountId, minutes: -p.minutes }));
}

/**
 * The problem with applying `postings` to the accounts as they are, or null: at least two
 * postings to distinct known accounts, each a non-zero whole number of minutes, summing to zero,
 * and no resident's balance below zero afterwards.
 */
export function postingsProblem(
  accounts: ReadonlyMap<string, Account>,
  postings: readonly Posting[],
): LedgerProblem | null {
  if (postings.length < 2) return { code: 'unbalanced', message: 'a transaction has at least two postings' };
  const seen = new Set<string>();
  let sum = 0;
  for (const p of postings) {
    if (!Number.isSafeInteger(p.minutes) || p.minutes === 0)
      return { code: 'invalid_input', field: 'minutes', message: 'a posting is a non-zero whole number' };
    if (seen.has(p.accountId))
      return {
        code: 'invalid_input',
        field: 'account',
        message: 'an account is posted to once per transaction',
      };
    if (!accounts.has(p.accountId))
      return { code: 'invalid_input', field: 'account', message: `account ${p.accountId} does not exist` };
    seen.add(p.accountId);
    sum += p.minutes;
  }
  if (sum !== 0) return { code: 'unbalanced', message: `postings sum to ${sum}, not zero` };
  for (const p of postings) {
    const a = accounts.get(p.accountId) as Account;
    if (a.kind === 'resident' && a.balance + p.minutes < 0)
      return {
        code: 'insufficient_balance',
        accountId: a.id,
        balance: a.balance,
        message: `the balance is ${a.balance} minutes, ${-p.minutes} are needed`,
      };
  }
  return null;
}

/** The accounts after the postings (the caller has checked them with `postingsProblem`). */
export function applyPostings(
  accounts: ReadonlyMap<string, Account>,
  postings: readonly Posting[],
): Map<string, Account> {
  const next = new Map(accounts);
  for (const p of postings) {
    const a = next.get(p.accountId);
    if (a) next.set(a.id, { ...a, balance: a.balance + p.minutes });
  }
  return next;
}

/** Each account's balance as the sum of its postings: what a stored balance must equal. */
export function balancesFromPostings(postings: Iterable<Posting>): Map<string, number> {
  const sums = new Map<string, number>();
  for (const p of postings) sums.set(p.accountId, (sums.get(p.accountId) ?? 0) + p.minutes);
  return sums;
}

// Service records: pending until verified (minutes credited) or rejected (with a reason); a
// verified record is reversed when its earn transaction is (冲正: the minutes are taken back).

export const RECORD_STATUSES = ['pending', 'verified', 'rejected', 'reversed'] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];
export type RecordDecision = 'verify' | 'reject';

/** The status a decision leads to, or null when the record is no longer pending. */
export function decide(status: RecordStatus, decision: RecordDecision): RecordStatus | null {
  if (status !== 'pending') return null;
  return decision === 'verify' ? 'verified' : 'rejected';
}

/**
 * The status of a record once the earn transaction its verification posted is reversed: a
 * verified record becomes `reversed`; any other status credited nothing to take back (null).
 */
export function afterReversal(status: RecordStatus): RecordStatus | null {
  return status === 'verified' ? 'reversed' : null;
}

/**
 * How far back a service may be recorded: the beneficiary or a grid worker confirms it from
 * memory, which a season later no longer holds (and minutes recorded for years past could be minted
 * at will).
 */
export const MAX_RECORD_AGE_DAYS = 90;

/** A service date: a real calendar day, not after today (the community's local day) nor more than `MAX_RECORD_AGE_DAYS` before it. */
export function serviceDateProblem(date: string, today: string): LedgerProblem | null {
  const at = new Date(`${date}T00:00:00.000Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
    Number.isNaN(at.getTime()) ||
    at.toISOString().slice(0, 10) !== date
  )
    return {
      code: 'invalid_input',
      field: 'serviceDate',
      message: 'serviceDate is a calendar day (YYYY-MM-DD)',
    };
  if (date > today)
    return { code: 'invalid_input', field: 'serviceDate', message: 'serviceDate cannot be in the future' };
  const earliest = new Date(Date.parse(`${today}T00:00:00.000Z`) - MAX_RECORD_AGE_DAYS * 86_400_000)
    .toISOString()
    .slice(0, 10);
  if (date < earliest)
    return {
      code: 'invalid_input',
      field: 'serviceDate',
      message: `service is recorded within ${MAX_RECORD_AGE_DAYS} days (from ${earliest})`,
    };
  return null;
}

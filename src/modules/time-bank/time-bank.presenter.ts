/**
 * What each viewer sees of the time bank. Staff read residents' names, and their phones as the
 * privacy table allows the role; a resident reads other residents' names masked (王**), and
 * contact data typed into descriptions and memos is blanked for whoever may not see it.
 */
import type { Static } from '@sinclair/typebox';
import type { Principal } from '../../platform/auth/principal.ts';
import { freeTextFor, maskName, maskPhone, maySee } from '../../platform/auth/privacy.ts';
import { allowedOnRecord, mayReverse } from './time-bank.policy.ts';
import type {
  AccountListRow,
  HistoryRow,
  ServiceRecordRow,
  TransactionPostingRow,
  TransactionRow,
} from './time-bank.repository.ts';
import type {
  AccountView,
  HistoryItemView,
  PersonView,
  RecordView,
  TransactionView,
} from './time-bank.schema.ts';

/** A resident named to this viewer: in full to staff and to themselves, masked to other residents. */
export function personFor(
  viewer: Principal,
  id: string,
  name: string | undefined,
): Static<typeof PersonView> {
  const shown = name ?? '';
  const self = viewer.kind === 'resident' && viewer.id === id;
  return { id, name: viewer.kind === 'resident' && !self ? maskName(shown) : shown };
}

export function presentRecord(
  viewer: Principal,
  r: ServiceRecordRow,
  names: ReadonlyMap<string, string>,
): Static<typeof RecordView> {
  const facts = {
    communityId: r.community_id,
    volunteerId: r.volunteer_id,
    beneficiaryId: r.beneficiary_id,
    status: r.status,
  };
  const aboutSelf = viewer.kind === 'resident' && viewer.id === r.volunteer_id;
  return {
    id: r.id,
    communityId: r.community_id,
    volunteer: personFor(viewer, r.volunteer_id, names.get(r.volunteer_id)),
    beneficiary: r.beneficiary_id ? personFor(viewer, r.beneficiary_id, names.get(r.beneficiary_id)) : null,
    minutes: Number(r.minutes),
    serviceDate: r.service_date,
    description: freeTextFor(viewer, aboutSelf)(r.description),
    workOrderId: r.work_order_id,
    status: r.status as Static<typeof RecordView>['status'],
    version: Number(r.version),
    rejectReason: r.reject_reason === null ? null : freeTextFor(viewer)(r.reject_reason),
    createdAt: r.created_at,
    decidedAt: r.decided_at,
    transactionId: r.transaction_id,
    reversalId: r.reversal_id,
    allowed: allowedOnRecord(viewer, facts),
  };
}

export function presentHistory(viewer: Principal, h: HistoryRow): Static<typeof HistoryItemView> {
  return {
    transactionId: h.transactionId,
    kind: h.kind as Static<typeof HistoryItemView>['kind'],
    minutes: h.minutes,
    memo: freeTextFor(viewer)(h.memo),
    createdAt: h.createdAt,
    counterparty:
      h.counterpartyName === null
        ? null
        : viewer.kind === 'resident'
          ? maskName(h.counterpartyName)
          : h.counterpartyName,
    workOrderId: h.workOrderId,
    recordId: h.recordId,
  };
}

export function presentAccount(viewer: Principal, a: AccountListRow): Static<typeof AccountView> {
  return {
    id: a.id,
    kind: a.kind as Static<typeof AccountView>['kind'],
    balance: a.balance,
    resident:
      a.residentId === null
        ? null
        : {
            id: a.residentId,
            name: a.name ?? '',
            phone: maySee(viewer, 'phone') ? a.phone : maskPhone(a.phone),
          },
  };
}

/** A transaction with its postings, for staff of its community; `reverse` offered while it may be. */
export function presentTransaction(
  viewer: Principal,
  x: TransactionRow,
  postings: readonly TransactionPostingRow[],
  reversedBy: string | null,
): Static<typeof TransactionView> {
  const reversible = x.kind !== 'reversal' && reversedBy === null && mayReverse(viewer, x.community_id);
  return {
    id: x.id,
    communityId: x.community_id,
    kind: x.kind as Static<typeof TransactionView>['kind'],
    memo: freeTextFor(viewer)(x.memo),
    createdAt: x.created_at,
    recordId: x.record_id,
    workOrderId: x.work_order_id,
    reversesId: x.reverses_id,
    reversedBy,
    postings: postings.map((p) => ({
      accountId: p.accountId,
      accountKind: p.accountKind as Static<typeof TransactionView>['postings'][number]['accountKind'],
      resident: p.residentId === null ? null : personFor(viewer, p.residentId, p.name ?? undefined),
      minutes: p.minutes,
    })),
    allowed: reversible ? ['reverse'] : [],
  };
}

/**
 * A resident's copy of their personal data (个人信息副本, PIPL art. 45): everything Linli holds
 * about them, as one JSON document they can keep or take elsewhere. Erasure (art. 47) is its
 * sibling in `resident.service.ts`.
 *
 * What it holds is what the resident may read anyway, whole: their record unmasked (it is theirs),
 * the names they had before a rename and until when, their household's address, the orders filed
 * by or for them with their public timelines (staff's internal notes are the community's working
 * notes, not the resident's data, as on every other page a resident reads), their survey answers,
 * the messages sent to them, their in-app inbox and when their sessions began, their time bank
 * (balance, the service records they gave or received, every posting of their account) and the
 * proposals they filed and the votes they hold. One-time codes are never in it. The orders of other household members stay out: they are those members' data.
 *
 * The resident downloads it themself; an admin downloads it for them at the service window (a
 * resident without a phone app), and it holds exactly what the resident's own copy holds. Every
 * copy is audited as `resident.data_exported` with who asked and the counts.
 */
import type { Deps } from '../../platform/context.ts';
import { actorLabel, residentPrincipalOf } from '../../platform/auth/principal.ts';
import type { Principal } from '../../platform/auth/principal.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { loadContext, presentOrder } from '../work-orders/work-order.presenter.ts';
import type { WorkOrderEventRow } from '../work-orders/work-order.repository.ts';
import type { WorkOrderView } from '../work-orders/work-order.schema.ts';
import { canReadResident, downloadsResidentData, residentFacts } from './resident.policy.ts';
import { presentResident } from './resident.presenter.ts';
import * as repo from './resident.repository.ts';
import * as dataRepo from './resident.data.repository.ts';
import type { ResidentView } from './resident.schema.ts';
import { freeTextFor } from '../../platform/auth/privacy.ts';
import {
  accountHistory,
  pendingMinutes,
  residentAccount,
  residentsByIds,
} from '../time-bank/time-bank.repository.ts';
import { presentHistory, presentRecord } from '../time-bank/time-bank.presenter.ts';
import type { HistoryItemView, RecordView } from '../time-bank/time-bank.schema.ts';
import type { ProposalStatus } from '../proposals/proposal.machine.ts';
import type { Static } from '@sinclair/typebox';

/** The version of the document's shape, for whoever reads a copy years later. */
export const RESIDENT_DATA_FORMAT = 'linli.resident-data/1';

export interface ResidentData {
  format: typeof RESIDENT_DATA_FORMAT;
  exportedAt: string;
  resident: ResidentView;
  /** Names the record held before a rename, each until the rename that replaced it. */
  formerNames: { name: string; until: string }[];
  household: { address: string | null; since: string | null } | null;
  orders: WorkOrderView[];
  surveys: {
    orderId: string;
    channel: string;
    sentAt: string;
    answeredAt: string | null;
    score: number | null;
    comment: string | null;
  }[];
  messages: {
    channel: string;
    address: string | null;
    template: string;
    content: unknown;
    status: string;
    createdAt: string;
    deliveredAt: string | null;
  }[];
  inbox: { title: string; body: string; orderId: string | null; createdAt: string; readAt: string | null }[];
  sessions: { startedAt: string; expiresAt: string }[];
  timeBank: {
    /** Null when they never had an account (no minutes ever earned, given or spent). */
    balance: number | null;
    pendingMinutes: number;
    records: Static<typeof RecordView>[];
    postings: Static<typeof HistoryItemView>[];
  };
  proposals: {
    id: string;
    title: string;
    description: string;
    status: ProposalStatus;
    filedByStaff: boolean;
    budgetEstimate: number | null;
    rejectReason: string | null;
    votes: number;
    createdAt: string;
    decidedAt: string | null;
    completedAt: string | null;
  }[];
  votes: { proposalId: string; title: string; status: ProposalStatus; votedAt: string }[];
}

/** A one-time code's message says that there was one, never the code (even one still valid). */
const contentOf = (template: string, payloadJson: string): unknown =>
  template === 'otp' ? null : (JSON.parse(payloadJson) as unknown);

export async function exportResidentData(
  deps: Pick<Deps, 'database' | 'clock'>,
  p: Principal,
  id: string,
): Promise<ResidentData> {
  const db = deps.database.db;
  const r = await repo.findResident(db, id);
  const hh = r?.household_id ? await repo.findHousehold(db, r.household_id) : undefined;
  if (!r || !canReadResident(p, residentFacts(r, hh))) throw notFound('resident_not_found', 'resident', id);
  if (!downloadsResidentData(p, r.id))
    throw forbidden('a copy of a resident’s personal data is for the resident, or an admin acting for them');
  if (r.erased_at !== null)
    throw new AppError(
      'conflict',
      `this resident's personal data was erased on ${r.erased_at}: none is left`,
      {
        field: 'id',
      },
    );
  // Presented as the resident sees it, whoever asked: an admin's copy for them is theirs too.
  const self = residentPrincipalOf(r);
  const exportedAt = deps.clock.now().toISOString();
  return db.transaction().execute(async (trx) => {
    const orders = await dataRepo.ownOrders(trx, r.id);
    const events = await dataRepo.eventsOfOrders(
      trx,
      orders.map((o) => o.id),
    );
    const timelines = new Map<string, WorkOrderEventRow[]>();
    for (const e of events) {
      const list = timelines.get(e.work_order_id) ?? [];
      list.push(e);
      timelines.set(e.work_order_id, list);
    }
    const ctx = await loadContext(trx, orders);
    const surveys = await dataRepo.surveysOf(trx, r.id);
    const messages = await dataRepo.messagesTo(trx, r.id);
    const inbox = await dataRepo.inboxOf(trx, r.id);
    const sessions = await dataRepo.sessionsOf(trx, r.id);
    const formerNames = await repo.formerNamesOf(trx, r.id);
    const account = await residentAccount(trx, r.community_id, r.id);
    const records = await dataRepo.timeRecordsOf(trx, r.id);
    const people = new Map(
      (
        await residentsByIds(
          trx,
          records.flatMap((x) => [x.volunteer_id, ...(x.beneficiary_id ? [x.beneficiary_id] : [])]),
        )
      ).map((x) => [x.id, x.name]),
    );
    const postings = account ? await accountHistory(trx, account.id, undefined, null) : [];
    const proposals = await dataRepo.proposalsBy(trx, r.id);
    const votes = await dataRepo.votesBy(trx, r.id);
    // Others' words (a proposal voted for) as a resident reads them anywhere: contact data blanked.
    const public_ = freeTextFor(self);
    const data: ResidentData = {
      format: RESIDENT_DATA_FORMAT,
      exportedAt,
      resident: presentResident(self, r),
      formerNames: formerNames.map((f) => ({ name: f.name, until: f.ended_at })),
      household: r.household_id
        ? {
            address: await dataRepo.householdAddress(trx, r.household_id),
            since: r.household_since,
          }
        : null,
      orders: orders.map((o) => presentOrder(self, o, ctx, [], { timeline: timelines.get(o.id) ?? [] })),
      surveys: surveys.map((s) => ({
        orderId: s.work_order_id,
        channel: s.channel,
        sentAt: s.sent_at,
        answeredAt: s.answered_at,
        score: s.score,
        comment: s.comment,
      })),
      messages: messages.map((m) => ({
        channel: m.channel,
        address: m.address,
        template: m.template,
        content: contentOf(m.template, m.payload_json),
        status: m.status,
        createdAt: m.created_at,
        deliveredAt: m.delivered_at,
      })),
      inbox: inbox.map((i) => ({
        title: i.title,
        body: i.body,
        orderId: i.order_id,
        createdAt: i.created_at,
        readAt: i.read_at,
      })),
      sessions: sessions.map((s) => ({ startedAt: s.created_at, expiresAt: s.expires_at })),
      timeBank: {
        balance: account ? Number(account.balance) : null,
        pendingMinutes: await pendingMinutes(trx, r.community_id, r.id),
        records: records.map((x) => ({ ...presentRecord(self, x, people), allowed: [] })),
        postings: postings.map((h) => presentHistory(self, h)),
      },
      proposals: proposals.map((x) => ({
        id: x.id,
        title: x.title,
        description: x.description,
        status: x.status as ProposalStatus,
        filedByStaff: x.filed_by !== null,
        budgetEstimate: x.budget_estimate,
        rejectReason: x.reject_reason,
        votes: Number(x.votes),
        createdAt: x.created_at,
        decidedAt: x.decided_at,
        completedAt: x.completed_at,
      })),
      votes: votes.map((v) => ({
        proposalId: v.proposal_id,
        title: public_(v.title),
        status: v.status as ProposalStatus,
        votedAt: v.created_at,
      })),
    };
    await appendAudit(trx, deps.database.dialect, {
      communityId: r.community_id,
      createdAt: exportedAt,
      actor: actorLabel(p),
      action: 'resident.data_exported',
      entityType: 'resident',
      entityId: r.id,
      payload: {
        by: p.kind === 'resident' ? 'self' : 'staff',
        orders: data.orders.length,
        messages: data.messages.length,
        inbox: data.inbox.length,
        surveys: data.surveys.length,
        formerNames: data.formerNames.length,
        timeBankRecords: data.timeBank.records.length,
        timeBankPostings: data.timeBank.postings.length,
        proposals: data.proposals.length,
        votes: data.votes.length,
      },
    });
    return data;
  });
}

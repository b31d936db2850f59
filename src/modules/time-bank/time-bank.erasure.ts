/**
 * What erasing a resident's personal data does to the time bank's service records, inside the
 * erasure's transaction (after it has taken the resident's row).
 *
 * - Records they gave that are still pending are rejected with a fixed reason: no minutes can go
 *   to a tombstone's account, and a record nobody may verify would otherwise wait for ever.
 * - Records they received that await their confirmation stay pending: the service was given, and a
 *   grid worker, manager or admin of the community still verifies or rejects it (as they may any
 *   record); the volunteer does not lose the minutes because the person served asked to be erased.
 *
 * Records left pending by erasures an earlier version made are rejected alike by migration
 * 2026120860_time_records_of_erased (without audit entries: migrations write none).
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../../platform/db/database.ts';
import type { DB } from '../../platform/db/schema.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { decide } from './time-bank.ledger.ts';
import type { RecordStatus } from './time-bank.ledger.ts';
import * as repo from './time-bank.repository.ts';

/** The reason a pending record of an erased volunteer is rejected with (shown where reasons are). */
export const ERASED_VOLUNTEER_REASON = '志愿者的个人信息已删除';

/**
 * Rejects the erased volunteer's pending records, each with its audit entry
 * (`time_bank.service_rejected`, `cause: volunteer_erased`); answers how many. A record decided
 * meanwhile (the conditional update finds it no longer pending) is left as it was decided.
 */
export async function rejectPendingOfErased(
  trx: Kysely<DB>,
  dialect: Dialect,
  volunteerId: string,
  actor: string,
  at: string,
): Promise<number> {
  let rejected = 0;
  for (const r of await repo.pendingRecordsOf(trx, volunteerId)) {
    const next = decide(r.status as RecordStatus, 'reject');
    if (!next) continue;
    const moved = await repo.decideRecord(trx, r.id, Number(r.version), {
      status: next,
      decided_by: actor,
      decided_at: at,
      reject_reason: ERASED_VOLUNTEER_REASON,
      transaction_id: null,
    });
    if (!moved) continue;
    await appendAudit(trx, dialect, {
      communityId: r.community_id,
      createdAt: at,
      actor,
      action: 'time_bank.service_rejected',
      entityType: 'time_service_record',
      entityId: r.id,
      payload: { reason: ERASED_VOLUNTEER_REASON, cause: 'volunteer_erased' },
    });
    rejected += 1;
  }
  return rejected;
}

import type { Kysely } from 'kysely';

type Tables = {
  time_service_records: {
    volunteer_id: string;
    status: string;
    version: number;
    decided_by: string | null;
    decided_at: string | null;
    reject_reason: string | null;
  };
  residents: { id: string; erased_at: string | null };
};

/**
 * The reason an erasure rejects an erased volunteer's pending records with. A migration must not
 * change with the code around it, so `ERASED_VOLUNTEER_REASON` (time-bank/time-bank.erasure.ts) is
 * restated here; a test holds the two equal.
 */
const REASON = '志愿者的个人信息已删除';
/** Who decided them: the upgrade, not the admin who erased the volunteer (they did not, then). */
const ACTOR = 'system:migration';

/**
 * Erasing a volunteer rejects their pending service records (`rejectPendingOfErased`); an erasure
 * done by an earlier version left them pending, and nobody may verify a record whose minutes would
 * go to a tombstone's account, so they waited for ever. Each pending record of an erased volunteer
 * (a resident whose `erased_at` is set) is rejected here with the erasure's reason, decided now by
 * `system:migration`, its version moved on. Records an erased resident was to confirm as
 * beneficiary stay pending for staff, as an erasure leaves them. The erasure audits each of its
 * rejections (`time_bank.service_rejected`); no migration appends to the audit chain, and this one
 * does not either: the record says who decided it and why. Few rows (only erasures before the fix
 * left any): one statement. Runs unchanged on SQLite and PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = db.withTables<Tables>();
  await t
    .updateTable('time_service_records')
    .set((eb) => ({
      status: 'rejected',
      version: eb('version', '+', 1),
      decided_by: ACTOR,
      decided_at: new Date().toISOString(),
      reject_reason: REASON,
    }))
    .where('status', '=', 'pending')
    .where('volunteer_id', 'in', (eb) =>
      eb.selectFrom('residents').select('residents.id').where('residents.erased_at', 'is not', null),
    )
    .execute();
}

/** Puts back to pending what `up` rejected (decided by `system:migration`), and nothing else. */
export async function down(db: Kysely<unknown>): Promise<void> {
  const t = db.withTables<Tables>();
  await t
    .updateTable('time_service_records')
    .set((eb) => ({
      status: 'pending',
      version: eb('version', '+', 1),
      decided_by: null,
      decided_at: null,
      reject_reason: null,
    }))
    .where('status', '=', 'rejected')
    .where('decided_by', '=', ACTOR)
    .where('reject_reason', '=', REASON)
    .execute();
}

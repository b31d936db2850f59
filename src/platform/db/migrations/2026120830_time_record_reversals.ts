import type { Kysely } from 'kysely';

type Tables = {
  time_service_records: {
    id: string;
    status: string;
    version: number;
    transaction_id: string | null;
    reversal_id: string | null;
  };
  time_transactions: { id: string; kind: string; reverses_id: string | null };
};

/**
 * A service record shows that the minutes its verification credited were reversed (冲正): status
 * `reversed`, reached only from `verified` by a reversal of its earn transaction, and
 * `reversal_id`, that reversal. Records whose earn was reversed before are marked here (few: a
 * community reverses by hand); the reversal itself is in the audit chain already
 * (`time_bank.reversed` names the earn), so nothing is appended. Runs unchanged on SQLite and
 * PostgreSQL.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('time_service_records').addColumn('reversal_id', 'text').execute();
  const t = db.withTables<Tables>();
  await t
    .updateTable('time_service_records')
    .set((eb) => ({
      status: 'reversed',
      version: eb('version', '+', 1),
      reversal_id: eb
        .selectFrom('time_transactions as x')
        .select('x.id')
        .where('x.kind', '=', 'reversal')
        .whereRef('x.reverses_id', '=', 'time_service_records.transaction_id'),
    }))
    .where('status', '=', 'verified')
    .where('transaction_id', 'in', (eb) =>
      eb
        .selectFrom('time_transactions as x')
        .select('x.reverses_id')
        .where('x.kind', '=', 'reversal')
        .where('x.reverses_id', 'is not', null),
    )
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const t = db.withTables<Tables>();
  await t
    .updateTable('time_service_records')
    .set((eb) => ({ status: 'verified', version: eb('version', '+', 1) }))
    .where('status', '=', 'reversed')
    .execute();
  await db.schema.alterTable('time_service_records').dropColumn('reversal_id').execute();
}

import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { dropRollupTriggers, installRollupTriggers, refillRollups } from './2026120510_order_rollups.ts';
import type { ResponseRule } from './2026120510_order_rollups.ts';
import { FIRST_RESPONSE } from './2026120620_rollup_first_response.ts';

/**
 * The dashboard's first response is the SLA's: an order is answered by a step out of the queue
 * (accepted, dispatched, referred or dismissed while `submitted`); one merged or cancelled
 * unanswered never is. The rollups read it from `accepted_at` and, for a referral or dismissal,
 * `closed_at`, which counted two answers nobody gave: a duplicate that followed the order it was
 * merged into to a referral or dismissal (answered, by the dashboard, when its target was), and
 * a duplicate sent back to work when its target was cancelled (its `accepted_at` is stamped then).
 * The SLA withdrew both clocks at the merge, so the first-response average and count of the
 * dashboard and the SLA's compliance disagreed.
 *
 * The answer now has its own column, `work_orders.first_response_at`, which the lifecycle sets
 * (`work-order.machine.ts`) and the rollups read. It is filled from each order's timeline: the
 * first accept, dispatch, referral or dismissal from `submitted`; an order without any timeline
 * (a bulk load) keeps the rule before, less the duplicates that followed a closure. Then the
 * triggers are made again with the new rule and the rollups filled again from the orders.
 */
export const FIRST_RESPONSE_COLUMN: ResponseRule = {
  at: (o) => `${o}.first_response_at`,
  watched: ['first_response_at'],
};

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('work_orders').addColumn('first_response_at', 'text').execute();
  const communities = await sql<{ id: string }>`select id from communities order by id`.execute(db);
  // One community at a time: each statement reads its orders' timelines by the order index.
  for (const c of communities.rows) {
    await sql`update work_orders set first_response_at = coalesce(
        (select min(e.created_at) from work_order_events e
          where e.work_order_id = work_orders.id and e.from_status = 'submitted'
            and e.type in ('accept', 'dispatch', 'refer', 'dismiss')),
        case when not exists (select 1 from work_order_events e where e.work_order_id = work_orders.id)
          then coalesce(accepted_at,
            case when status in ('referred', 'not_actionable') and merged_into is null then closed_at end)
        end)
      where community_id = ${c.id}`.execute(db);
  }
  await dropRollupTriggers(db);
  await installRollupTriggers(db, FIRST_RESPONSE_COLUMN);
  await refillRollups(db, FIRST_RESPONSE_COLUMN);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropRollupTriggers(db);
  await installRollupTriggers(db, FIRST_RESPONSE);
  await refillRollups(db, FIRST_RESPONSE);
  await db.schema.alterTable('work_orders').dropColumn('first_response_at').execute();
}

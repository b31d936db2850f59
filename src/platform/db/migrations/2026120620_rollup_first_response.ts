import type { Kysely } from 'kysely';
import {
  ACCEPTED,
  dropRollupTriggers,
  installRollupTriggers,
  refillRollups,
} from './2026120510_order_rollups.ts';
import type { ResponseRule } from './2026120510_order_rollups.ts';

/**
 * The dashboard's first response counts a referral or a dismissal that answered an order nobody
 * had accepted, as the SLA's first-response clock does (migration 2026120610): an order referred
 * elsewhere straight from the queue was answered when it was referred. Before, the dashboard
 * counted acceptance only, so those orders were left out of the average and of the count of
 * answered orders. A referred or dismissed order accepted before keeps its acceptance time.
 *
 * The triggers are made again with the new rule and the rollups filled again from the orders.
 */
export const FIRST_RESPONSE: ResponseRule = {
  at: (o) =>
    `coalesce(${o}.accepted_at, case when ${o}.status in ('referred', 'not_actionable') then ${o}.closed_at end)`,
  watched: ['accepted_at', 'closed_at'],
};

export async function up(db: Kysely<unknown>): Promise<void> {
  await dropRollupTriggers(db);
  await installRollupTriggers(db, FIRST_RESPONSE);
  await refillRollups(db, FIRST_RESPONSE);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropRollupTriggers(db);
  await installRollupTriggers(db, ACCEPTED);
  await refillRollups(db, ACCEPTED);
}

import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * SLA policy targets (first response, resolution, update interval) and escalation steps are at
 * most a year of minutes when a policy is saved; a policy saved before that cap may hold more (a
 * resolution of 1e8 minutes made every new order of its scope fail). Each value over the cap is
 * brought down to it, and the policy's `updated_at` says when; values within it are not touched.
 *
 * A migration must not change with the code around it, so the cap (`MAX_TARGET_MINUTES` in
 * sla/sla.policy.ts) is restated here. No audit entry is written: migrations have no audit
 * chain to append to (data fixes elsewhere, such as the emergency lane put back, write none
 * either). Runs unchanged on SQLite and PostgreSQL.
 */
const CAP = 525_600;
const COLUMNS = [
  'first_response_minutes',
  'resolution_minutes',
  'update_interval_minutes',
  'escalation_step_minutes',
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  const at = new Date().toISOString();
  // One statement: the policies are few. A null update interval (none) compares as not over.
  const over = COLUMNS.map((c) => sql`${sql.ref(c)} > ${CAP}`);
  const capped = COLUMNS.map(
    (c) => sql`${sql.ref(c)} = case when ${sql.ref(c)} > ${CAP} then ${CAP} else ${sql.ref(c)} end`,
  );
  await sql`update sla_policies set ${sql.join(capped)}, updated_at = ${at}
    where ${sql.join(over, sql` or `)}`.execute(db);
}

/** The values over the cap are not kept: no policy could use them. */
export async function down(): Promise<void> {}

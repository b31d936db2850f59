import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * One-time codes are blanked in the outbox once their message is done (sent, or failed for good;
 * see notifications/secrets.ts). Messages done before that rule kept their code: blank those too.
 * A migration must not change with the code around it, so the rule is restated here: the `code`
 * field of `otp` messages.
 */
const REDACTED = '******';

export async function up(db: Kysely<unknown>): Promise<void> {
  const rows = await sql<{ id: string; payload_json: string }>`
    select id, payload_json from outbox where template = 'otp' and status in ('delivered', 'failed')`.execute(
    db,
  );
  for (const r of rows.rows) {
    let payload: unknown;
    try {
      payload = JSON.parse(r.payload_json);
    } catch {
      continue;
    }
    if (typeof payload !== 'object' || payload === null) continue;
    const data = payload as Record<string, unknown>;
    if (data.code === undefined || data.code === REDACTED) continue;
    await sql`update outbox set payload_json = ${JSON.stringify({ ...data, code: REDACTED })} where id = ${r.id}`.execute(
      db,
    );
  }
}

/** Blanked codes cannot come back (nor should they). */
export async function down(): Promise<void> {}

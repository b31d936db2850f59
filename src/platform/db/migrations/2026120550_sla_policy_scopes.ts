import { sql } from 'kysely';
import type { CreateTableBuilder, Kysely } from 'kysely';

/**
 * SLA policy ids are unique per scope, not across the deployment: `sla_policies` is keyed by
 * `(scope, id)`, where `scope` is the policy's community id, or '' for a policy every community
 * shares. Two communities may each name a policy `fast-water`; before this, the second admin was
 * refused with `conflict`, which told them that another community had a policy of that name.
 * SQLite cannot change a primary key in place, so the table is rebuilt (the same on PostgreSQL).
 */
const COLUMNS = [
  'id',
  'category',
  'priority_band',
  'channel',
  'community_id',
  'calendar_id',
  'first_response_minutes',
  'resolution_minutes',
  'update_interval_minutes',
  'warn_at_ratio',
  'escalation_chain_json',
  'escalation_step_minutes',
  'created_at',
  'updated_at',
];

function policyColumns(t: CreateTableBuilder<string, string>): CreateTableBuilder<string, string> {
  return t
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('priority_band', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('community_id', 'text')
    .addColumn('calendar_id', 'text', (c) => c.notNull())
    .addColumn('first_response_minutes', 'double precision', (c) => c.notNull())
    .addColumn('resolution_minutes', 'double precision', (c) => c.notNull())
    .addColumn('update_interval_minutes', 'double precision')
    .addColumn('warn_at_ratio', 'double precision', (c) => c.notNull())
    .addColumn('escalation_chain_json', 'text', (c) => c.notNull())
    .addColumn('escalation_step_minutes', 'double precision', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull());
}

const columnList = sql.raw(COLUMNS.join(', '));

export async function up(db: Kysely<unknown>): Promise<void> {
  await policyColumns(db.schema.createTable('sla_policies_scoped'))
    .addColumn('scope', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('sla_policies_scope_id_pk', ['scope', 'id'])
    .execute();
  await sql`insert into sla_policies_scoped (scope, ${columnList})
    select coalesce(community_id, ''), ${columnList} from sla_policies`.execute(db);
  await db.schema.dropTable('sla_policies').execute();
  await db.schema.alterTable('sla_policies_scoped').renameTo('sla_policies').execute();
}

/** Back to one id space; refused, before anything changes, while two scopes share an id. */
export async function down(db: Kysely<unknown>): Promise<void> {
  const clash = await sql<{
    id: string;
  }>`select id from sla_policies group by id having count(*) > 1`.execute(db);
  if (clash.rows.length > 0)
    throw new Error(
      `SLA policy ids used in several communities (${clash.rows.map((r) => r.id).join(', ')}): rename them before going back`,
    );
  await policyColumns(db.schema.createTable('sla_policies_global'))
    .addPrimaryKeyConstraint('sla_policies_global_pk', ['id'])
    .execute();
  await sql`insert into sla_policies_global (${columnList}) select ${columnList} from sla_policies`.execute(
    db,
  );
  await db.schema.dropTable('sla_policies').execute();
  await db.schema.alterTable('sla_policies_global').renameTo('sla_policies').execute();
}

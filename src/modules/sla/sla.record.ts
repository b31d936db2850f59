import type { Kysely } from 'kysely';
import type { Dialect } from '../../platform/db/database.ts';
import type { DB } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { insertTimelineEvent } from './sla.repository.ts';

export interface Actor {
  type: 'system' | 'user' | 'resident';
  id: string | null;
  name: string;
  /** The audit label, e.g. `system:sla`, `user:manager`. */
  label: string;
}

export const SLA_ACTOR: Actor = { type: 'system', id: null, name: 'SLA', label: 'system:sla' };

export interface OrderChange {
  order: { id: string; community_id: string };
  /** Timeline event type, e.g. `sla_breached`. */
  type: string;
  /** Audit action, e.g. `sla.breached`. */
  action: string;
  actor: Actor;
  note?: string | null;
  visibility?: 'public' | 'internal';
  data?: Record<string, unknown>;
  at: string;
}

/**
 * Records a change to an order on its timeline and in its community's audit chain, inside the
 * caller's transaction: both exist exactly when the change does.
 */
export async function recordOrderChange(trx: Kysely<DB>, dialect: Dialect, c: OrderChange): Promise<string> {
  const eventId = newId(Date.parse(c.at));
  await insertTimelineEvent(trx, {
    id: eventId,
    work_order_id: c.order.id,
    community_id: c.order.community_id,
    type: c.type,
    from_status: null,
    to_status: null,
    actor_type: c.actor.type,
    actor_id: c.actor.id,
    actor_name: c.actor.name,
    note: c.note ?? null,
    visibility: c.visibility ?? 'internal',
    data_json: c.data ? JSON.stringify(c.data) : null,
    created_at: c.at,
  });
  await appendAudit(trx, dialect, {
    communityId: c.order.community_id,
    createdAt: c.at,
    actor: c.actor.label,
    action: c.action,
    entityType: 'work_order',
    entityId: c.order.id,
    payload: { eventId, ...(c.data ?? {}) },
  });
  return eventId;
}

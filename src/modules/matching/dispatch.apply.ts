/**
 * Lifecycle changes made by dispatch itself (auto-dispatch on create, the emergency lane, the next
 * candidate after a rejection or a timeout, the return to the queue), inside the caller's
 * transaction. They go through the same pure state machine as a person's action and leave the same
 * trail: the order row (version bumped), a timeline event, an audit entry, the assignee's message,
 * and every lifecycle hook.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Dialect } from '../../platform/db/database.ts';
import type { DB } from '../../platform/db/schema.ts';
import { newId } from '../../platform/ids.ts';
import { appendAudit } from '../audit/audit.repository.ts';
import { enqueueAssignment } from '../notifications/outbox.repository.ts';
import { transition } from '../work-orders/work-order.machine.ts';
import type { Action, ActionInput, Status } from '../work-orders/work-order.machine.ts';
import * as orders from '../work-orders/work-order.repository.ts';
import type { WorkOrderRow } from '../work-orders/work-order.repository.ts';
import type { LifecycleHooks } from '../work-orders/work-order.service.ts';

export const DISPATCH_ACTOR = { label: 'system:dispatch', name: '智能派单' } as const;

export interface SystemActionContext {
  dialect: Dialect;
  hooks: readonly LifecycleHooks[];
  at: string;
}

/**
 * Applies `action` to `order` as the dispatch system. Returns the order after the change, or
 * undefined when the state machine refuses it or the order changed meanwhile (version check).
 */
export async function applySystemAction(
  trx: Kysely<DB>,
  ctx: SystemActionContext,
  order: WorkOrderRow,
  action: Extract<Action, 'dispatch' | 'transfer'>,
  input: ActionInput,
  data: Record<string, unknown>,
): Promise<WorkOrderRow | undefined> {
  const { at } = ctx;
  const t = transition(
    {
      status: order.status as Status,
      resumeStatus: (order.resume_status as Status | null) ?? null,
      assigneeId: order.assignee_id,
    },
    action,
    input,
    at,
  );
  if (!t.ok) return undefined;
  const { reopen_count_increment: reopen, ...patch } = t.patch;
  const ok = await orders.updateOrderIfVersion(
    trx,
    order.id,
    order.version,
    { ...patch, updated_at: at },
    !!reopen,
  );
  if (!ok) return undefined;
  const after = await orders.findOrder(trx, order.id);
  if (!after) return undefined;
  const eventData = { ...(input.assigneeId ? { assigneeId: input.assigneeId } : {}), ...data };
  await orders.insertEvent(trx, {
    id: newId(),
    work_order_id: order.id,
    community_id: order.community_id,
    type: action,
    from_status: order.status,
    to_status: after.status,
    actor_type: 'system',
    actor_id: null,
    actor_name: DISPATCH_ACTOR.name,
    note: t.note,
    visibility: t.visibility,
    data_json: JSON.stringify(eventData),
    created_at: at,
  });
  await appendAudit(trx, ctx.dialect, {
    communityId: order.community_id,
    createdAt: at,
    actor: DISPATCH_ACTOR.label,
    action: `work_order.${action}`,
    entityType: 'work_order',
    entityId: order.id,
    payload: {
      from: order.status,
      to: after.status,
      version: after.version,
      ...eventData,
      noteDigest: t.note ? createHash('sha256').update(t.note).digest('hex') : null,
    },
  });
  if (action === 'dispatch' && after.assignee_id)
    await enqueueAssignment(trx, { ...after, assignee_id: after.assignee_id }, at);
  for (const h of ctx.hooks) await h.onTransition?.(trx, order, after, action, at);
  return after;
}

/** A timeline event that changes no status (acceptance, timeout, emergency alerts). */
export async function recordEvent(
  trx: Kysely<DB>,
  ctx: Pick<SystemActionContext, 'dialect' | 'at'>,
  order: WorkOrderRow,
  event: {
    type: string;
    note: string;
    visibility: 'public' | 'internal';
    data: Record<string, unknown>;
    actor?: { type: string; id: string | null; name: string; label: string };
  },
): Promise<void> {
  const actor = event.actor ?? {
    type: 'system',
    id: null,
    name: DISPATCH_ACTOR.name,
    label: DISPATCH_ACTOR.label,
  };
  await orders.insertEvent(trx, {
    id: newId(),
    work_order_id: order.id,
    community_id: order.community_id,
    type: event.type,
    from_status: null,
    to_status: null,
    actor_type: actor.type,
    actor_id: actor.id,
    actor_name: actor.name,
    note: event.note,
    visibility: event.visibility,
    data_json: JSON.stringify(event.data),
    created_at: ctx.at,
  });
  await appendAudit(trx, ctx.dialect, {
    communityId: order.community_id,
    createdAt: ctx.at,
    actor: actor.label,
    action: `work_order.${event.type}`,
    entityType: 'work_order',
    entityId: order.id,
    payload: event.data,
  });
}

/**
 * The work-order lifecycle as a pure state machine. Given an order's current state and an
 * action with its input, it returns the next status, the fields that change and the timeline
 * event to record — or a refusal. No I/O, no clock: `at` is passed in.
 */
export const STATUSES = [
  'submitted',
  'accepted',
  'dispatched',
  'in_progress',
  'waiting_on_resident',
  'resolved',
  'closed',
  'referred',
  'duplicate',
  'not_actionable',
  'cancelled',
] as const;
export type Status = (typeof STATUSES)[number];

export const ACTIONS = [
  'accept',
  'dispatch',
  'reject',
  'start',
  'resolve',
  'confirm',
  'reopen',
  'wait',
  'resume',
  'transfer',
  'refer',
  'merge',
  'dismiss',
  'cancel',
  'auto_close',
] as const;
export type Action = (typeof ACTIONS)[number];

export const TERMINAL: ReadonlySet<Status> = new Set([
  'closed',
  'referred',
  'duplicate',
  'not_actionable',
  'cancelled',
]);
/** Statuses counted as "open" work. */
export const OPEN_STATUSES: readonly Status[] = [
  'submitted',
  'accepted',
  'dispatched',
  'in_progress',
  'waiting_on_resident',
];

export interface MachineState {
  status: Status;
  resumeStatus: Status | null;
  assigneeId: string | null;
  /** When a closed order closed (the reopen window counts from it). */
  closedAt?: string | null;
}

/** A deployment's settings the lifecycle obeys. */
export interface LifecycleRules {
  /** Days after closing during which a closed order may be reopened; 0 = no limit. */
  reopenDays: number;
}

const NO_RULES: LifecycleRules = { reopenDays: 0 };

export interface ActionInput {
  assigneeId?: string | undefined;
  note?: string | undefined;
  reason?: string | undefined;
  rating?: number | undefined;
  comment?: string | undefined;
  referredTo?: string | undefined;
  mergeInto?: string | undefined;
}

export interface OrderPatch {
  status: Status;
  resume_status?: Status | null;
  assignee_id?: string | null;
  accepted_at?: string;
  /** The first answer, given only by a step out of `submitted` (see `WorkOrderTable`). */
  first_response_at?: string;
  dispatched_at?: string;
  resolved_at?: string | null;
  closed_at?: string | null;
  resolution_note?: string | null;
  rating?: number | null;
  rating_comment?: string | null;
  closure_reason?: string | null;
  referred_to?: string;
  merged_into?: string;
  reopen_count_increment?: boolean;
}

export type Transition =
  | { ok: true; patch: OrderPatch; note: string | null; visibility: 'public' | 'internal' }
  | { ok: false; reason: string; field?: string };

/** Statuses in which no work has started on the order yet: it may still be cancelled. */
const BEFORE_WORK: readonly Status[] = ['submitted', 'accepted', 'dispatched'];

/** Which statuses each action may start from (`canStart` adds the one rule that needs more than the status). */
export const FROM: Record<Action, readonly Status[]> = {
  accept: ['submitted'],
  dispatch: ['submitted', 'accepted', 'dispatched'],
  reject: ['dispatched'],
  start: ['dispatched'],
  resolve: ['dispatched', 'in_progress'],
  confirm: ['resolved'],
  reopen: ['resolved', 'closed'],
  wait: ['accepted', 'dispatched', 'in_progress'],
  resume: ['waiting_on_resident'],
  transfer: ['dispatched', 'in_progress'],
  refer: ['submitted', 'accepted'],
  merge: ['submitted', 'accepted', 'dispatched'],
  dismiss: ['submitted', 'accepted'],
  cancel: [...BEFORE_WORK, 'waiting_on_resident'],
  auto_close: ['resolved'],
};

/**
 * May the action start from this state? Its `FROM` list, and one rule the list cannot say:
 * an order waiting on the resident is cancelled only if it could have been before the wait
 * (work not yet started), judged by the status it will resume to.
 */
export function canStart(state: Pick<MachineState, 'status' | 'resumeStatus'>, action: Action): boolean {
  if (!FROM[action].includes(state.status)) return false;
  if (action === 'cancel' && state.status === 'waiting_on_resident') {
    return BEFORE_WORK.includes(state.resumeStatus ?? 'accepted');
  }
  return true;
}

const refuse = (reason: string, field?: string): Transition =>
  field === undefined ? { ok: false, reason } : { ok: false, reason, field };

const required = (value: string | undefined): value is string =>
  typeof value === 'string' && value.trim() !== '';

/** Applies an action to a state (pure). */
export function transition(
  state: MachineState,
  action: Action,
  input: ActionInput,
  at: string,
  rules: LifecycleRules = NO_RULES,
): Transition {
  if (!FROM[action].includes(state.status)) {
    return refuse(`cannot ${action} an order that is ${state.status}`);
  }
  if (!canStart(state, action)) {
    return refuse(
      `cannot ${action} an order that waits on the resident after work started (it was ${state.resumeStatus})`,
    );
  }
  const ok = (patch: OrderPatch, note: string | null = null, visibility: 'public' | 'internal' = 'public') =>
    ({ ok: true, patch, note, visibility }) as const;
  switch (action) {
    case 'accept':
      return ok({ status: 'accepted', accepted_at: at, first_response_at: at }, input.note ?? null);
    case 'dispatch': {
      if (!required(input.assigneeId)) return refuse('dispatch needs an assignee', 'assigneeId');
      const patch: OrderPatch = { status: 'dispatched', assignee_id: input.assigneeId, dispatched_at: at };
      if (state.status === 'submitted') {
        patch.accepted_at = at;
        patch.first_response_at = at;
      }
      return ok(patch, input.note ?? null, 'internal');
    }
    case 'reject':
      if (!required(input.reason)) return refuse('a rejection needs a reason', 'reason');
      return ok({ status: 'accepted', assignee_id: null }, input.reason, 'internal');
    case 'start':
      return ok({ status: 'in_progress' }, input.note ?? null);
    case 'resolve':
      if (!required(input.note)) return refuse('resolving needs a note of what was done', 'note');
      return ok({ status: 'resolved', resolved_at: at, resolution_note: input.note }, input.note);
    case 'confirm': {
      const r = input.rating;
      if (r === undefined || !Number.isInteger(r) || r < 1 || r > 5) {
        return refuse('rating must be an integer from 1 to 5', 'rating');
      }
      return ok(
        {
          status: 'closed',
          closed_at: at,
          rating: r,
          rating_comment: input.comment ?? null,
          closure_reason: 'confirmed',
        },
        input.comment ?? null,
      );
    }
    case 'auto_close':
      return ok({ status: 'closed', closed_at: at, closure_reason: 'auto_closed' }, null, 'internal');
    case 'reopen':
      if (!required(input.reason)) return refuse('say what is still not fixed', 'reason');
      // Long after closing, "not fixed" is a new problem: last year's rating and resolution time
      // stay as they were, and the report starts its own clock.
      if (
        state.status === 'closed' &&
        rules.reopenDays > 0 &&
        state.closedAt &&
        Date.parse(at) - Date.parse(state.closedAt) > rules.reopenDays * 86_400_000
      )
        return refuse(
          `the order closed more than ${rules.reopenDays} days ago and can no longer be reopened: report it again as a new request`,
        );
      return ok(
        {
          status: 'accepted',
          assignee_id: null,
          resolved_at: null,
          closed_at: null,
          closure_reason: null,
          // The rating judged a fix that did not hold, and the resolution is no longer the
          // order's result; both stay on the timeline as history.
          rating: null,
          rating_comment: null,
          resolution_note: null,
          reopen_count_increment: true,
        },
        input.reason,
      );
    case 'wait':
      return ok(
        { status: 'waiting_on_resident', resume_status: state.status },
        input.note ?? input.reason ?? null,
      );
    case 'resume':
      return ok({ status: state.resumeStatus ?? 'accepted', resume_status: null }, input.note ?? null);
    case 'transfer':
      if (!required(input.reason)) return refuse('a transfer back to dispatch needs a reason', 'reason');
      return ok({ status: 'accepted', assignee_id: null }, input.reason, 'internal');
    case 'refer':
      if (!required(input.referredTo)) return refuse('say where the request was referred to', 'referredTo');
      return ok(
        {
          status: 'referred',
          referred_to: input.referredTo,
          closed_at: at,
          closure_reason: 'referred',
          ...(state.status === 'submitted' ? { first_response_at: at } : {}),
        },
        input.note ?? `转至 ${input.referredTo}`,
      );
    case 'merge':
      if (!required(input.mergeInto)) return refuse('name the order this one duplicates', 'mergeInto');
      return ok(
        { status: 'duplicate', merged_into: input.mergeInto, closed_at: at, closure_reason: 'duplicate' },
        input.note ?? null,
      );
    case 'dismiss':
      if (!required(input.reason)) return refuse('say why the request cannot be acted on', 'reason');
      return ok(
        {
          status: 'not_actionable',
          closed_at: at,
          closure_reason: input.reason,
          ...(state.status === 'submitted' ? { first_response_at: at } : {}),
        },
        input.reason,
      );
    case 'cancel':
      return ok(
        { status: 'cancelled', closed_at: at, closure_reason: input.reason ?? 'cancelled' },
        input.reason ?? null,
      );
  }
}

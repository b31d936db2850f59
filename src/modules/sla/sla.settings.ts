/** Settings of the SLA, closing-the-loop and notification workers, read once from the environment. */
export interface SlaSettings {
  /** Timers claimed per transaction. */
  timerBatch: number;
  /** How long a claimed deferred timer stays with its worker before another may retry it. */
  timerLeaseMs: number;
  /** Failed attempts before a timer is given up (status failed). */
  timerMaxAttempts: number;
  /** Wall-clock minutes a supervision order (督办) allows for the answer, unless the issuer says. */
  supervisionDueMinutes: number;
  /** Reaching the last level of an escalation chain issues a supervision order. */
  autoSupervise: boolean;
  /** Days after resolve without an answer before the order closes itself. */
  autoCloseDays: number;
  /** Days after closing to ask the satisfaction question; 0 = never. */
  surveyDays: number;
  /** Days a return visit (回访) may take. */
  returnVisitDays: number;
  /** Ratings up to this value ask for a return visit. */
  lowRating: number;
  /** Default horizon of the due-soon list. */
  dueSoonMinutes: number;
  webhookTimeoutMs: number;
  /** Open orders re-timed per transaction when a calendar or holiday file changes (at least 1). */
  retimeChunk: number;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\s*\d+\s*$/.test(value)) throw new Error(`${name} must be a whole number ≥ 0, got "${value}"`);
  return Number.parseInt(value, 10);
}

export function loadSlaSettings(env: NodeJS.ProcessEnv = process.env, autoCloseDays = 7): SlaSettings {
  return {
    timerBatch: int(env, 'LINLI_TIMER_BATCH', 200),
    timerLeaseMs: int(env, 'LINLI_TIMER_LEASE_MS', 120_000),
    timerMaxAttempts: int(env, 'LINLI_TIMER_MAX_ATTEMPTS', 8),
    supervisionDueMinutes: int(env, 'LINLI_SUPERVISION_DUE_MINUTES', 24 * 60),
    autoSupervise: (env.LINLI_AUTO_SUPERVISE ?? '1') === '1',
    autoCloseDays,
    surveyDays: int(env, 'LINLI_SURVEY_DAYS', 3),
    returnVisitDays: int(env, 'LINLI_RETURN_VISIT_DAYS', 2),
    lowRating: int(env, 'LINLI_LOW_RATING', 2),
    dueSoonMinutes: int(env, 'LINLI_DUE_SOON_MINUTES', 240),
    webhookTimeoutMs: int(env, 'LINLI_WEBHOOK_TIMEOUT_MS', 5000),
    retimeChunk: Math.max(1, int(env, 'LINLI_SLA_RETIME_CHUNK', 500)),
  };
}

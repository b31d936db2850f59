/**
 * Work-order priority: a documented, pure formula.
 *
 *   score = urgency + vulnerability + repeats + waiting        (0–100, rounded)
 *
 * | part          | rule                                                                  | max |
 * |---------------|-----------------------------------------------------------------------|-----|
 * | urgency       | critical 60 · high 40 · normal 20 · low 5                             |  60 |
 * | vulnerability | sum over the beneficiary's special-group tags, capped at 20:          |  20 |
 * |               | elderly_alone 10 · disability 8 · left_behind_child 8 ·               |     |
 * |               | chronic_illness 6 · low_income 4 (unknown tags count 0)               |     |
 * | repeats       | 4 × log2(1 + repeat reports of the same problem), capped at 10        |  10 |
 * | waiting       | 10 × min(1, hours waited / patience of the urgency)                   |  10 |
 * |               | patience: critical 1 h · high 24 h · normal 72 h · low 168 h          |     |
 *
 * Bands: P1 ≥ 60 · P2 ≥ 40 · P3 ≥ 20 · P4 below. A critical order is therefore always P1; a
 * high one reaches P1 only with vulnerability, repeats or waiting on top, and so on down.
 *
 * A suspected emergency (the model alone voted `critical`; no rule confirmed it, so the order is
 * `high` and waits for a person in triage) scores its urgency and patience as `critical` until
 * that person decides: it is P1, and the SLA policy for P1 (round the clock, minutes to first
 * response) makes sure somebody looks at it at 2 a.m. too. The triage decision recomputes the
 * priority from the urgency decided.
 */
import type { Urgency } from '../taxonomy/taxonomy.default.ts';

export const SPECIAL_GROUP_WEIGHTS: Readonly<Record<string, number>> = {
  elderly_alone: 10,
  disability: 8,
  left_behind_child: 8,
  chronic_illness: 6,
  low_income: 4,
};

const URGENCY_POINTS: Readonly<Record<Urgency, number>> = { critical: 60, high: 40, normal: 20, low: 5 };
const PATIENCE_HOURS: Readonly<Record<Urgency, number>> = { critical: 1, high: 24, normal: 72, low: 168 };
const VULNERABILITY_CAP = 20;
const REPEATS_CAP = 10;
const WAITING_MAX = 10;

export type PriorityBand = 'P1' | 'P2' | 'P3' | 'P4';

export interface PriorityInput {
  urgency: Urgency;
  /** Special-group tags of the beneficiary (held with consent). */
  specialGroups?: ReadonlyArray<string>;
  /** Further reports of the same problem (0 = reported once). */
  repeatCount?: number;
  /** Hours since the order was received (the caller computes it from its clock). */
  waitingHours?: number;
  /** Scored as `critical` until a person decides in triage (see above). */
  suspectedEmergency?: boolean;
}

export interface Priority {
  score: number;
  band: PriorityBand;
  parts: Record<string, number>;
}

/** The band of a score: P1 ≥ 60, P2 ≥ 40, P3 ≥ 20, else P4. */
export function priorityBand(score: number): PriorityBand {
  if (score >= 60) return 'P1';
  if (score >= 40) return 'P2';
  if (score >= 20) return 'P3';
  return 'P4';
}

/** Computes priority score, band and the points of each part (see the table above). */
export function computePriority(input: PriorityInput): Priority {
  const scoredAs: Urgency = input.suspectedEmergency ? 'critical' : input.urgency;
  const urgency = URGENCY_POINTS[scoredAs];
  const tags = new Set(input.specialGroups ?? []);
  let vulnerability = 0;
  for (const t of tags) vulnerability += SPECIAL_GROUP_WEIGHTS[t] ?? 0;
  vulnerability = Math.min(VULNERABILITY_CAP, vulnerability);
  const repeatCount = Math.max(0, input.repeatCount ?? 0);
  const repeats = Math.min(REPEATS_CAP, 4 * Math.log2(1 + repeatCount));
  const hours = Math.max(0, input.waitingHours ?? 0);
  const waiting = WAITING_MAX * Math.min(1, hours / PATIENCE_HOURS[scoredAs]);
  const round1 = (x: number): number => Math.round(x * 10) / 10;
  const score = Math.min(100, Math.round(urgency + vulnerability + repeats + waiting));
  return {
    score,
    band: priorityBand(score),
    parts: { urgency, vulnerability, repeats: round1(repeats), waiting: round1(waiting) },
  };
}

import type { Classifier, Prioritize } from './work-order.understanding.ts';
import { callerChoice } from './work-order.understanding.ts';

/** The classifier intake uses unless another is plugged in. */
export function defaultClassifier(): Classifier {
  return callerChoice;
}

const URGENCY_BASE: Record<string, number> = { critical: 90, high: 65, normal: 40, low: 15 };

/** Interim priority until the classification module supplies its formula. */
export const defaultPrioritize: Prioritize = ({ urgency, tags, repeatCount, waitingHours }) => {
  const score = Math.min(
    100,
    (URGENCY_BASE[urgency] ?? 40) + tags.length * 5 + repeatCount * 3 + Math.min(10, waitingHours / 24),
  );
  const band = score >= 85 ? 'P1' : score >= 60 ? 'P2' : score >= 35 ? 'P3' : 'P4';
  return { score, band };
};

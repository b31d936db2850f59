import type { WorkOrderClassifier, Prioritize } from './work-order.understanding.ts';
import { callerChoice } from './work-order.understanding.ts';
import { computePriority } from '../classification/priority.ts';
import type { Urgency } from '../taxonomy/taxonomy.default.ts';
import { URGENCIES } from '../taxonomy/taxonomy.default.ts';

/** The classifier intake uses until the classification module plugs its own in. */
export function defaultClassifier(): WorkOrderClassifier {
  return callerChoice;
}

const asUrgency = (u: string): Urgency =>
  (URGENCIES as readonly string[]).includes(u) ? (u as Urgency) : 'normal';

/** Priority from urgency, who is affected, repeats and waiting time (formula in classification/priority.ts). */
export const defaultPrioritize: Prioritize = ({
  urgency,
  tags,
  repeatCount,
  waitingHours,
  suspectedEmergency,
}) =>
  computePriority({
    urgency: asUrgency(urgency),
    specialGroups: tags,
    repeatCount,
    waitingHours,
    suspectedEmergency: suspectedEmergency === true,
  });

/**
 * The ports through which intake understands a request: a classifier (category, urgency,
 * confidence, explanation) and a priority formula. The classification module plugs the
 * trained model in; without it the caller's choice stands and the order goes to triage.
 */
export interface Understanding {
  category: string;
  subcategory: string | null;
  urgency: string;
  confidence: number;
  needsTriage: boolean;
  source: 'model' | 'rule' | 'caller';
  explanation: unknown;
  /**
   * The model alone voted `critical` and no rule confirmed it: the order is `high` and waits in
   * triage, but is prioritised as an emergency until a person decides.
   */
  suspectedEmergency?: boolean;
}

export interface WorkOrderClassifier {
  /** Understands a request's text with the model the community uses. */
  understand(text: string, communityId: string): Understanding | Promise<Understanding>;
}

export interface PriorityInput {
  urgency: string;
  tags: string[];
  repeatCount: number;
  waitingHours: number;
  /** Prioritise as `critical` until a person decides (see `Understanding.suspectedEmergency`). */
  suspectedEmergency?: boolean;
}

export type Prioritize = (input: PriorityInput) => {
  score: number;
  band: string;
  parts?: Record<string, number>;
};

/** Used when no classifier is configured: the caller's category and urgency, or a person decides in triage. */
export const callerChoice: WorkOrderClassifier = {
  understand: () => ({
    category: 'basic_living',
    subcategory: null,
    urgency: 'normal',
    confidence: 0,
    needsTriage: true,
    source: 'caller',
    explanation: null,
  }),
};

/** Is this order still a suspected emergency: flagged by its classification and not yet decided in triage? */
export function stillSuspected(order: { needs_triage: number; classification_json: string | null }): boolean {
  if (order.needs_triage !== 1 || !order.classification_json) return false;
  try {
    const c = JSON.parse(order.classification_json) as {
      suspectedEmergency?: unknown;
      explanation?: { suspectedEmergency?: unknown } | null;
    };
    return c.suspectedEmergency === true || c.explanation?.suspectedEmergency === true;
  } catch {
    return false;
  }
}

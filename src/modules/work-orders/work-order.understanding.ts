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

/** The public shapes of triage: what the pipeline hands in and what a card shows. */

export interface TriageInput {
  text: string;
  /** The network it came from ("twitter", "discord", ...); informational. */
  platform?: string;
  authorFollowers?: number;
  authorId?: string;
  authorHandle?: string;
  /** Messages from the same author in the 24 hours before this one (computed by the caller). */
  recentContacts?: number;
}

export type SentimentLabel = 'negative' | 'neutral' | 'positive';
export type Priority = 'P1' | 'P2' | 'P3' | 'P4';

export interface TriageResult {
  sentiment: {
    label: SentimentLabel;
    /**
     * Signed strength. From the lexicon: the sum of word scores after the rules, in AFINN points
     * (a single word is -5..+5). With a trained model: (P(positive) − P(negative)) × 5.
     */
    score: number;
  };
  /** ISO 639-1 code ("en", "es", ...), or "und" when the text has no words to tell by. */
  language: string;
  /** A taxonomy category id (config/triage/taxonomy.yaml). */
  category: string;
  priority: Priority;
  /** The customer is complaining. */
  complaint: boolean;
  /** A complaint or a question the brand should answer (not chatter, not spam). */
  needsResponse: boolean;
  spam: boolean;
  /** Why, in words a card can show: "negative -4", "outage keyword 'down'", "12k followers". */
  reasons: string[];
}

/** A labelled example for `carebot train`: any subset of the labels. */
export interface TrainingRow {
  text: string;
  sentiment?: SentimentLabel;
  /** The text's language, used instead of detection when given. */
  language?: string;
  complaint?: boolean;
  needsResponse?: boolean;
  category?: string;
}

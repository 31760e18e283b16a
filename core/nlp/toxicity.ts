/**
 * Toxicity as the models read it: the probability that a tweet is offensive (insults,
 * profanity, threats aimed at someone) and that it is hate speech (against a group), each in
 * [0, 1], with the flags of those at or above the worker's threshold.
 */
export type ToxicityKind = 'offensive' | 'hate';

export const TOXICITY_KINDS: readonly ToxicityKind[] = ['offensive', 'hate'];

/** Flag threshold unless SPATE_NLP_TOXICITY_THRESHOLD says otherwise. */
export const DEFAULT_TOXICITY_THRESHOLD = 0.5;

export interface ToxicityProbabilities {
  readonly offensive: number;
  readonly hate: number;
}

export interface Toxicity extends ToxicityProbabilities {
  /** The kinds whose probability is at or above the threshold, in TOXICITY_KINDS order. */
  readonly flags: readonly ToxicityKind[];
}

/** Rounded to 4 places (as sentiment scores are) and flagged against `threshold`. */
export function toxicityOf(p: ToxicityProbabilities, threshold: number): Toxicity {
  const offensive = round4(p.offensive);
  const hate = round4(p.hate);
  const rounded = { offensive, hate };
  // Flagged on the figures the record carries, so a reader can check a flag against them.
  const flags = TOXICITY_KINDS.filter((k) => rounded[k] >= threshold);
  return { offensive, hate, flags };
}

function round4(x: number): number {
  return Math.round(Math.max(0, Math.min(1, x)) * 10_000) / 10_000;
}

/** Sentiment as every backend reports it: a score in [-1, 1] and the label it falls in. */
export type SentimentLabel = 'negative' | 'neutral' | 'positive';

export const SENTIMENT_LABELS: readonly SentimentLabel[] = ['negative', 'neutral', 'positive'];

export interface Sentiment {
  readonly score: number;
  readonly label: SentimentLabel;
}

/** VADER's published cut-off: |compound| < 0.05 is neutral. */
export const NEUTRAL_BAND = 0.05;

export function sentimentFromScore(score: number, neutralBand = NEUTRAL_BAND): Sentiment {
  const clamped = Math.max(-1, Math.min(1, score));
  const label: SentimentLabel =
    clamped >= neutralBand ? 'positive' : clamped <= -neutralBand ? 'negative' : 'neutral';
  return { score: Math.round(clamped * 10_000) / 10_000, label };
}

/**
 * A classifier's class probabilities as a score: P(positive) - P(negative), which lies in
 * [-1, 1]; the label is the most probable class, as the classifier meant it.
 */
export function sentimentFromProbabilities(p: Readonly<Record<SentimentLabel, number>>): Sentiment {
  const score = p.positive - p.negative;
  let label: SentimentLabel = 'neutral';
  if (p.positive > p.neutral && p.positive >= p.negative) label = 'positive';
  else if (p.negative > p.neutral && p.negative > p.positive) label = 'negative';
  return { score: Math.round(Math.max(-1, Math.min(1, score)) * 10_000) / 10_000, label };
}

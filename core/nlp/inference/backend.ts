import type { Sentiment } from '../sentiment.ts';
import type { ToxicityProbabilities } from '../toxicity.ts';

/** What a model says about one tweet: its sentiment and, from a model with toxicity heads, toxicity. */
export interface ModelScores {
  readonly sentiment: Sentiment;
  /** Absent when the model has no toxicity heads: the enricher then reads toxicity from the risk rules. */
  readonly toxicity?: ToxicityProbabilities;
}

/**
 * The model behind the micro-batcher. Backends take whole batches because that is where a
 * GPU (or even a vectorised CPU kernel) wins; a rule model simply loops.
 */
export interface SentimentBackend {
  readonly name: 'lexicon' | 'onnx';
  /** Where inference runs, for the metrics ("cpu", "cuda", or "rules" for the lexicon model). */
  readonly device: string;
  /** Results in input order, one per text. */
  infer(texts: readonly string[]): Promise<ModelScores[]>;
  /**
   * How long an input is for the micro-batcher's length buckets: tokens, or 0 when padding does
   * not matter or the backend splits each batch by length itself (length-batches.ts).
   */
  lengthOf(text: string): number;
  close(): Promise<void>;
}

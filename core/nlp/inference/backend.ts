import type { Sentiment } from '../sentiment.ts';

/**
 * A sentiment model behind the micro-batcher. Backends take whole batches because that is
 * where a GPU (or even a vectorised CPU kernel) wins; a rule model simply loops.
 */
export interface SentimentBackend {
  readonly name: 'lexicon' | 'onnx';
  /** Where inference runs, for the metrics ("cpu", "cuda", or "rules" for the lexicon model). */
  readonly device: string;
  /** Results in input order, one per text. */
  infer(texts: readonly string[]): Promise<Sentiment[]>;
  /** How long an input is for length bucketing (tokens, or 0 when padding does not matter). */
  lengthOf(text: string): number;
  close(): Promise<void>;
}

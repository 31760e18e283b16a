import type { SentimentBackend } from '../../core/nlp/inference/backend.ts';
import type { TokenCounts } from '../../core/nlp/inference/length-batches.ts';
import { OnnxBackend } from './onnx-backend.ts';
import { TransformerHeadsBackend } from './transformer-heads-backend.ts';

/**
 * What the model was fed over one metrics interval: the tweets' tokens, the tokens of the tensors
 * they ran in (padding included), and the share of those that was padding: the cost that
 * SPATE_NLP_MAX_BATCH_TOKENS and SPATE_NLP_RUN_COST_TOKENS trade against fewer, wider runs
 * (docs/models.md), seen on live traffic rather than in a bench.
 */
export interface PaddingInterval {
  readonly realTokens: number;
  readonly paddedTokens: number;
  /** (padded - real) / padded in percent; undefined when nothing ran (no runs, no share to speak of). */
  readonly paddingPercent: number | undefined;
}

export const NOTHING_FED: TokenCounts = { runs: 0, rows: 0, realTokens: 0, paddedTokens: 0 };

/** The interval between two readings of a backend's cumulative counters. */
export function paddingBetween(before: TokenCounts, after: TokenCounts): PaddingInterval {
  const realTokens = after.realTokens - before.realTokens;
  const paddedTokens = after.paddedTokens - before.paddedTokens;
  return {
    realTokens,
    paddedTokens,
    paddingPercent: paddedTokens > 0 ? (100 * (paddedTokens - realTokens)) / paddedTokens : undefined,
  };
}

/**
 * The backend's cumulative token counters, for the backends that feed a padded tensor model
 * (a Hugging Face export, one or one per head); undefined for the lexicon and the hashed n-gram
 * model, which pad nothing and so publish no padding figures.
 */
export function tokenCountsOf(backend: SentimentBackend): (() => TokenCounts) | undefined {
  if (backend instanceof TransformerHeadsBackend || backend instanceof OnnxBackend)
    return () => backend.tokenCounts;
  return undefined;
}

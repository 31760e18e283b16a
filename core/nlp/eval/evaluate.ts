import type { TweetEnricher } from '../enrich.ts';
import type { SentimentBackend } from '../inference/backend.ts';
import { parseRawTweet } from '../tweet.ts';
import type { LabelledTweet } from './labelled.ts';
import { classificationScores, pearson } from './metrics.ts';

export interface EvaluationResult {
  readonly backend: string;
  readonly n: number;
  /** Over the records that carry a score; null when none do. */
  readonly pearson_r: number | null;
  readonly macro_f1: number;
  readonly accuracy: number;
  /** Whole-pipeline rate: normalisation, every stage and the model, batched. */
  readonly tweets_per_s: number;
}

/** Runs the labelled tweets through the same pipeline as the worker and scores the sentiment. */
export async function evaluateSentiment(
  rows: readonly LabelledTweet[],
  enricher: TweetEnricher,
  backend: SentimentBackend,
  batchSize = 256,
): Promise<EvaluationResult> {
  const started = performance.now();
  const predicted: { score: number; label: LabelledTweet['label'] }[] = [];
  for (let i = 0; i < rows.length; i += batchSize) {
    const slice = rows.slice(i, i + batchSize);
    const prepared = slice.map((r, k) =>
      enricher.prepare(parseRawTweet({ id: `eval-${i + k}`, text: r.text })),
    );
    for (const scores of await backend.infer(prepared.map((p) => p.modelText)))
      predicted.push(scores.sentiment);
  }
  const seconds = (performance.now() - started) / 1000;
  const scoredTruth: number[] = [];
  const scoredPred: number[] = [];
  for (const [i, r] of rows.entries()) {
    if (r.score === undefined) continue;
    scoredTruth.push(r.score);
    scoredPred.push(predicted[i]!.score);
  }
  const cls = classificationScores(
    rows.map((r) => r.label),
    predicted.map((p) => p.label),
  );
  const r = scoredTruth.length >= 2 ? pearson(scoredTruth, scoredPred) : Number.NaN;
  return {
    backend: backend.name,
    n: rows.length,
    pearson_r: Number.isNaN(r) ? null : round4(r),
    macro_f1: round4(cls.macroF1),
    accuracy: round4(cls.accuracy),
    tweets_per_s: Math.round(rows.length / Math.max(seconds, 1e-6)),
  };
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

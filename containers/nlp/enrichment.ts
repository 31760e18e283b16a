import { type PreparedTweet, TweetEnricher } from '../../core/nlp/enrich.ts';
import type { ModelScores } from '../../core/nlp/inference/backend.ts';
import type { NlpWorkerConfig } from './config.ts';
import { readRulesFile } from './rules-file.ts';

/**
 * The enrichment the worker applies to tweets.raw, shared with `spate nlp score` so both
 * write the same records: the enricher as the worker's configuration builds it, and the
 * step from prepared tweets and model scores to tweets.enriched and tweets.alerts values.
 */
export type EnrichmentSettings = Pick<
  NlpWorkerConfig,
  'targetLanguages' | 'duplicateWindow' | 'rulesFile' | 'toxicityThreshold'
>;

export function createEnricher(
  settings: EnrichmentSettings,
  lexicon: ReadonlyMap<string, number>,
): TweetEnricher {
  return new TweetEnricher({
    targetLanguages: settings.targetLanguages,
    isWord: (w) => lexicon.has(w),
    duplicates: { capacity: settings.duplicateWindow, maxDistance: 3, minTokens: 4 },
    ...(settings.rulesFile !== undefined ? { rules: readRulesFile(settings.rulesFile) } : {}),
    toxicityThreshold: settings.toxicityThreshold,
  });
}

export interface KeyedRecord {
  readonly key: string;
  readonly value: string;
}

/** Joins each prepared tweet with its model scores: the tweets.enriched values, in order, and the alerts. */
export function completeTweets(
  enricher: TweetEnricher,
  prepared: readonly PreparedTweet[],
  scores: readonly ModelScores[],
  model: string,
  now: Date,
): { enriched: KeyedRecord[]; alerts: KeyedRecord[] } {
  const enriched: KeyedRecord[] = new Array(prepared.length);
  const alerts: KeyedRecord[] = [];
  for (let i = 0; i < prepared.length; i++) {
    const { tweet, alert } = enricher.complete(prepared[i]!, scores[i]!, model, now);
    enriched[i] = { key: tweet.id, value: JSON.stringify(tweet) };
    if (alert !== undefined) alerts.push({ key: alert.id, value: JSON.stringify(alert) });
  }
  return { enriched, alerts };
}

import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { PreparedTweet, TweetEnricher } from '../../core/nlp/enrich.ts';
import type { SentimentBackend } from '../../core/nlp/inference/backend.ts';
import { parseRawTweet } from '../../core/nlp/tweet.ts';
import { completeTweets } from './enrichment.ts';

/**
 * `spate nlp score`: tweets.raw records in (JSON Lines), the worker's tweets.enriched records
 * out, one line per tweet and in input order. A line that is not a tweet is reported on
 * `errors` with its line number and the field at fault, and scoring goes on.
 */
export interface ScoreSummary {
  readonly scored: number;
  readonly rejected: number;
}

export async function scoreTweets(
  input: Readable,
  output: Writable,
  errors: Writable,
  enricher: TweetEnricher,
  backend: SentimentBackend,
  batchSize = 256,
): Promise<ScoreSummary> {
  let scored = 0;
  let rejected = 0;
  let pending: PreparedTweet[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const scores = await backend.infer(batch.map((p) => p.modelText));
    const { enriched } = completeTweets(enricher, batch, scores, backend.name, new Date());
    scored += enriched.length;
    if (!output.write(`${enriched.map((e) => e.value).join('\n')}\n`))
      await new Promise<void>((resolve) => output.once('drain', () => resolve()));
  };
  let lineNumber = 0;
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNumber++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      rejected++;
      errors.write(
        `line ${lineNumber}: (root): not valid JSON (${err instanceof Error ? err.message : String(err)})\n`,
      );
      continue;
    }
    try {
      // Prepared in input order: the near-duplicate window depends on it, as in the worker.
      pending.push(enricher.prepare(parseRawTweet(value)));
    } catch (err) {
      rejected++;
      errors.write(`line ${lineNumber}: ${err instanceof Error ? err.message : String(err)}\n`);
      continue;
    }
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  return { scored, rejected };
}

import type { EnrichedTweet } from '../nlp/enriched-tweet.ts';
import { type ArchiveObject, planArchive } from './archive-key.ts';
import type { RecordBatch } from './msk-batch.ts';
import type { PositionedTweet } from './tweet-decoding.ts';

/** The cold tier's prefix for tweets.enriched: `tweets/dt=YYYY-MM-DD/hour=HH/...`. */
export const TWEETS_ARCHIVE_PREFIX = 'tweets';

/**
 * Groups one tweets.enriched partition batch into objects per hour of the tweet's time; each
 * row is the enriched tweet as the NLP worker wrote it, with its topic, partition and offset.
 */
export function planTweetArchive(
  batch: RecordBatch<PositionedTweet>,
  prefix: string = TWEETS_ARCHIVE_PREFIX,
): ArchiveObject<EnrichedTweet>[] {
  return planArchive(
    {
      topic: batch.topic,
      partition: batch.partition,
      items: batch.events.map(({ offset, timeMs, tweet }) => ({ offset, timeMs, record: tweet })),
    },
    prefix,
  );
}

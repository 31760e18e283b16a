import { TOPICS, type TopicName } from './topics.ts';

/**
 * An event source mapping: a function fed batches from one topic. The CDK stack turns each
 * into an MSK event source mapping; the local mirror's emulator reads the same numbers.
 */
export interface MappingDefinition {
  /** The function's name, also its folder under lambdas/. */
  readonly functionName: string;
  readonly topic: TopicName;
  /** Consumer group id; MSK uses the mapping's UUID unless one is given, so we always give one. */
  readonly groupId: string;
  /** Most records in one invocation. */
  readonly batchSize: number;
  /** How long to gather records before invoking with a partial batch. */
  readonly batchingWindowMs: number;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** Where a batch goes after the retries are spent, so nothing is silently dropped. */
  readonly onFailureTopic: TopicName;
  /** Retries before a batch is sent to the on-failure destination. */
  readonly maxRetries: number;
  /** What the function writes to: the CDK stack grants exactly these, and nothing else. */
  readonly writes: readonly Sink[];
}

/** hot: Redis; warm: ClickHouse; cold: the S3 archive; push: WebSocket @connections. */
export type Sink = 'hot' | 'warm' | 'cold' | 'push';

const aggregator = (
  functionName: string,
  topic: TopicName,
  batchSize: number,
  batchingWindowMs: number,
  writes: readonly Sink[],
): MappingDefinition => ({
  functionName,
  topic,
  writes,
  groupId: `spate-${functionName}`,
  batchSize,
  batchingWindowMs,
  startingPosition: 'TRIM_HORIZON',
  onFailureTopic: TOPICS.mappingFailures.name,
  // Every sink is idempotent, so retrying is always safe; with backoff capped at 30 s, 40 retries
  // ride out a dependency down for about 12 minutes before a batch is parked on the failure topic.
  maxRetries: 40,
});

/** The broadcaster on one topic: the same function, one mapping and consumer group per topic. */
const broadcaster = (topic: TopicName, groupId: string): MappingDefinition => ({
  ...aggregator('broadcast', topic, 5000, 0, ['hot', 'push']),
  groupId,
  // A broadcaster that starts late has nothing to say about old records.
  startingPosition: 'LATEST',
  // Old numbers are worthless on a live screen: a failed push is logged, not retried.
  maxRetries: 0,
});

/** Every mapping of the system; later issues add theirs here and both stacks follow. */
export const MAPPINGS: readonly MappingDefinition[] = [
  // Hot tier: no batching window, so the dashboard trails the events by a poll, not half a
  // second. Batches still grow with the rate: records gather while the previous batch of the
  // partition is applied, and each batch costs Redis a constant two round trips. Each concern
  // has its own function so a slow funnel state read never holds back the counters.
  aggregator('realtime', TOPICS.eventsRaw.name, 5000, 0, ['hot']),
  aggregator('windows', TOPICS.eventsRaw.name, 5000, 0, ['hot']),
  // Funnels also reach the warm tier's ClickHouse: projects' run-time funnels are kept there
  // (io/clickhouse/project-funnel-store.ts), read at most once per TTL, never per event.
  aggregator('funnels', TOPICS.eventsRaw.name, 5000, 0, ['hot', 'warm']),
  // Warm tier: ClickHouse wants few large inserts (about one a second per table at most), and
  // each partition's batch is an insert of its own that makes a part in the table and in each
  // rollup: 10k records or 5 s, whichever comes first. Live numbers come from the hot tier, so
  // the warm tier trailing by seconds shows nowhere.
  aggregator('warehouse', TOPICS.eventsRaw.name, 10_000, 5000, ['warm']),
  // Cold tier: long windows and full batches make fewer, larger objects.
  aggregator('archive', TOPICS.eventsRaw.name, 10_000, 10_000, ['cold']),
  // Tweets: sentiment per topic and hashtag and toxicity alerts, as soon as the NLP worker
  // has committed them to tweets.enriched.
  aggregator('tweets', TOPICS.tweetsEnriched.name, 5000, 0, ['hot']),
  // Enriched tweets into the warm and cold tiers, batched like their events counterparts. Names
  // are one word: they become folder names and CDK logical ids, and must not begin with another
  // function's name.
  aggregator('tweetwarehouse', TOPICS.tweetsEnriched.name, 10_000, 5000, ['warm']),
  aggregator('tweetarchive', TOPICS.tweetsEnriched.name, 10_000, 10_000, ['cold']),
  // The broadcaster: its own group on events.raw, no window either; its pushes are coalesced
  // per channel in Redis (core/push/push-throttle.ts), whatever the event or invocation rate.
  broadcaster(TOPICS.eventsRaw.name, 'spate-broadcast'),
  // ...and on tweets.enriched, for the tweets and alerts channels, in a group of its own.
  broadcaster(TOPICS.tweetsEnriched.name, 'spate-broadcast-tweets'),
];

export { aggregator as defineAggregatorMapping };
